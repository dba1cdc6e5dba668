// Every case of upstream pkg/storage/node_test.go, translated. Upstream's
// "batch without metrics" is a node that answered without a node point.
import t from 'tap';
import { MetricsStore } from '../../src/store/index.js';
import type { StoreObserver } from '../../src/observers.js';
import { CORE_SECOND, MIB, SECOND, START, nodeBatch, point } from './batches.js';

const newStore = (observer?: StoreObserver) => new MetricsStore({ metricResolutionNs: 60e9, maxSeries: 1000, observer });

t.test('provides node metrics from stored batches', async (t) => {
  const s = newStore();
  s.store(nodeBatch(['node1', point(START, START + 10 * SECOND, 10 * CORE_SECOND, 2 * MIB)]));
  t.notOk(s.nodeReady(), 'waits for a second batch');
  t.same(s.getNodeUsage(['node1']), [undefined]);

  s.store(nodeBatch(['node1', point(START, START + 20 * SECOND, 20 * CORE_SECOND, 3 * MIB)]));
  t.ok(s.nodeReady());
  t.same(s.getNodeUsage(['node1', 'node2']), [
    { timestampMs: START + 20 * SECOND, windowNs: 10e9, usage: { cpuNanocores: CORE_SECOND, memoryBytes: 3 * MIB } },
    undefined,
  ]);

  s.store(nodeBatch(['node1', undefined]));
  t.same(s.getNodeUsage(['node1']), [undefined], 'a node answering without a node point is not served');
});

t.test('handle repeated node metric point', async (t) => {
  const s = newStore();
  const b = nodeBatch(['node1', point(START, START + 10 * SECOND, 10 * CORE_SECOND, 2 * MIB)]);
  s.store(b);
  s.store(b);
  t.same(s.getNodeUsage(['node1']), [undefined]);
  t.notOk(s.nodeReady());
});

t.test('exposes correct node metrics', async (t) => {
  const reported: [number, number][] = [];
  const s = newStore({ points: (n, c) => reported.push([n, c]), evicted() {} });
  t.same(reported, [], 'nothing reported before the first batch');
  s.store(nodeBatch(['node1', point(START, START + 10 * SECOND, 10 * CORE_SECOND, 2 * MIB)]));
  t.same(reported, [[0, 0]]);
  s.store(nodeBatch(['node1', point(START, START + 20 * SECOND, 21 * CORE_SECOND, 3 * MIB)]));
  t.same(reported, [[0, 0], [1, 0]]);
});

t.test('should detect node restart and skip metric', async (t) => {
  const s = newStore();
  s.store(nodeBatch(['node1', point(START, START + 10 * SECOND, 10 * CORE_SECOND, 2 * MIB)]));
  s.store(nodeBatch(['node1', point(START + 15 * SECOND, START + 20 * SECOND, 5 * CORE_SECOND, 3 * MIB)]));
  t.same(s.getNodeUsage(['node1']), [undefined]);
});

t.test('a node that restarted since the stored sample is not paired with it, even when its new counter is larger', async (t) => {
  const s = newStore();
  s.store(nodeBatch(['node1', point(START, START + 10 * SECOND, 10 * CORE_SECOND, 2 * MIB)]));
  // Rebooted at +12 s (its scrapes failed meanwhile): the new counter happens to be above the old one.
  s.store(nodeBatch(['node1', point(START + 12 * SECOND, START + 40 * SECOND, 25 * CORE_SECOND, 3 * MIB)]));
  t.same(s.getNodeUsage(['node1']), [undefined], 'no rate across the restart');
  s.store(nodeBatch(['node1', point(START + 12 * SECOND, START + 50 * SECOND, 30 * CORE_SECOND, 4 * MIB)]));
  t.same(s.getNodeUsage(['node1']), [{ timestampMs: START + 50 * SECOND, windowNs: 10e9, usage: { cpuNanocores: CORE_SECOND / 2, memoryBytes: 4 * MIB } }], 'served again from the next sample');
});

t.test('should return empty node metrics if decreased data point reported', async (t) => {
  const s = newStore();
  s.store(nodeBatch(['node1', point(START, START + 15 * SECOND, 50 * CORE_SECOND, 3 * MIB)]));
  s.store(nodeBatch(['node1', point(START, START + 25 * SECOND, 10 * CORE_SECOND, 5 * MIB)]));
  t.same(s.getNodeUsage(['node1']), [undefined]);
});

t.test('should handle metrics older than prev', async (t) => {
  const s = newStore();
  s.store(nodeBatch(['node1', point(START, START + 15 * SECOND, 10 * CORE_SECOND, 3 * MIB)]));
  s.store(nodeBatch(['node1', point(START, START + 35 * SECOND, 50 * CORE_SECOND, 5 * MIB)]));
  s.store(nodeBatch(['node1', point(START, START + 5 * SECOND, 6 * CORE_SECOND, 2 * MIB)]));
  t.same(s.getNodeUsage(['node1']), [undefined]);
});

t.test('should handle metrics prev.ts < newNode.ts < last.ts', async (t) => {
  const s = newStore();
  s.store(nodeBatch(['node1', point(START, START + 15 * SECOND, 10 * CORE_SECOND, 1 * MIB)]));
  s.store(nodeBatch(['node1', point(START, START + 35 * SECOND, 50 * CORE_SECOND, 4 * MIB)]));
  s.store(nodeBatch(['node1', point(START, START + 25 * SECOND, 35 * CORE_SECOND, 2 * MIB)]));
  t.same(s.getNodeUsage(['node1']), [
    { timestampMs: START + 25 * SECOND, windowNs: 10e9, usage: { cpuNanocores: 2.5 * CORE_SECOND, memoryBytes: 2 * MIB } },
  ]);
});

t.test('provides node metrics from stored batches when StartTime is zero', async (t) => {
  const s = newStore();
  s.store(nodeBatch(['node1', point(0, START + 10 * SECOND, 10 * CORE_SECOND, 2 * MIB)]));
  t.notOk(s.nodeReady());
  t.same(s.getNodeUsage(['node1']), [undefined]);
  s.store(nodeBatch(['node1', point(0, START + 20 * SECOND, 20 * CORE_SECOND, 3 * MIB)]));
  t.ok(s.nodeReady());
  t.same(s.getNodeUsage(['node1']), [
    { timestampMs: START + 20 * SECOND, windowNs: 10e9, usage: { cpuNanocores: CORE_SECOND, memoryBytes: 3 * MIB } },
  ]);
});
