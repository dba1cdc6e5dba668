// Every case of upstream pkg/storage/pod_test.go, translated. Upstream's
// Ready() there is the pod half of readiness: podReady() here.
import t from 'tap';
import { MetricsStore } from '../../src/store/index.js';
import type { StoreObserver } from '../../src/observers.js';
import { CORE_SECOND, MIB, SECOND, START, container, pod, podBatch, point } from './batches.js';

const newStore = (observer?: StoreObserver) => new MetricsStore({ metricResolutionNs: 60e9, maxSeries: 1000, observer });
const pod1 = { namespace: 'ns1', name: 'pod1' };
const c1 = (startMs: number, tsMs: number, cpuNs: number, mem: number) => container('container1', point(startMs, tsMs, cpuNs, mem));
const c2 = (startMs: number, tsMs: number, cpuNs: number, mem: number) => container('container2', point(startMs, tsMs, cpuNs, mem));

t.test('provides pod metrics from stored batches', async (t) => {
  const s = newStore();
  s.store(podBatch(pod('ns1', 'pod1', c1(START, START + 120 * SECOND, 1 * CORE_SECOND, 4 * MIB))));
  t.notOk(s.podReady(), 'waits for a second batch');
  t.same(s.getPodUsage([pod1]), [undefined]);

  s.store(podBatch(pod('ns1', 'pod1', c1(START, START + 125 * SECOND, 6 * CORE_SECOND, 5 * MIB))));
  t.ok(s.podReady());
  t.same(s.getPodUsage([pod1, { namespace: 'ns1', name: 'pod2' }]), [
    { timestampMs: START + 125 * SECOND, windowNs: 5e9, containers: [{ name: 'container1', usage: { cpuNanocores: CORE_SECOND, memoryBytes: 5 * MIB } }] },
    undefined,
  ]);

  s.store(podBatch());
  t.same(s.getPodUsage([pod1]), [undefined], 'a pod its node no longer reports is gone');
});

t.test('returns timestamp of earliest container of pod', async (t) => {
  const s = newStore();
  s.store(podBatch(pod('ns1', 'pod1', c1(START, START + 110 * SECOND, 1 * CORE_SECOND, 4 * MIB), c2(START, START + 115 * SECOND, 2 * CORE_SECOND, 5 * MIB))));
  s.store(podBatch(pod('ns1', 'pod1', c1(START, START + 120 * SECOND, 6 * CORE_SECOND, 6 * MIB), c2(START, START + 125 * SECOND, 7 * CORE_SECOND, 7 * MIB))));
  t.ok(s.podReady());
  const [u] = s.getPodUsage([pod1]);
  t.equal(u?.timestampMs, START + 120 * SECOND);
  t.equal(u?.windowNs, 10e9);
  t.same(u?.containers.map((c) => c.name), ['container1', 'container2']);
});

t.test('handle repeated pod metric point', async (t) => {
  const s = newStore();
  const b = podBatch(pod('ns1', 'pod1', c1(START, START + 110 * SECOND, 1 * CORE_SECOND, 4 * MIB)));
  s.store(b);
  s.store(b);
  t.notOk(s.podReady());
  t.same(s.getPodUsage([pod1]), [undefined]);
});

t.test('exposes correct pod metrics', async (t) => {
  const reported: [number, number][] = [];
  const s = newStore({ points: (n, c) => reported.push([n, c]), evicted() {} });
  s.store(podBatch(pod('ns1', 'pod1', c1(START, START + 110 * SECOND, 1 * CORE_SECOND, 4 * MIB), c2(START, START + 115 * SECOND, 2 * CORE_SECOND, 5 * MIB))));
  t.same(reported, [[0, 0]]);
  s.store(podBatch(pod('ns1', 'pod1', c1(START, START + 120 * SECOND, 6 * CORE_SECOND, 6 * MIB), c2(START, START + 125 * SECOND, 7 * CORE_SECOND, 7 * MIB))));
  t.same(reported, [[0, 0], [0, 2]]);
});

t.test('should detect container restart and return results based on window from start time', async (t) => {
  const s = newStore();
  s.store(podBatch(pod('ns1', 'pod1', c1(START, START + 10 * SECOND, 1 * CORE_SECOND, 4 * MIB))));
  s.store(podBatch(pod('ns1', 'pod1', c1(START + 15 * SECOND, START + 25 * SECOND, 5 * CORE_SECOND, 5 * MIB))));
  t.same(s.getPodUsage([pod1]), [
    { timestampMs: START + 25 * SECOND, windowNs: 10e9, containers: [{ name: 'container1', usage: { cpuNanocores: 500_000_000, memoryBytes: 5 * MIB } }] },
  ]);
});

t.test('should return pod empty metrics if decreased data point reported', async (t) => {
  const s = newStore();
  s.store(podBatch(pod('ns1', 'pod1', c1(START, START + 110 * SECOND, 20 * CORE_SECOND, 4 * MIB))));
  s.store(podBatch(pod('ns1', 'pod1', c1(START, START + 120 * SECOND, 10 * CORE_SECOND, 4 * MIB))));
  // Upstream serves the pod with no containers (and a zero timestamp); a pod is
  // served here only when every container has a usable rate.
  t.same(s.getPodUsage([pod1]), [undefined]);
});

t.test('should handle pod metrics older than prev', async (t) => {
  const s = newStore();
  s.store(podBatch(pod('ns1', 'pod1', c1(START, START + 1115 * SECOND, 20 * CORE_SECOND, 4 * MIB))));
  s.store(podBatch(pod('ns1', 'pod1', c1(START, START + 1125 * SECOND, 40 * CORE_SECOND, 4 * MIB))));
  s.store(podBatch(pod('ns1', 'pod1', c1(START, START + 115 * SECOND, 10 * CORE_SECOND, 4 * MIB))));
  t.same(s.getPodUsage([pod1]), [undefined]);
});

t.test('should handle pod metrics prev.ts < newNode.ts < last.ts', async (t) => {
  const s = newStore();
  s.store(podBatch(pod('ns1', 'pod1', c1(START, START + 115 * SECOND, 10 * CORE_SECOND, 4 * MIB))));
  s.store(podBatch(pod('ns1', 'pod1', c1(START, START + 125 * SECOND, 50 * CORE_SECOND, 5 * MIB))));
  s.store(podBatch(pod('ns1', 'pod1', c1(START, START + 120 * SECOND, 35 * CORE_SECOND, 5 * MIB))));
  t.same(s.getPodUsage([pod1]), [
    { timestampMs: START + 120 * SECOND, windowNs: 5e9, containers: [{ name: 'container1', usage: { cpuNanocores: 5 * CORE_SECOND, memoryBytes: 5 * MIB } }] },
  ]);
});

t.test('should not use start time to return metric in one cycle for long running container', async (t) => {
  const s = newStore();
  s.store(podBatch(pod('ns1', 'pod1', c1(START, START + 120 * SECOND, 1 * CORE_SECOND, 4 * MIB))));
  t.notOk(s.podReady());
  t.same(s.getPodUsage([pod1]), [undefined]);
});

t.test('should use start time to return metric in one cycle for fresh new container', async (t) => {
  const s = newStore();
  s.store(podBatch(pod('ns1', 'pod1', c1(START, START + 10 * SECOND, 10 * CORE_SECOND, 4 * MIB))));
  t.ok(s.podReady());
  t.same(s.getPodUsage([pod1]), [
    { timestampMs: START + 10 * SECOND, windowNs: 10e9, containers: [{ name: 'container1', usage: { cpuNanocores: CORE_SECOND, memoryBytes: 4 * MIB } }] },
  ]);
});

t.test('the fresh-container window ends at one resolution (60 s here): 1 ms short of it counts, exactly it does not', async (t) => {
  const inside = newStore();
  inside.store(podBatch(pod('ns1', 'pod1', c1(START, START + 60 * SECOND - 1, 10 * CORE_SECOND, 4 * MIB))));
  t.ok(inside.podReady(), 'age 59.999 s: start time used as the previous point');
  const edge = newStore();
  edge.store(podBatch(pod('ns1', 'pod1', c1(START, START + 60 * SECOND, 10 * CORE_SECOND, 4 * MIB))));
  t.notOk(edge.podReady(), 'age 60 s: not fresh');
  const odd = new MetricsStore({ metricResolutionNs: 15_000_000_001, maxSeries: 1000 });
  odd.store(podBatch(pod('ns1', 'pod1', c1(START, START + 15 * SECOND, 10 * CORE_SECOND, 4 * MIB))));
  t.ok(odd.podReady(), 'a resolution 1 ns past 15 s still takes an age of exactly 15 s');
});

t.test('a fresh container whose start time has a sub-millisecond part: window and rate to the nanosecond, as upstream', async (t) => {
  // container_start_time_seconds 1735032835.4172356: upstream's time.Unix(0, int64(value*1e9)) is
  // ...835.417235712; sampled at ...848.123 with 6.123456 s of CPU. Go: window 12.705764288s,
  // uint64(6123456000 / 12.705764288) = 481943144 (the start time to the millisecond gave 12.706s and 481934204).
  const s = new MetricsStore({ metricResolutionNs: 15e9, maxSeries: 1000 });
  const p = point(1_735_032_835_417, 1_735_032_848_123, 6_123_456_000, 4 * MIB);
  p.startSubMsNs = 235_712;
  s.store(podBatch(pod('ns1', 'pod1', container('container1', p))));
  t.same(s.getPodUsage([pod1]), [
    { timestampMs: 1_735_032_848_123, windowNs: 12_705_764_288, containers: [{ name: 'container1', usage: { cpuNanocores: 481_943_144, memoryBytes: 4 * MIB } }] },
  ]);
  // The next sample pairs with this one: whole milliseconds again.
  s.store(podBatch(pod('ns1', 'pod1', container('container1', { ...p, timestampMs: 1_735_032_863_123, cpuSec: 7, cpuNsec: 123_456_000 }))));
  t.same(s.getPodUsage([pod1])[0]?.windowNs, 15e9);
  t.same(s.getPodUsage([pod1])[0]?.containers[0]?.usage.cpuNanocores, 66_666_666);
});

t.test('the fresh-container bounds hold to the nanosecond of the start time', async (t) => {
  const young = newStore();
  const p = point(START, START + 10 * SECOND, 10 * CORE_SECOND, 4 * MIB);
  p.startSubMsNs = 1;
  young.store(podBatch(pod('ns1', 'pod1', container('container1', p))));
  t.notOk(young.podReady(), 'started 10 s less 1 ns before its sample: not yet fresh');
  const old = newStore();
  const q = point(START, START + 60 * SECOND, 10 * CORE_SECOND, 4 * MIB);
  q.startSubMsNs = 1;
  old.store(podBatch(pod('ns1', 'pod1', container('container1', q))));
  t.ok(old.podReady(), 'started one resolution less 1 ns before its sample: still fresh');
  t.equal(old.getPodUsage([pod1])[0]?.windowNs, 60e9 - 1);
});

t.test("should get empty metrics in one cycle for fresh new container's start time after timestamp", async (t) => {
  const s = newStore();
  s.store(podBatch(pod('ns1', 'pod1', c1(START, START - 10 * SECOND, 10 * CORE_SECOND, 4 * MIB))));
  t.notOk(s.podReady());
  t.same(s.getPodUsage([pod1]), [undefined]);
});

t.test("should get empty metrics in one cycle for fresh new container's time duration less than 10s between start time and timestamp", async (t) => {
  const s = newStore();
  s.store(podBatch(pod('ns1', 'pod1', c1(START, START + 9 * SECOND, 10 * CORE_SECOND, 4 * MIB))));
  t.notOk(s.podReady());
  t.same(s.getPodUsage([pod1]), [undefined]);
});

t.test('provides pod metrics from stored batches when StartTime is zero', async (t) => {
  const s = newStore();
  s.store(podBatch(pod('ns1', 'pod1', c1(0, START + 120 * SECOND, 1 * CORE_SECOND, 4 * MIB))));
  t.notOk(s.podReady());
  t.same(s.getPodUsage([pod1]), [undefined]);
  s.store(podBatch(pod('ns1', 'pod1', c1(0, START + 125 * SECOND, 6 * CORE_SECOND, 5 * MIB))));
  t.ok(s.podReady());
  t.same(s.getPodUsage([pod1]), [
    { timestampMs: START + 125 * SECOND, windowNs: 5e9, containers: [{ name: 'container1', usage: { cpuNanocores: CORE_SECOND, memoryBytes: 5 * MIB } }] },
  ]);
});

t.test('should get empty metrics if not all containers data points of one pod reported at the first cycle', async (t) => {
  const s = newStore();
  s.store(podBatch(pod('ns1', 'pod1', c1(START, START + 110 * SECOND, 1 * CORE_SECOND, 4 * MIB))));
  s.store(podBatch(pod('ns1', 'pod1', c1(START, START + 120 * SECOND, 6 * CORE_SECOND, 6 * MIB), c2(START, START + 120 * SECOND, 8 * CORE_SECOND, 5 * MIB))));
  t.same(s.getPodUsage([pod1]), [undefined]);
  t.ok(s.podReady(), 'container1 alone has a previous point');
});
