// Scraper scheduling and bookkeeping with an in-memory kubelet client.

import t from 'tap';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { silentLogger } from '../../src/log.js';
import { parseLabelSelector } from '../../src/api/selectors/index.js';
import { MetricsStore } from '../../src/store/metrics-store.js';
import { FakeNodes, FakePods, startApi } from '../api/fakes.js';
import type { ScrapeFailureReason, ScrapeObserver } from '../../src/observers.js';
import type { NodeInfo } from '../../src/kube/node-info.js';
import type { KubeletMetricsGetter } from '../../src/scrape/kubelet-client.js';
import { ScrapeError } from '../../src/scrape/scrape-error.js';
import { Scraper, type ScraperConfig } from '../../src/scrape/scraper.js';
import type { MetricsBatch, NodeScrape } from '../../src/scrape/types.js';
import { BatchSink } from '../helpers/batch-sink.js';

const point = { timestampMs: 1_700_000_000_000, startTimeMs: 1_600_000_000_000, startSubMsNs: 0, cpuSec: 10, cpuNsec: 0, memoryBytes: 1024 };

function node(name: string, labels: Record<string, string> = {}, ready = true): NodeInfo {
  return { name, labels, addresses: [{ type: 'InternalIP', address: '10.0.0.1' }], kubeletPort: 10250, ready };
}

function scrapeOf(pods: [string, string][] = []): NodeScrape {
  return { node: point, pods: pods.map(([namespace, name]) => ({ namespace, name, containers: [{ ...point, name: 'c' }] })) };
}

/** A kubelet client answering from a function, recording concurrency. */
class FakeClient implements KubeletMetricsGetter {
  inFlight = 0;
  maxInFlight = 0;
  readonly calls: { node: string; at: number }[] = [];
  retained: string[] = [];
  constructor(private readonly answer: (node: NodeInfo, signal?: AbortSignal) => Promise<NodeScrape>) {}
  async getMetrics(node: NodeInfo, signal?: AbortSignal): Promise<NodeScrape> {
    this.calls.push({ node: node.name, at: Date.now() });
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    try {
      return await this.answer(node, signal);
    } finally {
      this.inFlight--;
    }
  }
  retainNodes(names: ReadonlySet<string>): void {
    this.retained = [...names].sort();
  }
}

const delay = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => {
      clearTimeout(timer);
      reject(new ScrapeError('timeout', 'aborted'));
    });
  });

/** A scraper with a BatchSink; tickBatch() resolves with what the tick handed to the sink. */
function scraper(nodes: NodeInfo[], client: KubeletMetricsGetter, extra: Partial<ScraperConfig> = {}): Scraper & { tickBatch(): Promise<MetricsBatch> } {
  const sink = new BatchSink();
  const s = new Scraper({ nodes: { list: () => nodes }, client, resolutionMs: 1000, timeoutMs: 500, concurrency: 4, sink, log: silentLogger(), ...extra });
  return Object.assign(s, {
    tickBatch: async () => {
      await s.tick();
      return sink.last;
    },
  });
}

function recorder() {
  const out: { node: string; success: boolean; reason?: ScrapeFailureReason }[] = [];
  const obs: ScrapeObserver = { kubeletRequest: (node, _d, success, reason) => out.push({ node, success, ...(reason ? { reason } : {}) }), tick() {} };
  return { out, obs };
}

function captureLog() {
  const lines: { level: number; msg: string; node?: string; reason?: string }[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, cb) {
      lines.push(JSON.parse(chunk.toString()));
      cb();
    },
  });
  return { lines, log: pino({ level: 'debug', base: undefined }, stream) };
}

t.test('--node-selector picks the nodes to scrape; pools of the others are released', async (t) => {
  const nodes = [node('gpu-1', { pool: 'gpu' }), node('gpu-spot', { pool: 'gpu', spot: 'true' }), node('cpu-1', { pool: 'cpu' })];
  const client = new FakeClient(async () => scrapeOf());
  const batch = await scraper(nodes, client, { nodeSelector: parseLabelSelector('pool=gpu,!spot') }).tickBatch();
  t.same(client.calls.map((c) => c.node), ['gpu-1']);
  t.same([...batch.nodes.keys()], ['gpu-1']);
  t.same(client.retained, ['gpu-1']);
  const all = new FakeClient(async () => scrapeOf());
  await scraper(nodes, all).tick();
  t.same(all.calls.map((c) => c.node).sort(), ['cpu-1', 'gpu-1', 'gpu-spot'], 'no selector: every node');
});

t.test('bounded concurrency, every node scraped once', async (t) => {
  const nodes = Array.from({ length: 40 }, (_, i) => node(`n${i}`));
  const client = new FakeClient(() => delay(15).then(() => scrapeOf()));
  const batch = await scraper(nodes, client, { concurrency: 5, resolutionMs: 5000 }).tickBatch();
  t.ok(client.maxInFlight <= 5, `at most 5 in flight (saw ${client.maxInFlight})`);
  t.ok(client.maxInFlight >= 2, 'but concurrent');
  t.equal(batch.nodes.size, 40);
  t.equal(new Set(client.calls.map((c) => c.node)).size, 40);
});

t.test('requests are staggered over min(8 ms × nodes, 4 s)', async (t) => {
  const nodes = Array.from({ length: 10 }, (_, i) => node(`n${i}`));
  const client = new FakeClient(async () => scrapeOf());
  const start = Date.now();
  let i = 0;
  // Delays 0, 0.1, ..., 0.9 of the 80 ms window.
  await scraper(nodes, client, { concurrency: 10, random: () => (i++ % 10) / 10 }).tick();
  const offsets = client.calls.map((c) => c.at - start);
  t.ok(Math.max(...offsets) >= 65, `the last request waited about 72 ms (${Math.max(...offsets)})`);
  t.ok(Math.min(...offsets) < 30, 'the first did not');
  t.ok(Math.max(...offsets) < 400, 'never beyond the window by much');
});

t.test('the stagger window is at most a fifth of the resolution, so the tick stays within a quarter of it', async (t) => {
  // 100 nodes: upstream's window would be 800 ms; at a 2 s resolution it is 400 ms.
  const nodes = Array.from({ length: 100 }, (_, i) => node(`n${i}`));
  const client = new FakeClient(async () => scrapeOf());
  const start = Date.now();
  await scraper(nodes, client, { concurrency: 100, resolutionMs: 2000, timeoutMs: 100, random: () => 0.999 }).tick();
  const last = Math.max(...client.calls.map((c) => c.at - start));
  t.ok(last >= 350, `the last request waited about 400 ms (${last})`);
  t.ok(last < 650, `not the 800 ms of 8 ms × nodes (${last})`);
});

t.test('one node never delays the others; the tick ends at the deadline even if a request ignores its abort', async (t) => {
  const nodes = [node('stuck'), node('ok-1'), node('ok-2')];
  const { out, obs } = recorder();
  const client = new FakeClient((n) => (n.name === 'stuck' ? new Promise<NodeScrape>(() => {}) : Promise.resolve(scrapeOf())));
  const started = Date.now();
  const batch = await scraper(nodes, client, { resolutionMs: 1000, observer: obs }).tickBatch();
  const took = Date.now() - started;
  t.ok(took < 1000, `tick ended within the resolution (${took} ms)`);
  t.ok(took >= 900, 'at the 95% deadline');
  t.same([...batch.nodes.keys()].sort(), ['ok-1', 'ok-2']);
  t.same(out.filter((r) => r.success).map((r) => r.node).sort(), ['ok-1', 'ok-2']);
});

t.test('kubelets that hang give up their concurrency slot after its lease, so healthy nodes behind them are scraped', async (t) => {
  // Two slots; the two hanging kubelets come first (random order 0, 0.01, ...) and never answer.
  const nodes = [node('hung-1'), node('hung-2'), ...Array.from({ length: 8 }, (_, i) => node(`ok-${i}`))];
  const { out, obs } = recorder();
  let healthyInFlight = 0;
  let maxHealthyInFlight = 0;
  const client = new FakeClient(async (n, signal) => {
    if (n.name.startsWith('hung')) return new Promise<NodeScrape>(() => {});
    healthyInFlight++;
    maxHealthyInFlight = Math.max(maxHealthyInFlight, healthyInFlight);
    try {
      await delay(20, signal);
      return scrapeOf();
    } finally {
      healthyInFlight--;
    }
  });
  let i = 0;
  const s = scraper(nodes, client, { concurrency: 2, resolutionMs: 2000, timeoutMs: 100, slotLeaseMs: 150, observer: obs, random: () => i++ / 1000 });
  const started = Date.now();
  const batch = await s.tickBatch();
  const took = Date.now() - started;
  t.equal(new Set(client.calls.map((c) => c.node)).size, nodes.length, 'every node was asked');
  t.same([...batch.nodes.keys()].sort(), nodes.slice(2).map((n) => n.name).sort(), 'every healthy node answered and was stored');
  t.ok(maxHealthyInFlight <= 2, `answering requests still bounded by the concurrency (saw ${maxHealthyInFlight})`);
  t.same(out.filter((r) => !r.success).map((r) => `${r.node}:${r.reason}`).sort(), [], 'no healthy node counted as a timeout');
  t.ok(took >= 1800, `the tick waited for the hanging requests until its deadline (${took} ms)`);
});

t.test('nodes that could not start before the deadline count as timeouts', async (t) => {
  const nodes = [node('a'), node('b'), node('c')];
  const { out, obs } = recorder();
  // One worker; each request takes 400 ms of a 950 ms budget: the third cannot start in time.
  const client = new FakeClient((_n, signal) => delay(400, signal).then(() => scrapeOf()));
  const batch = await scraper(nodes, client, { concurrency: 1, resolutionMs: 1000, observer: obs, random: () => 0 }).tickBatch();
  t.equal(batch.nodes.size, 2);
  t.same(out.map((r) => r.reason ?? 'ok').sort(), ['ok', 'ok', 'timeout']);
});

t.test('failures are logged once per state change, not every tick', async (t) => {
  const { lines, log } = captureLog();
  let mode: 'http' | 'timeout' | 'ok' = 'http';
  const client = new FakeClient(async (n) => {
    if (n.name === 'flaky' && mode !== 'ok') throw new ScrapeError(mode, `flaky: ${mode}`);
    return scrapeOf();
  });
  const sc = scraper([node('flaky'), node('fine'), node('notready', {}, false)], {
    getMetrics: (n, sig) => (n.name === 'notready' ? Promise.reject(new ScrapeError('connection', 'refused')) : client.getMetrics(n, sig)),
    retainNodes: () => {},
  }, { log });
  const warns = () => lines.filter((l) => l.level === 40 && l.node === 'flaky');
  await sc.tick();
  await sc.tick();
  await sc.tick();
  t.equal(warns().length, 1, 'three failing ticks, one warning');
  t.equal(warns()[0]!.reason, 'http');
  mode = 'timeout';
  await sc.tick();
  t.equal(warns().length, 2, 'a new reason is a new state');
  mode = 'ok';
  await sc.tick();
  await sc.tick();
  t.equal(lines.filter((l) => l.level === 30 && l.node === 'flaky').length, 1, 'recovery logged once');
  t.equal(lines.filter((l) => l.node === 'fine' && l.level >= 30).length, 0, 'healthy node: nothing logged');
  const notReady = lines.filter((l) => l.node === 'notready');
  t.ok(notReady.length === 1 && notReady[0]!.level === 20, 'failures of NotReady nodes only at debug level');
});

t.test('every reported pod is stored; the pod cache decides what is served, so a pod the watch delivers late has its rate at once', async (t) => {
  // Kubelet answers with cumulative CPU growing by one core-second per 10 s tick.
  let tick = 0;
  const at = (i: number) => ({ timestampMs: point.timestampMs + i * 10_000, startTimeMs: point.startTimeMs, startSubMsNs: 0, cpuSec: 10 + i, cpuNsec: 0, memoryBytes: 1024 });
  const client = new FakeClient(async () => {
    const p = at(tick);
    return { node: p, pods: [['default', 'a'], ['default', 'new']].map(([namespace, name]) => ({ namespace: namespace!, name: name!, containers: [{ ...p, name: 'c' }] })) };
  });
  const store = new MetricsStore({ metricResolutionNs: 15e9, maxSeries: 100 });
  // The pod cache knows only "a": "new" is running on its node, but its watch event has not arrived yet.
  const pods = new FakePods([{ namespace: 'default', name: 'a', labels: {} }]);
  const api = await startApi({ metrics: store, nodes: new FakeNodes([{ name: 'n1', labels: {} }]), pods, securePort: 443 });
  t.teardown(() => api.close());
  const sc = new Scraper({ nodes: { list: () => [node('n1')] }, client, resolutionMs: 1000, timeoutMs: 500, concurrency: 1, sink: store, log: silentLogger(), random: () => 0 });
  for (; tick < 2; tick++) {
    const result = await sc.tick();
    t.same([result.scraped, result.pods], [1, 2], 'both reported pods are stored');
  }
  const get = (name: string) => fetch(`${api.url}/apis/metrics.k8s.io/v1beta1/namespaces/default/pods/${name}`);
  const list = async () => ((await (await fetch(`${api.url}/apis/metrics.k8s.io/v1beta1/pods`)).json()) as { items: { metadata: { name: string } }[] }).items.map((i) => i.metadata.name);
  t.equal((await get('a')).status, 200);
  t.equal((await get('new')).status, 404, 'a pod the cache does not know is not served');
  t.same(await list(), ['a']);
  pods.pods.push({ namespace: 'default', name: 'new', labels: {} });
  pods.revision++;
  const res = await get('new');
  t.equal(res.status, 200, 'served as soon as the cache knows it, from the points already stored');
  t.equal(((await res.json()) as { containers: { usage: { cpu: string } }[] }).containers[0]!.usage.cpu, '100m', '1 core-second over 10 s');
  t.same(await list(), ['a', 'new']);
});

t.test('start() ticks at once and then every resolution; a throwing sink does not stop it; stop() ends it', async (t) => {
  const batches: MetricsBatch[] = [];
  const client = new FakeClient(async () => scrapeOf());
  const s = scraper([node('n')], client, {
    resolutionMs: 1000,
    sink: new BatchSink((b) => {
      batches.push(b);
      throw new Error('store exploded');
    }),
  });
  t.equal(s.lastTickStartMs, 0);
  const started = Date.now();
  s.start();
  await delay(100);
  t.equal(batches.length, 1, 'first tick right away');
  t.ok(s.lastTickStartMs >= started);
  await delay(1050);
  t.equal(batches.length, 2, 'second tick one resolution later');
  await s.stop();
  const after = batches.length;
  await delay(50);
  t.equal(batches.length, after, 'no tick after stop');
});

t.test('resolution below 10s is accepted with a warning; below 1s refused', async (t) => {
  const { lines, log } = captureLog();
  scraper([], new FakeClient(async () => scrapeOf()), { log, resolutionMs: 5000 });
  t.ok(lines.some((l) => l.level === 40 && /below 10s/.test(l.msg)));
  t.throws(() => scraper([], new FakeClient(async () => scrapeOf()), { resolutionMs: 500 }), /at least 1s/);
  const empty = await scraper([], new FakeClient(async () => scrapeOf())).tickBatch();
  t.equal(empty.nodes.size, 0, 'no nodes: an empty batch');
});
