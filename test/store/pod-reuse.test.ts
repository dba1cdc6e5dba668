// Pods replaced by new ones (a rollout, a churn of Jobs): the store hands the
// entries of dropped pods on to new pods within the tick. A new pod must start
// from its own first point, under its own names, whatever entry it was given.
import t from 'tap';
import { MetricsStore } from '../../src/store/index.js';
import type { NodeScrape } from '../../src/scrape/types.js';
import type { PodIndex } from '../../src/store/pod-index.js';
import { CORE_SECOND, MIB, SECOND, START, container, pod, point } from './batches.js';

const LONG_AGO = START - 3600 * SECOND;

/** A pod of two containers whose CPU counters grow by `rate` cores per second from `base` core-seconds. */
function twoContainers(name: string, names: [string, string], i: number, base: number, rate: number) {
  const ts = START + i * 15 * SECOND;
  const cpu = (base + i * 15 * rate) * CORE_SECOND;
  return pod('default', name, container(names[0], point(LONG_AGO, ts, cpu, 10 * MIB)), container(names[1], point(LONG_AGO, ts, 2 * cpu, 20 * MIB)));
}

function node(i: number, ...pods: ReturnType<typeof twoContainers>[]): NodeScrape {
  return { node: point(LONG_AGO, START + i * 15 * SECOND, (1000 + i * 15) * CORE_SECOND, 100 * MIB), pods };
}

const keys = (...names: string[]) => names.map((name) => ({ namespace: 'default', name }));

t.test("a new pod given a dropped pod's entry starts from its own first point, under its own names", async (t) => {
  const s = new MetricsStore({ metricResolutionNs: 15e9, maxSeries: 1000 });
  for (let i = 0; i < 2; i++) {
    s.beginTick();
    s.storeNode('a', node(i, twoContainers('a1', ['app', 'side'], i, 5000, 3), twoContainers('a2', ['app', 'side'], i, 7000, 4)));
    s.storeNode('b', node(i, twoContainers('b1', ['app', 'side'], i, 100, 1)));
    s.endTick();
  }
  t.ok(s.getPodUsage(keys('a1', 'a2', 'b1')).every((u) => u !== undefined), 'all three pods have a rate');
  const index = s['pods'] as PodIndex;
  const dropped = [index.get('default', 'a1'), index.get('default', 'a2')];

  // Tick 2: node a replaces both its pods; node b, answering after it, gains two new pods of the same shape.
  s.beginTick();
  s.storeNode('a', node(2, twoContainers('a3', ['app', 'side'], 2, 10, 1)));
  s.storeNode('b', node(2, twoContainers('b1', ['app', 'side'], 2, 100, 1), twoContainers('n1', ['web', 'log'], 2, 200, 2), twoContainers('n2', ['app', 'side'], 2, 300, 1)));
  s.endTick();
  t.same(s.getPodUsage(keys('a1', 'a2')), [undefined, undefined], 'the replaced pods are gone');
  t.same(s.getPodUsage(keys('a3', 'n1', 'n2')), [undefined, undefined, undefined], 'new pods have one point: no rate yet, nothing paired with a dropped pod');
  t.equal(s.getPodUsage(keys('b1'))[0]?.containers[0]?.usage.cpuNanocores, CORE_SECOND, 'the pod that stayed keeps its rate');
  t.same(s.seriesCount(), { nodes: 2, containers: 8 });
  t.same(
    [index.get('default', 'n1'), index.get('default', 'n2')].filter((e) => dropped.includes(e)).length,
    2,
    "n1 and n2, stored after node a dropped a1 and a2, took their entries",
  );

  s.beginTick();
  s.storeNode('a', node(3, twoContainers('a3', ['app', 'side'], 3, 10, 1)));
  s.storeNode('b', node(3, twoContainers('b1', ['app', 'side'], 3, 100, 1), twoContainers('n1', ['web', 'log'], 3, 200, 2), twoContainers('n2', ['app', 'side'], 3, 300, 1)));
  s.endTick();
  const [a3, n1, n2] = s.getPodUsage(keys('a3', 'n1', 'n2'));
  t.same(
    n1?.containers.map((c) => [c.name, c.usage.cpuNanocores, c.usage.memoryBytes]),
    [
      ['web', 2 * CORE_SECOND, 10 * MIB],
      ['log', 4 * CORE_SECOND, 20 * MIB],
    ],
    'n1: its own names and rates',
  );
  t.equal(n1?.windowNs, 15e9, 'n1: window between its own two points');
  t.same(n2?.containers.map((c) => c.usage.cpuNanocores), [CORE_SECOND, 2 * CORE_SECOND], 'n2: its own rates');
  t.same(a3?.containers.map((c) => c.usage.cpuNanocores), [CORE_SECOND, 2 * CORE_SECOND], 'a3: its own rates');
  t.same(s.seriesCount(), { nodes: 2, containers: 8 });
});

t.test("a node's stale list still naming a dropped pod's entry does not drop the new pod that entry went to", async (t) => {
  const s = new MetricsStore({ metricResolutionNs: 15e9, maxSeries: 1000 });
  // Ticks 0–1: p on node a, q on node b, c with no pods.
  for (let i = 0; i < 2; i++) {
    s.beginTick();
    s.storeNode('a', node(i, twoContainers('p', ['app', 'side'], i, 100, 1)));
    s.storeNode('b', node(i, twoContainers('q', ['app', 'side'], i, 100, 1)));
    s.storeNode('c', node(i));
    s.endTick();
  }
  // Tick 2: p moves to b; a does not answer (its list still names p).
  s.beginTick();
  s.storeNode('b', node(2, twoContainers('q', ['app', 'side'], 2, 100, 1), twoContainers('p', ['app', 'side'], 2, 100, 1)));
  s.storeNode('c', node(2));
  s.endTick();
  t.ok(s.getPodUsage(keys('p'))[0], 'p served from b, paired with its points from a');
  // Tick 3: b drops p; c starts r, of p's shape. a still silent.
  s.beginTick();
  s.storeNode('b', node(3, twoContainers('q', ['app', 'side'], 3, 100, 1)));
  s.storeNode('c', node(3, twoContainers('r', ['app', 'side'], 3, 900, 5)));
  s.endTick();
  t.same(s.getPodUsage(keys('p', 'r')), [undefined, undefined], 'p gone; r has one point');
  // Tick 4: a answers first, with no pods: what its old list named is not its to drop.
  s.beginTick();
  s.storeNode('a', node(4));
  s.storeNode('b', node(4, twoContainers('q', ['app', 'side'], 4, 100, 1)));
  s.storeNode('c', node(4, twoContainers('r', ['app', 'side'], 4, 900, 5)));
  s.endTick();
  t.same(s.getPodUsage(keys('r'))[0]?.containers.map((c) => c.usage.cpuNanocores), [5 * CORE_SECOND, 10 * CORE_SECOND], 'r kept, with its own rate');
  t.same(s.seriesCount(), { nodes: 3, containers: 4 });
});
