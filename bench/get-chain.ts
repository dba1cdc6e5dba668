// Profiling aid (not part of npm run bench): the single-pod GET's request chain
// as app.ts wires it (in-flight limit → request timeout → resource GET:
// front-proxy authentication, cached SubjectAccessReview, negotiation, the
// cached object, self-metrics) called in process with Node.js's own request and
// response objects over sockets that discard the bytes, against a handler that
// writes the same bytes. No TLS, HTTP parser or kernel: what the chain itself
// costs, far steadier than a load over sockets on a shared machine. In the server,
// between TLS, the parser and the kernel, the same code costs three to four times
// as much (bench/PERFORMANCE.md, Single-pod GET vs bare).
//
// With --other=<dist directory of another build> the two builds' chains run in
// one process in alternating rounds, and the medians are compared (A/B).
//   node dist/bench/get-chain.js [rounds] [--other=/path/to/dist]
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { IncomingMessage, ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import type { PodMeta, PodUsage } from '../src/api/sources.js';
import { parseOptions } from '../src/options.js';
import { createCA, issueCert } from '../src/util/pki.js';

type Listener = (req: IncomingMessage, res: ServerResponse) => void;

const rounds = Number(process.argv.slice(2).find((a) => /^\d+$/.test(a)) ?? 20);
const other = process.argv.find((a) => a.startsWith('--other='))?.slice(8);
const PER_ROUND = 20_000;
const IN_FLIGHT = 50;
const PATH = '/apis/metrics.k8s.io/v1beta1/namespaces/default/pods/web-1';
/** As kube-apiserver's aggregator forwards the HPA's request. */
const HEADERS = [
  'Host', '10.96.0.10:443',
  'User-Agent', 'kube-controller-manager/v1.35.0 (linux/amd64) kubernetes/abcdef0/system:serviceaccount:kube-system:horizontal-pod-autoscaler',
  'Accept', 'application/vnd.kubernetes.protobuf',
  'X-Remote-User', 'system:serviceaccount:kube-system:horizontal-pod-autoscaler',
  'X-Remote-Group', 'system:serviceaccounts',
  'X-Remote-Group', 'system:authenticated',
  'X-Forwarded-For', '10.0.0.1',
  'Accept-Encoding', 'gzip',
];

const dir = mkdtempSync(join(tmpdir(), 'get-chain-'));
const clientCA = await createCA('client-ca');
const proxyCA = await createCA('front-proxy-ca');
const proxy = await issueCert(proxyCA, { cn: 'front-proxy-client', clientAuth: true });
const proxyDer = new X509Certificate(proxy.cert).raw;
writeFileSync(join(dir, 'client-ca.crt'), clientCA.cert);
writeFileSync(join(dir, 'front-proxy-ca.crt'), proxyCA.cert);
// As a deployment behind kube-apiserver's aggregator runs it (CA files instead of the ConfigMap).
const options = parseOptions([
  `--client-ca-file=${join(dir, 'client-ca.crt')}`,
  `--requestheader-client-ca-file=${join(dir, 'front-proxy-ca.crt')}`,
  '--requestheader-allowed-names=front-proxy-client',
  '--authentication-skip-lookup',
  '--authorization-webhook-cache-authorized-ttl=1h',
]);

/** A TLS connection as the chain sees it: the front proxy's certificate; written bytes dropped. */
class Connection extends Writable {
  constructor() {
    super({ write: (_chunk, _enc, cb) => cb(), writev: (_chunks, cb) => cb() });
  }
  getPeerCertificate(): { raw: Buffer } {
    return { raw: proxyDer };
  }
  isSessionReused(): boolean {
    return false;
  }
  setTimeout(): this {
    return this;
  }
}
const connections = Array.from({ length: IN_FLIGHT }, () => new Connection());

/** One request through `listener` on `conn`, as node:http's server hands it over. */
function request(listener: Listener, conn: Connection): ServerResponse {
  const req = new IncomingMessage(conn as never);
  req.method = 'GET';
  req.url = PATH;
  req.httpVersionMajor = 1;
  req.httpVersionMinor = 1;
  req.httpVersion = '1.1';
  // The parser's call: rawHeaders and the field count the header views are built with.
  (req as unknown as { _addHeaderLines(h: string[], n: number): void })._addHeaderLines([...HEADERS], HEADERS.length);
  void req.headers; // built by node:http for every HTTP/1.1 request (the Host check)
  const res = new ServerResponse(req);
  res.shouldKeepAlive = true;
  res.assignSocket(conn as never);
  // node:http's own 'close' after 'finish' (the in-flight limit counts on it).
  res.once('finish', () => {
    res.detachSocket(conn as never);
    res.emit('close');
  });
  listener(req, res);
  return res;
}

/** The chain of the build whose compiled sources are under `root` (a dist directory). */
async function chainOf(root: string): Promise<Listener> {
  const at = (p: string) => import(join(root, p)) as Promise<unknown>;
  const authn = (await at('src/server/authn/index.js')) as typeof import('../src/server/authn/index.js');
  const authz = (await at('src/server/authz/index.js')) as typeof import('../src/server/authz/index.js');
  const { withResourceGet } = (await at('src/server/resource-get.js')) as typeof import('../src/server/resource-get.js');
  const { withRequestTimeout } = (await at('src/server/request-timeout.js')) as typeof import('../src/server/request-timeout.js');
  const { withMaxInFlight } = (await at('src/server/max-in-flight.js')) as typeof import('../src/server/max-in-flight.js');
  const { ObjectResponses } = (await at('src/api/object-responses.js')) as typeof import('../src/api/object-responses.js');
  const { createSelfMetrics } = (await at('src/server/self-metrics.js')) as typeof import('../src/server/self-metrics.js');
  const { silentLogger } = (await at('src/log.js')) as typeof import('../src/log.js');
  const metrics = createSelfMetrics({ resolutionSec: 15 });
  const allowPaths = options.authorizationAlwaysAllowPaths;
  const authenticator = await authn.createAuthenticator(options, { observer: metrics.auth });
  const authorizer = authz.createAuthorizer(options, {
    subjectAccessReviewer: { review: async () => ({ allowed: true, reason: 'RBAC: allowed' }) },
    observer: metrics.auth,
  });
  const usage: PodUsage = {
    timestampMs: Date.now() - 5_000,
    windowNs: 15e9,
    containers: [
      { name: 'app', usage: { cpuNanocores: 4_735_432, memoryBytes: 12_345_678 } },
      { name: 'sidecar', usage: { cpuNanocores: 50_000_000, memoryBytes: 12_230_656 } },
    ],
  };
  const pod: PodMeta = { namespace: 'default', name: 'web-1', labels: { app: 'web' } };
  const deps = {
    metrics: { revision: 1, getNodeUsage: () => [], getPodUsage: (keys: readonly unknown[]) => keys.map(() => usage) },
    nodes: { revision: 1, list: () => [], get: () => undefined },
    pods: { revision: 1, list: () => [pod], get: (ns: string, name: string) => (ns === pod.namespace && name === pod.name ? pod : undefined) },
    securePort: 443,
    observer: metrics.api,
  };
  const log = silentLogger();
  const koa: Listener = () => {
    throw new Error('the request left the resource GET path');
  };
  const listener = withMaxInFlight(withRequestTimeout(withResourceGet({ authenticator, allowPaths, authorizer, responses: new ObjectResponses(deps), log }, koa)));
  // The chain must answer 200 (a 401 or 403 would measure the wrong path).
  const res = request(listener, connections[0]!);
  await new Promise((r) => setImmediate(r));
  if (res.statusCode !== 200) throw new Error(`${root}: the chain answered ${res.statusCode}`);
  return listener;
}

/** A handler sending our answer's bytes at once, as bench's bare server does. */
async function bareOf(listener: Listener): Promise<Listener> {
  let body: Buffer | undefined;
  let contentType = '';
  const capture: Listener = (req, res) => {
    const end = res.end.bind(res) as (chunk: Buffer) => ServerResponse;
    res.end = ((chunk: Buffer) => {
      body = Buffer.from(chunk);
      contentType = String(res.getHeader('content-type'));
      return end(chunk);
    }) as typeof res.end;
    listener(req, res);
  };
  request(capture, connections[0]!);
  await new Promise((r) => setImmediate(r));
  if (!body) throw new Error('no body to compare with');
  const bytes = body;
  return (_req, res) => {
    res.writeHead(200, { 'Content-Type': contentType, 'Content-Length': bytes.length });
    res.end(bytes);
  };
}

/** µs per request over n requests, IN_FLIGHT at a time (their writes complete before the next batch). */
async function run(listener: Listener, n: number): Promise<number> {
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < n; i += IN_FLIGHT) {
    for (let j = 0; j < IN_FLIGHT; j++) request(listener, connections[j]!);
    await new Promise((r) => setImmediate(r));
  }
  return Number(process.hrtime.bigint() - t0) / n / 1000;
}

const median = (v: number[]) => [...v].sort((a, b) => a - b)[v.length >> 1]!;
const here = resolve(fileURLToPath(import.meta.url), '../..');
try {
  const ours = await chainOf(here);
  const [label, baseline] = other ? [`other build (${other})`, await chainOf(resolve(other))] : ['bare handler', await bareOf(ours)];
  await run(ours, PER_ROUND);
  await run(baseline, PER_ROUND);
  const a: number[] = [];
  const b: number[] = [];
  for (let i = 0; i < rounds; i++) {
    // Each pair in the other order than the last, so that neither always runs right after a collection.
    if (i % 2 === 0) {
      a.push(await run(ours, PER_ROUND));
      b.push(await run(baseline, PER_ROUND));
    } else {
      b.push(await run(baseline, PER_ROUND));
      a.push(await run(ours, PER_ROUND));
    }
  }
  const [ma, mb] = [median(a), median(b)];
  process.stdout.write(`GET chain in process, ${rounds} rounds of ${PER_ROUND} requests (${IN_FLIGHT} in flight):\n`);
  process.stdout.write(`  this build: ${ma.toFixed(2)} µs per request (median; rounds ${a.map((x) => x.toFixed(1)).join(' ')})\n`);
  process.stdout.write(`  ${label}: ${mb.toFixed(2)} µs per request (median; rounds ${b.map((x) => x.toFixed(1)).join(' ')})\n`);
  process.stdout.write(`  ratio: ${(ma / mb).toFixed(3)}\n`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
// The authenticators' file watchers would keep the process alive.
process.exit(0);
