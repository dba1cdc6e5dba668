import t from 'tap';
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { createCA, issueCert, type IssuedCert } from '../../src/util/pki.js';
import { KubeletClient, type KubeletClientConfig } from '../../src/scrape/kubelet-client.js';
import { ScrapeError } from '../../src/scrape/scrape-error.js';
import type { NodeInfo } from '../../src/kube/node-info.js';
import type { NodeScrape } from '../../src/scrape/types.js';
import { fixturePath } from '../helpers/paths.js';
import { FakeKubelet, endless, hang, hugeDeclared, serve, status, type Behaviour } from './fake-kubelet.js';

const TOKEN = 'kubelet-test-token';
const summary = readFileSync(fixturePath('kubelet', 'summary', 'otel-minikube-1.json'));
const resource = readFileSync(fixturePath('kubelet', 'resource', 'metrics-server-kind-1.txt'));

let ca: IssuedCert;
let serving: IssuedCert;
t.before(async () => {
  ca = await createCA('kubelet-ca');
  serving = await issueCert(ca, { cn: 'kubelet', ips: ['127.0.0.1'], serverAuth: true });
});

async function kubelet(t: Tap, behaviour: Behaviour, extra: { clientCa?: string } = {}): Promise<FakeKubelet> {
  const k = await new FakeKubelet({ serving, token: TOKEN, behaviour, ...extra }).listen();
  t.teardown(() => k.close());
  return k;
}
type Tap = { teardown(fn: () => unknown): void };

function nodeAt(name: string, port: number, extra: Partial<NodeInfo> = {}): NodeInfo {
  return { name, labels: {}, addresses: [{ type: 'InternalIP', address: '127.0.0.1' }], kubeletPort: port, ready: true, ...extra };
}

function client(t: Tap, cfg: Partial<KubeletClientConfig> = {}): KubeletClient {
  const c = new KubeletClient({
    source: 'summary',
    port: 1,
    useNodeStatusPort: true,
    preferredAddressTypes: ['InternalIP'],
    tls: { ca: ca.cert },
    credentials: async () => ({ Authorization: `Bearer ${TOKEN}` }),
    requestTimeoutMs: 1000,
    maxResponseBytes: 1024 * 1024,
    ...cfg,
  });
  t.teardown(() => c.close());
  return c;
}

async function reason(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'none';
  } catch (e) {
    return e instanceof ScrapeError ? e.reason : `not a ScrapeError: ${String(e)}`;
  }
}

t.test('summary source: GET /stats/summary with the bearer token, TLS verified, decoded', async (t) => {
  const k = await kubelet(t, serve(summary));
  const c = client(t);
  const scrape = await c.getMetrics(nodeAt('minikube', k.port));
  t.ok(scrape.node, 'node point decoded');
  t.ok(scrape.pods.length > 0, 'pod points decoded');
  t.same(k.paths, ['/stats/summary?only_cpu_and_memory=true']);
});

t.test('resource source: /metrics/resource, or the node annotation path', async (t) => {
  const k = await kubelet(t, serve(resource, 'text/plain'));
  const c = client(t, { source: 'resource' });
  const s1 = await c.getMetrics(nodeAt('kind', k.port));
  t.ok(s1.node);
  await c.getMetrics(nodeAt('kind', k.port, { resourceMetricsPath: '/metrics/resource/custom' }));
  t.same(k.paths, ['/metrics/resource', '/metrics/resource/custom']);
});

t.test('connections are kept alive across scrapes; pools of removed nodes are closed', async (t) => {
  const a = await kubelet(t, serve(summary));
  const b = await kubelet(t, serve(summary));
  const c = client(t);
  for (let i = 0; i < 3; i++) {
    await c.getMetrics(nodeAt('a', a.port));
    await c.getMetrics(nodeAt('b', b.port));
  }
  t.equal(a.connections, 1, 'one TLS connection for three scrapes');
  t.equal(c.poolCount, 2);
  c.retainNodes(new Set(['a']));
  t.equal(c.poolCount, 1, 'pool of b closed');
  // A node that moved to another port gets a new pool.
  await c.getMetrics(nodeAt('a', b.port));
  t.equal(c.poolCount, 1);
  t.equal(b.connections, 2);
});

t.test('failures carry the reason the scraper counts', async (t) => {
  const c = client(t, { requestTimeoutMs: 300, maxResponseBytes: 256 * 1024 });
  const cases: [string, Behaviour | 'refused', string][] = [
    ['500', status(500), 'http'],
    ['garbage', serve('this is not json {{{'), 'decode'],
    ['hang', hang, 'timeout'],
    ['endless body', endless, 'size'],
    ['declared huge body', hugeDeclared(10 * 1024 * 1024), 'size'],
    ['refused', 'refused', 'connection'],
  ];
  for (const [what, behaviour, want] of cases) {
    let port: number;
    if (behaviour === 'refused') {
      const k = await new FakeKubelet({ serving, token: TOKEN, behaviour: hang }).listen();
      port = k.port;
      await k.close();
    } else {
      port = (await kubelet(t, behaviour)).port;
    }
    const started = Date.now();
    t.equal(await reason(c.getMetrics(nodeAt(what, port))), want, what);
    t.ok(Date.now() - started < 1500, `${what}: bounded by the request timeout`);
    t.equal(c.inFlightCount, 0, `${what}: nothing left in flight`);
  }
  t.equal(await reason(c.getMetrics({ ...nodeAt('noaddr', 1), addresses: [{ type: 'Hostname', address: 'x' }] })), 'address');
});

t.test('wrong token → http 401; wrong CA → connection; --kubelet-insecure-tls accepts any certificate', async (t) => {
  const k = await kubelet(t, serve(summary));
  t.equal(await reason(client(t, { credentials: async () => ({ Authorization: 'Bearer nope' }) }).getMetrics(nodeAt('n', k.port))), 'http');
  const rogue = await createCA('rogue');
  t.equal(await reason(client(t, { tls: { ca: rogue.cert } }).getMetrics(nodeAt('n', k.port))), 'connection', 'unverified serving certificate refused');
  t.equal(await reason(client(t, { tls: { rejectUnauthorized: false } }).getMetrics(nodeAt('n', k.port))), 'none');
});

t.test('client certificate authentication', async (t) => {
  const clientCa = await createCA('kubelet-client-ca');
  const cert = await issueCert(clientCa, { cn: 'metrics-server', clientAuth: true });
  const k = await kubelet(t, serve(summary), { clientCa: clientCa.cert });
  t.equal(await reason(client(t).getMetrics(nodeAt('n', k.port))), 'connection', 'no client certificate');
  t.equal(await reason(client(t, { tls: { ca: ca.cert, cert: cert.cert, key: cert.key } }).getMetrics(nodeAt('n', k.port))), 'none');
});

t.test('an aborted signal ends the request as a timeout', async (t) => {
  const k = await kubelet(t, hang);
  const c = client(t, { requestTimeoutMs: 5000 });
  const started = Date.now();
  const p = reason(c.getMetrics(nodeAt('n', k.port), AbortSignal.timeout(100)));
  t.equal(await p, 'timeout');
  t.ok(Date.now() - started < 1000);
  t.equal(c.inFlightCount, 0);
});

t.test('a signal stops only the requests it watches; the others keep their own timeout', async (t) => {
  const k = await kubelet(t, hang);
  const c = client(t, { requestTimeoutMs: 700 });
  const tick = new AbortController();
  const started = Date.now();
  const watched = reason(c.getMetrics(nodeAt('a', k.port), tick.signal));
  const other = reason(c.getMetrics(nodeAt('b', k.port)));
  await new Promise((r) => setTimeout(r, 150));
  t.equal(c.inFlightCount, 2, 'both in flight');
  tick.abort();
  t.equal(await watched, 'timeout', 'the watched request ends with the signal');
  t.ok(Date.now() - started < 500, 'at once');
  t.equal(c.inFlightCount, 1, 'the other is still in flight');
  t.equal(await other, 'timeout', 'the other ends at its own deadline');
  t.ok(Date.now() - started >= 650, 'not before it');
  t.equal(c.inFlightCount, 0);
});

t.test('credentials are re-read after their TTL', async (t) => {
  const k = await kubelet(t, serve(summary));
  let calls = 0;
  const c = client(t, {
    credentialsTtlMs: 0,
    credentials: async () => {
      calls++;
      return { Authorization: `Bearer ${TOKEN}` };
    },
  });
  await c.getMetrics(nodeAt('n', k.port));
  await new Promise((r) => setTimeout(r, 5));
  await c.getMetrics(nodeAt('n', k.port));
  t.equal(calls, 2);
});

t.test('a chunked body (no Content-Length, as Go writes large responses) decodes like a declared one; buffers are reused', async (t) => {
  // Odd-sized pieces with pauses between them, so the body arrives in many chunks.
  const chunked: Behaviour = (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    let at = 0;
    const next = () => {
      if (at >= summary.length) return void res.end();
      res.write(summary.subarray(at, at + 3001));
      at += 3001;
      setImmediate(next);
    };
    next();
  };
  const plain = await kubelet(t, serve(summary));
  const streamed = await kubelet(t, chunked);
  const c = client(t);
  const expected = await c.getMetrics(nodeAt('minikube', plain.port));
  for (let i = 0; i < 3; i++) {
    const got = await c.getMetrics(nodeAt('minikube-chunked', streamed.port));
    t.same(got, expected, `scrape ${i + 1} of the chunked kubelet`);
  }
  // Both nodes at once: neither decode sees the other's bytes.
  const [a, b] = await Promise.all([c.getMetrics(nodeAt('minikube', plain.port)), c.getMetrics(nodeAt('minikube-chunked', streamed.port))]);
  t.same(a, expected);
  t.same(b, expected);
});

/** Answers 200 with body gzipped as a kubelet's promhttp handler does when asked: chunked, in pieces. */
const gzipped =
  (body: Buffer, opts: { encoding?: string; asked?: (v: string | undefined) => void } = {}): Behaviour =>
  (req, res) => {
    opts.asked?.(req.headers['accept-encoding']);
    res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4', 'content-encoding': opts.encoding ?? 'gzip' });
    for (let at = 0; at < body.length; at += 1000) res.write(body.subarray(at, at + 1000));
    res.end();
  };

t.test('the client asks for gzip, as Go\'s does; a gzipped body decodes as the plain one', async (t) => {
  const asked: (string | undefined)[] = [];
  const plain = await kubelet(t, serve(resource, 'text/plain'));
  const zipped = await kubelet(t, gzipped(gzipSync(resource), { asked: (v) => asked.push(v) }));
  const c = client(t, { source: 'resource' });
  const expected = await c.getMetrics(nodeAt('kind', plain.port));
  for (let i = 0; i < 3; i++) t.same(await c.getMetrics(nodeAt('kind-gzip', zipped.port)), expected, `gzipped scrape ${i + 1}`);
  t.same(asked, ['gzip', 'gzip', 'gzip'], 'Accept-Encoding: gzip on every request');
  t.equal(zipped.connections, 1, 'the connection is kept alive');
  // Both at once, and the summary source too (a kubelet never gzips it, but may).
  const [a, b] = await Promise.all([c.getMetrics(nodeAt('kind', plain.port)), c.getMetrics(nodeAt('kind-gzip', zipped.port))]);
  t.same(a, expected);
  t.same(b, expected);
  const s = client(t);
  const summaryZipped = await kubelet(t, gzipped(gzipSync(summary)));
  const summaryPlain = await kubelet(t, serve(summary));
  t.same(await s.getMetrics(nodeAt('m', summaryZipped.port)), await s.getMetrics(nodeAt('m', summaryPlain.port)), 'a gzipped summary');
});

t.test('a gzipped body that is bad, too large inflated, or in another encoding fails that node only', async (t) => {
  const c = client(t, { source: 'resource', maxResponseBytes: 256 * 1024 });
  const good = gzipSync(resource);
  const cases: [string, Behaviour, string][] = [
    ['corrupt', gzipped(Buffer.concat([good.subarray(0, 100), Buffer.alloc(200, 0xff)])), 'decode'],
    ['truncated', gzipped(good.subarray(0, good.length >> 1)), 'decode'],
    ['bomb', gzipped(gzipSync(Buffer.alloc(64 * 1024 * 1024, '# x\n'), { level: 9 })), 'size'],
    ['br', gzipped(resource, { encoding: 'br' }), 'decode'],
  ];
  const fine = await kubelet(t, gzipped(good));
  for (const [what, behaviour, want] of cases) {
    const k = await kubelet(t, behaviour);
    t.equal(await reason(c.getMetrics(nodeAt(what, k.port))), want, what);
    t.ok((await c.getMetrics(nodeAt('fine', fine.port))).node, `${what}: the next gzipped body decodes`);
  }
});

t.test('released scrapes are reused without one node ever seeing another node\'s points', async (t) => {
  const other = readFileSync(fixturePath('kubelet', 'summary', 'nri-k8s-1.35.json'));
  const a = await kubelet(t, serve(summary));
  const b = await kubelet(t, serve(other));
  const c = client(t);
  const fresh = client(t);
  const wantA = structuredClone(await fresh.getMetrics(nodeAt('a', a.port)));
  const wantB = structuredClone(await fresh.getMetrics(nodeAt('b', b.port)));
  t.notSame(wantA.pods, wantB.pods);
  let held: NodeScrape[] = [];
  for (let round = 0; round < 6; round++) {
    // Both nodes in flight at once, decoded in either order; the previous round's scrapes released meanwhile.
    const pending = [c.getMetrics(nodeAt('a', a.port)), c.getMetrics(nodeAt('b', b.port))];
    for (const s of held) c.release(s);
    held = await Promise.all(pending);
    t.same(held[0], wantA, `round ${round}: node a`);
    t.same(held[1], wantB, `round ${round}: node b`);
  }
});

t.test('a kept-alive connection the kubelet closed as it was reused: the request goes once more on a new one', async (t) => {
  // Every request after the first on a connection is dropped without an answer, as a kubelet closing an idle connection.
  const perSocket = new WeakMap<object, number>();
  const closesReused: Behaviour = (req, res) => {
    const n = (perSocket.get(req.socket) ?? 0) + 1;
    perSocket.set(req.socket, n);
    if (n > 1) req.socket.destroy();
    else serve(summary)(req, res);
  };
  const k = await kubelet(t, closesReused);
  const c = client(t);
  await c.getMetrics(nodeAt('n', k.port));
  const again = await c.getMetrics(nodeAt('n', k.port));
  t.ok(again.pods.length > 0, 'answered on a new connection');
  t.equal(k.connections, 2);

  // Once only: a kubelet that drops every request but the first fails the scrape after one retry.
  let seen = 0;
  const dropsAllButFirst: Behaviour = (req, res) => {
    if (++seen > 1) req.socket.destroy();
    else serve(summary)(req, res);
  };
  const k2 = await kubelet(t, dropsAllButFirst);
  await c.getMetrics(nodeAt('m', k2.port));
  t.equal(await reason(c.getMetrics(nodeAt('m', k2.port))), 'connection');
  t.equal(seen, 3, 'the first scrape, the second, and one retry');
});

t.test('a response without length ends with the connection; the next scrape reconnects', async (t) => {
  const untilClose: Behaviour = (req) => {
    req.socket.end(`HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n${summary.toString('latin1')}`, 'latin1');
  };
  const k = await kubelet(t, untilClose);
  const plain = await kubelet(t, serve(summary));
  const c = client(t);
  const want = await c.getMetrics(nodeAt('plain', plain.port));
  t.same(await c.getMetrics(nodeAt('n', k.port)), want);
  t.same(await c.getMetrics(nodeAt('n', k.port)), want);
  t.equal(k.connections, 2, 'one connection per response');
});

t.test('connections idle for longer than the keep-alive are closed as a tick starts', async (t) => {
  const k = await kubelet(t, serve(summary));
  // A connection's last use is when its last request was sent, so the first one's
  // TLS handshake counts against the keep-alive: a second leaves room for slow machines.
  const c = client(t, { keepAliveMs: 1000 });
  await c.getMetrics(nodeAt('n', k.port));
  c.retainNodes(new Set(['n']));
  await c.getMetrics(nodeAt('n', k.port));
  t.equal(k.connections, 1, 'used within the keep-alive: kept');
  await new Promise((r) => setTimeout(r, 1100));
  c.retainNodes(new Set(['n']));
  await c.getMetrics(nodeAt('n', k.port));
  t.equal(k.connections, 2, 'idle past it: a new connection');
  t.equal(c.poolCount, 1);
});

t.test('a credential with a line break is refused before anything is sent', async (t) => {
  const k = await kubelet(t, serve(summary));
  const c = client(t, { credentials: async () => ({ Authorization: `Bearer ${TOKEN}\r\nX-Injected: 1` }) });
  t.equal(await reason(c.getMetrics(nodeAt('n', k.port))), 'connection');
  t.same(k.paths, [], 'no request reached the kubelet');
});

t.test('a rotated token is sent from the next request on', async (t) => {
  const k = await kubelet(t, serve(summary));
  let token = 'stale-token';
  const c = client(t, { credentialsTtlMs: 0, credentials: async () => ({ Authorization: `Bearer ${token}` }) });
  t.equal(await reason(c.getMetrics(nodeAt('n', k.port))), 'http', 'the old token is refused');
  token = TOKEN;
  await new Promise((r) => setTimeout(r, 5));
  t.equal(await reason(c.getMetrics(nodeAt('n', k.port))), 'none', 'the new one is sent');
  await new Promise((r) => setTimeout(r, 5));
  t.equal(await reason(c.getMetrics(nodeAt('n', k.port))), 'none', 'and kept while unchanged');
});

t.test('a response cut off after its head is a failure, not a reason to send the request again', async (t) => {
  // The first request on a connection is answered; later ones get a head and then the connection closes.
  const perSocket = new WeakMap<object, number>();
  let requests = 0;
  const headThenClose: Behaviour = (req, res) => {
    requests++;
    const n = (perSocket.get(req.socket) ?? 0) + 1;
    perSocket.set(req.socket, n);
    if (n > 1) req.socket.end('HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n');
    else serve(summary)(req, res);
  };
  const k = await kubelet(t, headThenClose);
  const c = client(t);
  await c.getMetrics(nodeAt('n', k.port));
  t.equal(await reason(c.getMetrics(nodeAt('n', k.port))), 'connection');
  t.equal(requests, 2, 'not sent a third time');
});
