// A tick stored node by node as the answers arrive (beginTick, storeNode,
// endTick): what readers see while the tick is under way and after it ends.
import t from 'tap';
import { MetricsStore } from '../../src/store/index.js';
import { CORE_SECOND, MIB, SECOND, START, batch, container, pod, point } from './batches.js';

function steady(podName: string, i: number) {
  const ts = START + i * 15 * SECOND;
  return {
    node: point(START - 3600 * SECOND, ts, (1000 + i * 15) * CORE_SECOND, 100 * MIB),
    pods: [pod('default', podName, container('app', point(START - 3600 * SECOND, ts, (500 + i * 15 * 2) * CORE_SECOND, 10 * MIB)))],
  };
}

const pa = [{ namespace: 'default', name: 'pa' }];
const pb = [{ namespace: 'default', name: 'pb' }];

t.test('mid-tick: answered nodes show new points, the others what the last tick served; endTick hides the silent', async (t) => {

  const s = new MetricsStore({ metricResolutionNs: 15e9, maxSeries: 100 });
  s.store(batch({ a: steady('pa', 0), b: steady('pb', 0) }));
  s.store(batch({ a: steady('pa', 1), b: steady('pb', 1) }));
  const revisions = s.revision;
  const before = s.getNodeUsage(['a', 'b']).map((u) => u?.timestampMs);
  t.same(before, [START + 15 * SECOND, START + 15 * SECOND]);

  s.beginTick();
  s.storeNode('a', steady('pa', 2));
  t.equal(s.getNodeUsage(['a'])[0]?.timestampMs, START + 30 * SECOND, 'a answered: its new point is served at once');
  t.equal(s.getPodUsage(pa)[0]?.containers[0]?.usage.cpuNanocores, 2 * CORE_SECOND);
  t.equal(s.getNodeUsage(['b'])[0]?.timestampMs, START + 15 * SECOND, 'b has not answered yet: last tick\'s point');
  t.ok(s.getPodUsage(pb)[0], 'and its pod');
  t.equal(s.revision, revisions, 'the revision (list caches) moves when the tick ends, not per node');

  s.endTick();
  t.equal(s.revision, revisions + 1);
  t.same(s.getNodeUsage(['b']), [undefined], 'b did not answer this tick: not served');
  t.same(s.getPodUsage(pb), [undefined]);
  t.ok(s.getNodeUsage(['a'])[0]);
});

t.test('a pod two nodes report in one tick belongs to the first answer; storeNode needs a tick', async (t) => {
  const s = new MetricsStore({ metricResolutionNs: 15e9, maxSeries: 100 });
  for (let i = 0; i < 2; i++) {
    const ts = START + i * 10 * SECOND;
    s.beginTick();
    s.storeNode('b', { pods: [pod('ns', 'p', container('app', point(START - 3600 * SECOND, ts, (100 + i * 10) * CORE_SECOND, MIB)))] });
    s.storeNode('a', { pods: [pod('ns', 'p', container('app', point(START - 3600 * SECOND, ts, (100 + i * 30) * CORE_SECOND, 2 * MIB)))] });
    s.endTick();
  }
  t.same(s.getPodUsage([{ namespace: 'ns', name: 'p' }])[0]?.containers, [{ name: 'app', usage: { cpuNanocores: CORE_SECOND, memoryBytes: MIB } }]);
  t.throws(() => s.storeNode('a', { pods: [] }), /outside a tick/);
});
