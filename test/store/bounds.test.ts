// Our additions to upstream's storage: failed nodes keep their series for a few
// ticks, stale series are evicted, a hard cap bounds memory under churn, and
// every eviction is reported.
import t from 'tap';
import { MetricsStore } from '../../src/store/index.js';
import type { StoreObserver } from '../../src/observers.js';
import type { NodeScrape } from '../../src/scrape/types.js';
import { CORE_SECOND, MIB, SECOND, START, batch, container, noNodes, pod, point } from './batches.js';

interface Recorder extends StoreObserver {
  evictions: string[];
  points: StoreObserver['points'];
  last: [number, number];
}

function recorder(): Recorder {
  const r: Recorder = {
    evictions: [],
    last: [0, 0],
    points: (n, c) => {
      r.last = [n, c];
    },
    evicted: (kind, cause, count) => {
      r.evictions.push(`${kind}/${cause}/${count}`);
    },
  };
  return r;
}

/** Tick i of a steady node: node and one single-container pod, 15 s apart, 1 core each. */
function steady(podName: string, i: number) {
  const ts = START + i * 15 * SECOND;
  return {
    node: point(START - 3600 * SECOND, ts, (1000 + i * 15) * CORE_SECOND, 100 * MIB),
    pods: [pod('default', podName, container('app', point(START - 3600 * SECOND, ts, (500 + i * 15) * CORE_SECOND, 10 * MIB)))],
  };
}

t.test('a node that fails a tick is not served, is kept for pairing until it is stale, then is evicted', async (t) => {
  const obs = recorder();
  const s = new MetricsStore({ metricResolutionNs: 15e9, maxSeries: 100, observer: obs, staleTicks: 3 });
  s.store(batch({ a: steady('pa', 0), b: steady('pb', 0) }));
  s.store(batch({ a: steady('pa', 1), b: steady('pb', 1) }));
  t.ok(s.ready());
  const served = s.getPodUsage([{ namespace: 'default', name: 'pb' }])[0];
  t.equal(served?.containers[0]?.usage.cpuNanocores, CORE_SECOND);

  // b fails twice: like upstream, neither it nor its pods are served meanwhile.
  s.store(batch({ a: steady('pa', 2) }));
  t.same(s.getPodUsage([{ namespace: 'default', name: 'pb' }]), [undefined]);
  t.same(s.getNodeUsage(['b']), [undefined]);
  t.ok(s.getNodeUsage(['a'])[0], 'the healthy node is still served');
  s.store(batch({ a: steady('pa', 3) }));
  t.same(s.getNodeUsage(['b']), [undefined]);
  t.same(obs.evictions, []);

  // Back after two failures: the retained point pairs with the new one at once.
  s.store(batch({ a: steady('pa', 4), b: steady('pb', 4) }));
  const back = s.getNodeUsage(['b'])[0];
  t.equal(back?.windowNs, 45e9, 'window spans the missed ticks');
  t.equal(back?.usage.cpuNanocores, CORE_SECOND);
  t.same(s.getPodUsage([{ namespace: 'default', name: 'pb' }])[0]?.containers, served?.containers, 'its pods are served again');

  // Unseen for three ticks: evicted, and reported as stale.
  s.store(batch({ a: steady('pa', 5) }));
  s.store(batch({ a: steady('pa', 6) }));
  t.same(s.seriesCount(), { nodes: 2, containers: 2 }, 'still kept while not yet stale');
  s.store(batch({ a: steady('pa', 7) }));
  t.same(s.getNodeUsage(['b']), [undefined]);
  t.same(s.getPodUsage([{ namespace: 'default', name: 'pb' }]), [undefined]);
  t.same(obs.evictions, ['node/stale/1', 'container/stale/1']);
  t.same(s.seriesCount(), { nodes: 1, containers: 1 });
  t.same(obs.last, [1, 1]);
});

t.test('an empty batch (every node failed) keeps everything for the stale period, so readiness does not flap', async (t) => {
  const s = new MetricsStore({ metricResolutionNs: 15e9, maxSeries: 100 });
  s.store(batch({ a: steady('pa', 0) }));
  s.store(batch({ a: steady('pa', 1) }));
  s.store(noNodes);
  t.ok(s.ready());
  s.store(noNodes);
  s.store(noNodes);
  t.notOk(s.ready());
  t.same(s.seriesCount(), { nodes: 0, containers: 0 });
});

t.test('a pod that moves to another node is not forgotten by its old node', async (t) => {
  const s = new MetricsStore({ metricResolutionNs: 15e9, maxSeries: 100 });
  s.store(batch({ a: steady('web-0', 0), b: { pods: [] } }));
  s.store(batch({ a: { pods: [] }, b: steady('web-0', 1) }));
  // Same name on node b, restarted there: no rate yet, but the entry is b's now.
  t.same(s.seriesCount().containers, 1);
  s.store(batch({ a: { pods: [] }, b: steady('web-0', 2) }));
  t.equal(s.getPodUsage([{ namespace: 'default', name: 'web-0' }])[0]?.containers[0]?.usage.cpuNanocores, CORE_SECOND);
});

t.test('pods live and die with the node that last reported them', async (t) => {
  const obs = recorder();
  const s = new MetricsStore({ metricResolutionNs: 15e9, maxSeries: 100, observer: obs, staleTicks: 2 });
  const both = (i: number) => ({ node: steady('x', i).node, pods: [...steady('moves', i).pods, ...steady('stays', i).pods] });
  s.store(batch({ a: both(0) }));
  s.store(batch({ a: both(1) }));
  // a stops answering (its last answer still lists "moves"), and "moves" turns up on b; then a goes stale.
  for (let i = 2; i <= 5; i++) s.store(batch({ b: steady('moves', i) }));
  t.same(obs.evictions, ['node/stale/1', 'container/stale/1'], 'a went with its one remaining pod');
  t.same(s.getPodUsage([{ namespace: 'default', name: 'stays' }]), [undefined]);
  t.equal(s.getPodUsage([{ namespace: 'default', name: 'moves' }])[0]?.containers[0]?.usage.cpuNanocores, CORE_SECOND, 'the pod b holds is not');
  t.same(s.seriesCount(), { nodes: 1, containers: 1 });

  // A node evicted for capacity takes its pods with it, and only them.
  const small = new MetricsStore({ metricResolutionNs: 15e9, maxSeries: 4, observer: obs });
  obs.evictions = [];
  small.store(batch({ a: steady('pa', 0) }));
  small.store(batch({ b: steady('pb', 0) }));
  t.same(small.seriesCount(), { nodes: 2, containers: 2 });
  small.store(batch({ c: steady('pc', 0) }));
  t.same(obs.evictions, ['node/capacity/1', 'container/capacity/1'], 'least recently stored node a made room');
  t.same(small.getPodUsage([{ namespace: 'default', name: 'pa' }]), [undefined]);
  t.same(small.seriesCount(), { nodes: 2, containers: 2 });
  small.store(batch({ b: steady('pb', 1), c: steady('pc', 1) }));
  t.ok(small.getPodUsage([{ namespace: 'default', name: 'pb' }])[0], 'b\'s pod kept its points');
});

t.test('duplicates: the first pod of a batch and the first container of a pod win', async (t) => {
  const s = new MetricsStore({ metricResolutionNs: 15e9, maxSeries: 100 });
  for (let i = 0; i < 2; i++) {
    const ts = START + i * 10 * SECOND;
    const good = container('app', point(START - 3600 * SECOND, ts, (100 + i * 10) * CORE_SECOND, MIB));
    const bad = container('app', point(START - 3600 * SECOND, ts, (100 + i * 30) * CORE_SECOND, 2 * MIB));
    s.store(batch({ a: { pods: [pod('ns', 'p', good, bad)] }, b: { pods: [pod('ns', 'p', bad)] } }));
  }
  t.same(s.getPodUsage([{ namespace: 'ns', name: 'p' }])[0]?.containers, [{ name: 'app', usage: { cpuNanocores: CORE_SECOND, memoryBytes: MIB } }]);
});

t.test('the hard cap bounds series under churn and reports capacity evictions', async (t) => {
  const obs = recorder();
  const s = new MetricsStore({ metricResolutionNs: 15e9, maxSeries: 50, observer: obs, staleTicks: 1000 });
  let evicted = 0;
  obs.evicted = (kind, cause, count) => {
    t.equal(cause, 'capacity');
    if (kind === 'container') evicted += count;
  };
  for (let tick = 0; tick < 30; tick++) {
    const ts = START + tick * 15 * SECOND;
    // Each tick a fresh set of 10 two-container pods (a Job storm).
    const pods = Array.from({ length: 10 }, (_, i) =>
      pod('jobs', `job-${tick}-${i}`, container('main', point(START, ts, CORE_SECOND, MIB)), container('sidecar', point(START, ts, CORE_SECOND, MIB))),
    );
    // They run on a node that answers once and then never again (its pods are
    // retained, not forgotten), next to ten nodes that answer every tick.
    const scrapes = new Map<string, NodeScrape>(Array.from({ length: 10 }, (_, n) => [`node-${n}`, { node: point(START, ts, (tick + 1) * 15 * CORE_SECOND, MIB), pods: [] }]));
    scrapes.set(`spot-${tick}`, { node: point(START, ts, CORE_SECOND, MIB), pods });
    s.store({ nodes: scrapes });
    const { nodes, containers } = s.seriesCount();
    t.ok(nodes + containers <= 50, `tick ${tick}: ${nodes} + ${containers} series within the cap`);
  }
  t.ok(evicted > 0, 'capacity evictions were reported');
  t.same(
    s.getNodeUsage(Array.from({ length: 10 }, (_, n) => `node-${n}`)).map((u) => u?.usage.cpuNanocores),
    Array(10).fill(CORE_SECOND),
    'nodes scraped every tick are the most recent, never evicted',
  );
  t.same(s.getPodUsage([{ namespace: 'jobs', name: 'job-0-0' }]), [undefined]);
});

t.test('stale eviction alone bounds memory under churn', async (t) => {
  const s = new MetricsStore({ metricResolutionNs: 15e9, maxSeries: 1_000_000, staleTicks: 3 });
  for (let tick = 0; tick < 20; tick++) {
    const ts = START + tick * 15 * SECOND;
    const pods = Array.from({ length: 100 }, (_, i) => pod('jobs', `job-${tick}-${i}`, container('main', point(START, ts, CORE_SECOND, MIB))));
    // Pods come from many short-lived nodes that never answer again.
    s.store({ nodes: new Map([[`node-${tick}`, { pods }]]) });
  }
  t.equal(s.seriesCount().containers, 300, 'only the last three ticks of pods remain');
});

t.test('a node heavier than the whole budget is refused with its pods, without corrupting counts', async (t) => {
  const obs = recorder();
  const s = new MetricsStore({ metricResolutionNs: 15e9, maxSeries: 3, observer: obs });
  const big = pod('ns', 'big', ...['a', 'b', 'c', 'd'].map((n) => container(n, point(START, START, CORE_SECOND, MIB))));
  s.store({ nodes: new Map([['n', { pods: [big] }]]) });
  t.same(s.seriesCount(), { nodes: 0, containers: 0 });
  t.same(obs.evictions, ['node/capacity/1', 'container/capacity/4']);

  // A stored node whose pod grows past the budget is dropped too, its series uncounted once.
  const fits = (ts: number, names: string[]) => pod('ns', 'grows', ...names.map((n) => container(n, point(START, ts, CORE_SECOND, MIB))));
  s.store({ nodes: new Map([['n', { pods: [fits(START, ['a', 'b'])] }]]) });
  t.same(s.seriesCount(), { nodes: 0, containers: 2 });
  s.store({ nodes: new Map([['n', { pods: [fits(START + SECOND, ['a', 'b', 'c', 'd'])] }]]) });
  t.same(s.seriesCount(), { nodes: 0, containers: 0 });
  t.same(s.getPodUsage([{ namespace: 'ns', name: 'grows' }]), [undefined]);
  t.same(obs.evictions, ['node/capacity/1', 'container/capacity/4', 'node/capacity/1', 'container/capacity/4']);
  s.store({ nodes: new Map([['n', { pods: [fits(START + 2 * SECOND, ['a'])] }]]) });
  t.same(s.seriesCount(), { nodes: 0, containers: 1 }, 'and a pod that fits again is stored');
});

t.test('readiness needs both node and pod rates; revision and lastStoreMs track store()', async (t) => {
  let now = 1000;
  const s = new MetricsStore({ metricResolutionNs: 15e9, maxSeries: 100, now: () => now });
  t.equal(s.revision, 0);
  t.ok(Number.isNaN(s.lastStoreMs));
  const onlyNode = (i: number) => ({ node: steady('p', i).node, pods: [] });
  s.store(batch({ a: onlyNode(0) }));
  now = 2000;
  s.store(batch({ a: onlyNode(1) }));
  t.ok(s.nodeReady());
  t.notOk(s.ready(), 'no pod rate yet');
  s.store(batch({ a: steady('p', 2) }));
  t.notOk(s.ready());
  s.store(batch({ a: steady('p', 3) }));
  t.ok(s.ready());
  t.equal(s.revision, 4);
  t.equal(s.lastStoreMs, 2000);
});

t.test('a node that answers without a complete node point still keeps its pods', async (t) => {
  const s = new MetricsStore({ metricResolutionNs: 15e9, maxSeries: 100 });
  s.store(batch({ a: { pods: steady('p', 0).pods } }));
  s.store(batch({ a: { pods: steady('p', 1).pods } }));
  t.same(s.getNodeUsage(['a']), [undefined]);
  t.ok(s.getPodUsage([{ namespace: 'default', name: 'p' }])[0]);
  t.same(s.seriesCount(), { nodes: 0, containers: 1 });
});
