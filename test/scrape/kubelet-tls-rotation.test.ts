// Kubelet client certificate and CA rotation over real TLS: the files are
// rewritten as cert-manager or kubeadm would, and the kubelet checks which
// client certificate each request came with.
import t from 'tap';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TLSSocket } from 'node:tls';
import { createCA, issueCert, type IssuedCert } from '../../src/util/pki.js';
import { KubeletClient, type KubeletClientConfig } from '../../src/scrape/kubelet-client.js';
import { ScrapeError } from '../../src/scrape/scrape-error.js';
import { createLogger } from '../../src/log.js';
import type { NodeInfo } from '../../src/kube/node-info.js';
import { fixturePath } from '../helpers/paths.js';
import { FakeKubelet, serve, type Behaviour } from './fake-kubelet.js';

const TOKEN = 'kubelet-test-token';
const RELOAD_MS = 50;
const summary = readFileSync(fixturePath('kubelet', 'summary', 'otel-minikube-1.json'));

let ca: IssuedCert;
let serving: IssuedCert;
let clientCa: IssuedCert;
let cert1: IssuedCert;
let cert2: IssuedCert;
t.before(async () => {
  ca = await createCA('kubelet-ca');
  serving = await issueCert(ca, { cn: 'kubelet', ips: ['127.0.0.1'], serverAuth: true });
  clientCa = await createCA('kubelet-client-ca');
  cert1 = await issueCert(clientCa, { cn: 'metrics-server-1', clientAuth: true });
  cert2 = await issueCert(clientCa, { cn: 'metrics-server-2', clientAuth: true });
});

type Tap = { teardown(fn: () => unknown): void };

/** A kubelet that requires a client certificate from clientCa and answers only the one named accepted; seen lists each request's. */
async function kubelet(t: Tap, opts: { serving?: IssuedCert; hold?: boolean } = {}) {
  const state = { accepted: 'metrics-server-1', seen: [] as string[], held: [] as (() => void)[] };
  const behaviour: Behaviour = (req, res) => {
    const cn = String((req.socket as TLSSocket).getPeerCertificate().subject.CN);
    state.seen.push(cn);
    const answer = () => (cn === state.accepted ? serve(summary)(req, res) : res.writeHead(401).end('Unauthorized'));
    if (opts.hold) state.held.push(answer);
    else answer();
  };
  const k = await new FakeKubelet({ serving: opts.serving ?? serving, token: TOKEN, behaviour, clientCa: clientCa.cert }).listen();
  t.teardown(() => k.close());
  return Object.assign(state, { k });
}

/** Files as a Secret volume holds them. */
function secretDir(t: Tap, files: Record<string, string>): { path: (name: string) => string; write: (name: string, body: string) => void } {
  const dir = mkdtempSync(join(tmpdir(), 'kubelet-tls-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const path = (name: string) => join(dir, name);
  const write = (name: string, body: string) => writeFileSync(path(name), body);
  for (const [name, body] of Object.entries(files)) write(name, body);
  return { path, write };
}

type Entry = { level: string; msg: string; err?: string };

/** Log entries, parsed. */
function logs(): { entries: Entry[]; log: ReturnType<typeof createLogger> } {
  const entries: Entry[] = [];
  return { entries, log: createLogger(0, 'json', { write: (line: string) => entries.push(JSON.parse(line)) }) };
}

function client(t: Tap, cfg: Partial<KubeletClientConfig>, log?: ReturnType<typeof createLogger>): KubeletClient {
  const c = new KubeletClient(
    {
      source: 'summary',
      port: 1,
      useNodeStatusPort: true,
      preferredAddressTypes: ['InternalIP'],
      tls: { ca: ca.cert },
      credentials: async () => ({ Authorization: `Bearer ${TOKEN}` }),
      requestTimeoutMs: 5000,
      maxResponseBytes: 1024 * 1024,
      tlsReloadMs: RELOAD_MS,
      ...cfg,
    },
    { log },
  );
  t.teardown(() => c.close());
  return c;
}

function nodeAt(name: string, port: number): NodeInfo {
  return { name, labels: {}, addresses: [{ type: 'InternalIP', address: '127.0.0.1' }], kubeletPort: port, ready: true };
}

async function reason(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'none';
  } catch (e) {
    return e instanceof ScrapeError ? e.reason : `not a ScrapeError: ${String(e)}`;
  }
}

/** Polls cond until it holds (true) or 100 reload intervals passed (false). */
async function until(cond: () => boolean): Promise<boolean> {
  for (const end = Date.now() + 100 * RELOAD_MS; Date.now() < end; await new Promise((r) => setTimeout(r, 10))) if (cond()) return true;
  return cond();
}

const rotated = (entries: Entry[]) => entries.filter((e) => e.msg.startsWith('kubelet client TLS files changed')).length;
/** Warnings that a changed set was rejected, with err matching. */
const rejected = (entries: Entry[], err: RegExp = /./) => entries.filter((e) => e.level === 'warn' && e.msg.startsWith('rejected changed files') && err.test(e.err ?? '')).length;

t.test('a rotated client certificate is presented from the next scrape on; the idle kept-alive connection closes at once', async (t) => {
  const kl = await kubelet(t);
  const files = secretDir(t, { 'tls.crt': cert1.cert, 'tls.key': cert1.key });
  const { entries, log } = logs();
  const c = client(t, { tls: { ca: ca.cert, cert: cert1.cert, key: cert1.key }, tlsFiles: { cert: files.path('tls.crt'), key: files.path('tls.key') } }, log);
  const n = nodeAt('n', kl.k.port);
  t.equal(await reason(c.getMetrics(n)), 'none');
  t.equal(await reason(c.getMetrics(n)), 'none');
  t.equal(kl.k.connections, 1, 'kept alive while the files do not change');

  // Renewal: the new pair is written and the kubelet (its CA) accepts only it from now on.
  files.write('tls.key', cert2.key);
  files.write('tls.crt', cert2.cert);
  kl.accepted = 'metrics-server-2';
  t.ok(await until(() => kl.k.open === 0), 'the idle connection is closed without waiting for a scrape');
  t.equal(rotated(entries), 1, 'the rotation is logged');
  t.equal(await reason(c.getMetrics(n)), 'none', 'the next scrape is accepted');
  t.same(kl.seen, ['metrics-server-1', 'metrics-server-1', 'metrics-server-2']);
  t.equal(kl.k.connections, 2, 'on a new connection');

  // Closed: the files are no longer re-read.
  await c.close();
  files.write('tls.key', cert1.key);
  files.write('tls.crt', cert1.cert);
  await new Promise((r) => setTimeout(r, 4 * RELOAD_MS));
  t.equal(rotated(entries), 1, 'no reload after close');
});

t.test('a request in flight as the certificate rotates completes on its connection, which then closes', async (t) => {
  const kl = await kubelet(t, { hold: true });
  const files = secretDir(t, { 'tls.crt': cert1.cert, 'tls.key': cert1.key });
  const { entries, log } = logs();
  const c = client(t, { tls: { ca: ca.cert, cert: cert1.cert, key: cert1.key }, tlsFiles: { cert: files.path('tls.crt'), key: files.path('tls.key') } }, log);
  const n = nodeAt('n', kl.k.port);
  const inFlight = reason(c.getMetrics(n));
  t.ok(await until(() => kl.held.length === 1), 'the request reached the kubelet');

  files.write('tls.key', cert2.key);
  files.write('tls.crt', cert2.cert);
  t.ok(await until(() => rotated(entries) === 1), 'rotated');
  t.equal(kl.k.open, 1, 'the busy connection stays open');
  kl.held.shift()!();
  t.equal(await inFlight, 'none', 'its response is read to the end');
  t.ok(await until(() => kl.k.open === 0), 'then the connection closes');

  kl.accepted = 'metrics-server-2';
  const next = reason(c.getMetrics(n));
  t.ok(await until(() => kl.held.length === 1));
  kl.held.shift()!();
  t.equal(await next, 'none');
  t.same(kl.seen, ['metrics-server-1', 'metrics-server-2']);
  t.equal(kl.k.connections, 2);
});

t.test('a half-written pair (key not matching the certificate) keeps the old one until the pair is whole', async (t) => {
  const kl = await kubelet(t);
  const files = secretDir(t, { 'tls.crt': cert1.cert, 'tls.key': cert1.key });
  const { entries, log } = logs();
  const c = client(t, { tls: { ca: ca.cert, cert: cert1.cert, key: cert1.key }, tlsFiles: { cert: files.path('tls.crt'), key: files.path('tls.key') } }, log);
  const n = nodeAt('n', kl.k.port);
  t.equal(await reason(c.getMetrics(n)), 'none');

  files.write('tls.crt', cert2.cert);
  t.ok(await until(() => rejected(entries, /key values mismatch/) > 0), 'the mismatched pair is rejected with a warning');
  t.equal(rotated(entries), 0);
  t.equal(await reason(c.getMetrics(n)), 'none', 'the old certificate is still presented');
  t.equal(kl.k.connections, 1, 'on the same connection');

  files.write('tls.key', cert2.key);
  kl.accepted = 'metrics-server-2';
  t.ok(await until(() => rotated(entries) === 1), 'the whole pair is taken');
  t.equal(await reason(c.getMetrics(n)), 'none');
  t.same(kl.seen, ['metrics-server-1', 'metrics-server-1', 'metrics-server-2']);
  t.equal(kl.k.connections, 2);
});

t.test('a rotated CA file is trusted from the next connection; a cut-off one is refused', async (t) => {
  const newCa = await createCA('kubelet-ca-2');
  const kl = await kubelet(t, { serving: await issueCert(newCa, { cn: 'kubelet', ips: ['127.0.0.1'], serverAuth: true }) });
  const files = secretDir(t, { 'ca.crt': ca.cert, 'tls.crt': cert1.cert, 'tls.key': cert1.key });
  const { entries, log } = logs();
  const c = client(
    t,
    { tls: { ca: ca.cert, cert: cert1.cert, key: cert1.key }, tlsFiles: { ca: files.path('ca.crt'), cert: files.path('tls.crt'), key: files.path('tls.key') } },
    log,
  );
  const n = nodeAt('n', kl.k.port);
  t.equal(await reason(c.getMetrics(n)), 'connection', 'the kubelet serves from a CA not trusted yet');

  files.write('ca.crt', ca.cert + newCa.cert.slice(0, 200));
  t.ok(await until(() => rejected(entries, /cut-off/) > 0), 'a bundle ending in a cut-off certificate is rejected');
  files.write('ca.crt', '');
  t.ok(await until(() => rejected(entries, /empty/) > 0), 'so is an empty one');
  files.write('ca.crt', 'not a certificate');
  t.ok(await until(() => rejected(entries, /no certificate/) > 0), 'and one without a certificate');
  t.equal(rotated(entries), 0);

  files.write('ca.crt', ca.cert + newCa.cert);
  t.ok(await until(() => rotated(entries) === 1), 'the whole bundle is taken');
  t.equal(await reason(c.getMetrics(n)), 'none');
  t.same(kl.seen, ['metrics-server-1'], 'the client certificate unchanged');
});
