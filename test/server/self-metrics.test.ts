import t from 'tap';
import Koa from 'koa';
import { createRequire } from 'node:module';
import { Agent, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SELF_METRICS, bucketsForScrapeDuration, createSelfMetrics, metricsMiddleware } from '../../src/server/self-metrics.js';

interface Sample {
  labels?: Record<string, string>;
  value?: string;
  buckets?: Record<string, string>;
  count?: string;
  sum?: string;
}
interface Family {
  name: string;
  help: string;
  type: string;
  metrics: Sample[];
}
// The parser ships no types; this is the shape it returns.
const parse = createRequire(import.meta.url)('parse-prometheus-text-format') as (text: string) => Family[];

function family(text: string, name: string): Family | undefined {
  return parse(text).find((f) => f.name === name);
}

/** What one scrape tick reports, in the order the scraper, store and API report it. */
function tick(m: ReturnType<typeof createSelfMetrics>, nodes: string[]): void {
  for (const n of nodes) m.scrape.kubeletRequest(n, 0.02, true);
  m.scrape.kubeletRequest('broken', 10, false, 'timeout');
  m.store.points(nodes.length, nodes.length * 3);
  m.store.evicted('container', 'stale', 2);
  m.scrape.tick(0.5);
}

t.test('every family is exported after a tick, with upstream names, help and types', async (t) => {
  const now = 1_700_000_000_500;
  const m = createSelfMetrics({ resolutionSec: 15, now: () => now });
  tick(m, ['node-a', 'node-b']);
  m.api.freshness(3.2);
  m.auth.cacheHit('token');
  m.auth.cacheMiss('authorization');
  m.watch.watchOpened('pods');
  m.watch.watchOpened('nodes');
  m.watch.watchClosed('nodes');
  m.watch.relist('pods', 'gone');
  const text = await m.registry.metrics();

  const expected: Record<string, { type: string; help: string }> = {
    metrics_server_api_metric_freshness_seconds: { type: 'HISTOGRAM', help: '[ALPHA] Freshness of metrics exported' },
    metrics_server_kubelet_last_request_time_seconds: { type: 'GAUGE', help: '[ALPHA] Time of last request performed to Kubelet API since unix epoch in seconds' },
    metrics_server_kubelet_request_duration_seconds: { type: 'HISTOGRAM', help: '[ALPHA] Duration of requests to Kubelet API in seconds' },
    metrics_server_kubelet_request_total: { type: 'COUNTER', help: '[ALPHA] Number of requests sent to Kubelet API' },
    metrics_server_manager_tick_duration_seconds: { type: 'HISTOGRAM', help: '[ALPHA] The total time spent collecting and storing metrics in seconds.' },
    metrics_server_storage_points: { type: 'GAUGE', help: '[ALPHA] Number of metrics points stored.' },
  };
  for (const [name, want] of Object.entries(expected)) {
    const f = family(text, name);
    t.ok(f, `${name} present`);
    t.equal(f?.type, want.type, `${name} type`);
    t.equal(f?.help, want.help, `${name} help as upstream`);
  }
  for (const def of Object.values(SELF_METRICS)) {
    t.ok(family(text, def.name)?.metrics.length, `${def.name} has samples`);
  }
  t.ok(family(text, 'process_cpu_user_seconds_total'), 'process defaults');
  t.ok(family(text, 'nodejs_heap_size_total_bytes'), 'Node.js defaults');

  const last = family(text, 'metrics_server_kubelet_last_request_time_seconds')!;
  t.same(last.metrics.find((s) => s.labels?.['node'] === 'node-a')?.value, '1700000000', 'whole seconds since epoch');
  const total = family(text, 'metrics_server_kubelet_request_total')!;
  t.same(Object.fromEntries(total.metrics.map((s) => [s.labels!['success'], s.value])), { true: '2', false: '1' });
  const points = family(text, 'metrics_server_storage_points')!;
  t.same(Object.fromEntries(points.metrics.map((s) => [s.labels!['type'], s.value])), { node: '2', container: '6' });
  const failures = family(text, 'metrics_server_kubelet_scrape_failures_total')!;
  t.same(failures.metrics.map((s) => [s.labels, s.value]), [[{ reason: 'timeout' }, '1']]);
  const evictions = family(text, 'metrics_server_storage_evictions_total')!;
  t.same(evictions.metrics.map((s) => [s.labels, s.value]), [[{ kind: 'container', cause: 'stale' }, '2']]);
  const conns = family(text, 'metrics_server_watch_connections')!;
  t.same(Object.fromEntries(conns.metrics.map((s) => [s.labels!['resource'], s.value])), { pods: '1', nodes: '0' });
});

t.test('histogram buckets match upstream', async (t) => {
  const m = createSelfMetrics({ resolutionSec: 15, defaultMetrics: false });
  tick(m, ['n']);
  m.api.freshness(1);
  const text = await m.registry.metrics();
  // prom-client writes le first, client_golang last: compare values, not label order.
  const les = (name: string, label = ''): string[] =>
    [...text.matchAll(new RegExp(`^${name}_bucket\\{([^}]*)\\}`, 'gm'))]
      .filter((x) => x[1]!.includes(label))
      .map((x) => /\ble="([^"]+)"/.exec(x[1]!)![1]!);
  t.same(les('metrics_server_kubelet_request_duration_seconds', 'node="n"'), ['0.005', '0.01', '0.025', '0.05', '0.1', '0.25', '0.5', '1', '2.5', '5', '10', '+Inf']);
  t.same(les('metrics_server_manager_tick_duration_seconds'), ['0.005', '0.01', '0.025', '0.05', '0.1', '0.25', '0.5', '1', '2.5', '5', '10', '12.5', '15', '22.5', '30', '+Inf']);
  const fresh = les('metrics_server_api_metric_freshness_seconds');
  t.equal(fresh.length, 21);
  t.same(fresh.slice(0, 3), ['1', '1.364', '1.8604960000000004'], 'exponential(1, 1.364, 20) as upstream prints it');
});

t.test('bucketsForScrapeDuration follows upstream BucketsForScrapeDuration', async (t) => {
  const def = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
  t.same(bucketsForScrapeDuration(10), def, 'equal to the top bucket: unchanged');
  t.same(bucketsForScrapeDuration(60), [...def, 35, 60, 90, 120]);
  t.same(bucketsForScrapeDuration(3), [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 3, 5, 10], 'inserted in order');
  t.same(bucketsForScrapeDuration(5.002), def, 'too close to a bucket: unchanged');
});

t.test('per-node series are dropped for nodes gone for a few ticks, or on forgetNode', async (t) => {
  const m = createSelfMetrics({ defaultMetrics: false, nodeStaleTicks: 3 });
  const nodesIn = async (): Promise<string[]> => {
    const f = family(await m.registry.metrics(), 'metrics_server_kubelet_last_request_time_seconds');
    return (f?.metrics ?? []).map((s) => s.labels!['node']!).sort();
  };
  // The parser drops histogram labels, so read node="..." from the text.
  const durationNodes = async (): Promise<string[]> => {
    const text = await m.registry.metrics();
    return [...new Set([...text.matchAll(/^metrics_server_kubelet_request_duration_seconds_count\{node="([^"]+)"\}/gm)].map((x) => x[1]!))].sort();
  };
  tick(m, ['a', 'b', 'c']);
  t.same(await nodesIn(), ['a', 'b', 'broken', 'c']);
  tick(m, ['a', 'b']);
  tick(m, ['a', 'b']);
  t.same(await nodesIn(), ['a', 'b', 'broken', 'c'], 'c missing two ticks is kept');
  tick(m, ['a', 'b']);
  t.same(await nodesIn(), ['a', 'b', 'broken'], 'c missing three ticks is dropped');
  t.same(await durationNodes(), ['a', 'b', 'broken'], 'and its duration histogram too');
  m.forgetNode('b');
  t.same(await nodesIn(), ['a', 'broken'], 'forgetNode drops at once');

  // Churn: many short-lived nodes never accumulate.
  for (let i = 0; i < 50; i++) tick(m, [`churn-${i}`]);
  t.ok((await nodesIn()).length <= 4, 'bounded under node churn');
});

t.test('GET /metrics serves the registry as Prometheus text', async (t) => {
  const m = createSelfMetrics({ defaultMetrics: false });
  tick(m, ['n1']);
  const app = new Koa();
  app.use(metricsMiddleware(m.registry));
  app.use((ctx) => {
    ctx.status = 404;
  });
  const server = app.listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  t.teardown(() => new Promise<void>((r) => server.close(() => r())));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const res = await fetch(`${base}/metrics`);
  t.equal(res.status, 200);
  t.equal(res.headers.get('content-type'), m.registry.contentType);
  t.match(res.headers.get('content-type'), /^text\/plain; version=0\.0\.4/);
  const body = await res.text();
  t.ok(family(body, 'metrics_server_kubelet_request_total'), 'families in the body');
  t.equal(res.headers.get('content-encoding'), null, 'small bodies are not compressed');
  t.equal((await fetch(`${base}/metrics`, { method: 'POST' })).status, 404, 'only GET/HEAD');

  // A large cluster: per-node series push the body past 128 KiB.
  tick(m, Array.from({ length: 500 }, (_, i) => `node-${i}`));
  const big = await fetch(`${base}/metrics`, { headers: { 'accept-encoding': 'gzip' } });
  t.equal(big.headers.get('content-encoding'), 'gzip', 'large bodies are gzipped when accepted');
  const last = family(await big.text(), 'metrics_server_kubelet_last_request_time_seconds');
  t.equal(last?.metrics.length, 502, 'every node present after decompression');
  const plain = await fetch(`${base}/metrics`);
  t.equal(await plain.text(), await m.registry.metrics(), 'written a time slice at a time: the text the registry renders');
  t.equal((await fetch(`${base}/metricsx`)).status, 404);
});

t.test('HEAD /metrics of a body sent in slices: its length, no body, the connection still usable', async (t) => {
  const m = createSelfMetrics({ defaultMetrics: false });
  tick(m, Array.from({ length: 3000 }, (_, i) => `node-${i}`));
  const app = new Koa();
  app.use(metricsMiddleware(m.registry));
  const server = app.listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  t.teardown(() => new Promise<void>((r) => server.close(() => r())));
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  t.teardown(() => agent.destroy());
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/metrics`;
  const call = (method: string) =>
    new Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: Buffer }>((resolve, reject) => {
      request(url, { agent, method }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }));
      })
        .on('error', reject)
        .end();
    });
  const text = await m.registry.metrics();
  t.ok(Buffer.byteLength(text) > 1024 * 1024, `${Buffer.byteLength(text)} bytes: sent in slices`);
  const head = await call('HEAD');
  t.equal(head.status, 200);
  t.equal(head.headers['content-length'], String(Buffer.byteLength(text)), "the GET's Content-Length");
  t.equal(head.headers['transfer-encoding'], undefined, 'not chunked');
  t.equal(head.body.length, 0, 'no body');
  // Had the HEAD written its body, this response would be read from inside it.
  const get = await call('GET');
  t.equal(get.status, 200);
  t.equal(get.body.toString('utf8'), text, 'a GET on the same connection reads the whole text');
});
