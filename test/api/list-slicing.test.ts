// A large list is gathered and encoded a time slice at a time: requests that
// come meanwhile are answered between slices, requests for the same list wait
// for it rather than build it again, and a large body goes out a slice at a time
// with its Content-Length.
import t from 'tap';
import { Agent, request } from 'node:http';
import type { PodKey, PodMeta, PodUsage } from '../../src/api/sources.js';
import { podMetrics, podMetricsList } from '../../src/api/objects.js';
import { encodeJson } from '../../src/api/codec/json.js';
import type { TimeSlicer } from '../../src/util/time-slice.js';
import { FakeMetrics, FakeNodes, FakePods, startApi, type Harness } from './fakes.js';

const NOW = Date.parse('2026-11-23T02:00:00.500Z');
const LIST = '/apis/metrics.k8s.io/v1beta1/pods';

function cluster(n: number) {
  const meta: PodMeta[] = [];
  const usage = new Map<string, PodUsage>();
  for (let i = 0; i < n; i++) {
    const p = { namespace: `ns-${String(i % 7).padStart(2, '0')}`, name: `pod-${String(i).padStart(6, '0')}`, labels: { app: `a${i % 5}` } };
    meta.push(p);
    usage.set(`${p.namespace}/${p.name}`, {
      timestampMs: NOW - 3000,
      windowNs: 15_000_000_000,
      containers: [{ name: 'main', usage: { cpuNanocores: 1_000_000 + i, memoryBytes: 1024 * (1000 + i) } }],
    });
  }
  meta.sort((a, b) => (a.namespace < b.namespace ? -1 : a.namespace > b.namespace ? 1 : a.name < b.name ? -1 : 1));
  return { meta, metrics: new FakeMetrics(new Map(), usage) };
}

interface Got {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
  /** Order in which response heads arrived and responses ended (one sequence for both). */
  head: number;
  ended: number;
}

let events = 0;
function get(h: Harness, path: string, agent: Agent, accept = 'application/json'): Promise<Got> {
  return new Promise((resolve, reject) => {
    request(`${h.url}${path}`, { agent, headers: { accept } }, (res) => {
      const head = ++events;
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks), head, ended: ++events }));
      res.on('error', reject);
    })
      .on('error', reject)
      .end();
  });
}

/** Calls fn once, when the list's first pods are read (the list is being built from then on). */
function onFirstRead(metrics: FakeMetrics, fn: () => void): { podsRead: () => number } {
  let read = 0;
  const inner = metrics.getPodUsage.bind(metrics);
  metrics.getPodUsage = (keys: readonly PodKey[]) => {
    if (read === 0 && keys.length > 1) setImmediate(fn);
    if (keys.length > 1) read += keys.length;
    return inner(keys);
  };
  return { podsRead: () => read };
}

t.test('a single-object GET is answered while a large list is being built', async (t) => {
  const { meta, metrics } = cluster(20_000);
  const h = await startApi({ metrics, nodes: new FakeNodes([]), pods: new FakePods(meta), securePort: 443, now: () => NOW, listSliceMs: 0 });
  t.teardown(() => h.close());
  // Connections opened beforehand, so the GET needs no handshake while the list runs.
  const listAgent = new Agent({ keepAlive: true, maxSockets: 1 });
  const getAgent = new Agent({ keepAlive: true, maxSockets: 1 });
  t.teardown(() => (listAgent.destroy(), getAgent.destroy()));
  const one = `/apis/metrics.k8s.io/v1beta1/namespaces/${meta[5]!.namespace}/pods/${meta[5]!.name}`;
  await get(h, one, getAgent);
  await get(h, '/apis/metrics.k8s.io/v1beta1', listAgent);
  let single: Promise<Got> | undefined;
  onFirstRead(metrics, () => (single = get(h, one, getAgent)));
  const list = await get(h, LIST, listAgent);
  const g = await single!;
  t.equal(list.status, 200);
  t.equal((JSON.parse(list.body.toString('utf8')) as { items: unknown[] }).items.length, meta.length, 'the whole list');
  t.equal(g.status, 200);
  // The list's head goes out once it is built (its body is then sent a slice at a time too).
  t.ok(g.ended < list.head, 'the GET was answered before the list was built');
});

t.test('requests for a list being built wait for it; it is built once', async (t) => {
  const { meta, metrics } = cluster(20_000);
  const h = await startApi({ metrics, nodes: new FakeNodes([]), pods: new FakePods(meta), securePort: 443, now: () => NOW, listSliceMs: 0 });
  t.teardown(() => h.close());
  const agents = [0, 1, 2].map(() => new Agent({ keepAlive: true, maxSockets: 1 }));
  t.teardown(() => agents.forEach((a) => a.destroy()));
  for (const a of agents) await get(h, '/apis/metrics.k8s.io/v1beta1', a);
  const others: Promise<Got>[] = [];
  const reads = onFirstRead(metrics, () => others.push(get(h, LIST, agents[1]!), get(h, LIST, agents[2]!)));
  const first = await get(h, LIST, agents[0]!);
  const rest = await Promise.all(others);
  t.equal(reads.podsRead(), meta.length, 'every pod read once');
  for (const r of rest) {
    t.equal(r.status, 200);
    t.ok(r.body.equals(first.body), 'the same body');
  }
  // Another encoding is another list.
  await get(h, LIST, agents[0]!, 'application/vnd.kubernetes.protobuf');
  t.equal(reads.podsRead(), 2 * meta.length, 'protobuf built on its own');
});

t.test('a large body goes out a slice at a time, with its Content-Length', async (t) => {
  const { meta, metrics } = cluster(6_000); // ~1.6 MB of JSON: more than one slice
  const h = await startApi({ metrics, nodes: new FakeNodes([]), pods: new FakePods(meta), securePort: 443, now: () => NOW });
  t.teardown(() => h.close());
  const agent = new Agent({ keepAlive: true });
  t.teardown(() => agent.destroy());
  const expected = encodeJson(podMetricsList(meta.map((p) => podMetrics(p, metrics.podUsage.get(`${p.namespace}/${p.name}`)!, NOW))));
  t.ok(expected.length > 1024 * 1024, `${expected.length} bytes`);
  for (const round of ['built', 'cached']) {
    const r = await get(h, LIST, agent);
    t.equal(r.status, 200);
    t.equal(r.headers['content-length'], String(Buffer.byteLength(expected)), `${round}: Content-Length`);
    t.equal(r.headers['transfer-encoding'], undefined, `${round}: not chunked`);
    t.equal(r.headers['content-type'], 'application/json', `${round}: Content-Type`);
    t.equal(r.body.toString('utf8'), expected, `${round}: the bytes`);
  }
  const small = await get(h, `/apis/metrics.k8s.io/v1beta1/namespaces/${meta[0]!.namespace}/pods?fieldSelector=metadata.name=${meta[0]!.name}`, agent);
  t.equal(small.headers['content-length'], String(small.body.length), 'a small body too');
});

/** A lister with listSliced(), as the pod cache: it yields once, then serves every other pod of list()'s. */
class SlicedPods extends FakePods {
  readonly sliced: (string | undefined)[] = [];
  async listSliced(namespace: string | undefined, slicer: TimeSlicer): Promise<readonly PodMeta[]> {
    this.sliced.push(namespace);
    await slicer.next();
    return this.list(namespace).filter((_, i) => i % 2 === 0);
  }
}

t.test('lists read a lister that can sort a slice at a time through listSliced(), single GETs through get()', async (t) => {
  const { meta, metrics } = cluster(300);
  const pods = new SlicedPods(meta);
  const h = await startApi({ metrics, nodes: new FakeNodes([]), pods, securePort: 443, now: () => NOW });
  t.teardown(() => h.close());
  const agent = new Agent({ keepAlive: true });
  t.teardown(() => agent.destroy());
  const names = (r: Got) => (JSON.parse(r.body.toString('utf8')) as { items: { metadata: { name: string } }[] }).items.map((i) => i.metadata.name);
  t.same(names(await get(h, LIST, agent)), pods.list().filter((_, i) => i % 2 === 0).map((p) => p.name), 'every namespace: its pods');
  const ns = meta[0]!.namespace;
  t.same(names(await get(h, `/apis/metrics.k8s.io/v1beta1/namespaces/${ns}/pods`, agent)), pods.list(ns).filter((_, i) => i % 2 === 0).map((p) => p.name), 'one namespace');
  t.same(pods.sliced, [undefined, ns]);
  const odd = pods.list(ns)[1]!;
  t.equal((await get(h, `/apis/metrics.k8s.io/v1beta1/namespaces/${ns}/pods/${odd.name}`, agent)).status, 200, 'a single GET is not a list');
  t.same(pods.sliced, [undefined, ns]);
});
