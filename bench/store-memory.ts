// Heap bytes per pod of the store alone (not part of npm run bench; a diagnostic
// for where memory goes): N pods × 2 containers stored twice (last + previous
// point), measured with forced GCs: the JS heap and the typed arrays' backing
// stores, which live outside it. Run: node --expose-gc dist/bench/store-memory.js [pods]
import { MetricsStore } from '../src/store/index.js';
import type { MetricsBatch, NodeScrape } from '../src/scrape/types.js';

const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with --expose-gc');
const pods = Number(process.argv[2] ?? 150_000);
const perNode = 30;
const heap = () => {
  gc!();
  gc!();
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
};

function batch(t: number): MetricsBatch {
  const nodes = new Map<string, NodeScrape>();
  for (let n = 0; n < pods / perNode; n++) {
    const scrape: NodeScrape = { node: { timestampMs: t, startTimeMs: 1, startSubMsNs: 0, cpuSec: t / 1000, cpuNsec: 5, memoryBytes: 1e9 }, pods: [] };
    for (let p = 0; p < perNode; p++) {
      const i = n * perNode + p;
      // Names built as a decoder builds them: fresh strings every tick.
      scrape.pods.push({
        namespace: `ns-${i % 4}`,
        name: `web-${n + 1}-${i.toString(36).padStart(4, '0')}`,
        containers: ['main', 'sidecar'].map((c) => ({ name: c, timestampMs: t, startTimeMs: 1, startSubMsNs: 0, cpuSec: t / 1000, cpuNsec: 7, memoryBytes: 1e8 })),
      });
    }
    nodes.set(`sim-node-${n + 1}`, scrape);
  }
  return { nodes };
}

const h0 = heap();
const store = new MetricsStore({ metricResolutionNs: 15e9, maxSeries: 5000 + 5000 * 110 * 2, now: () => 0 });
store.store(batch(1_000_000));
store.store(batch(1_015_000));
const h1 = heap();
const t = performance.now();
store.store(batch(1_030_000));
const storeMs = performance.now() - t;
const h2 = heap();
for (let i = 4; i <= 8; i++) {
  store.store(batch(1_000_000 + i * 15_000));
  process.stdout.write(`after tick ${i}: ${Math.round((heap() - h0) / pods)} bytes per pod\n`);
}
process.stdout.write(
  `store: ${pods} pods × 2 containers: ${((h1 - h0) / 2 ** 20).toFixed(1)} MiB (heap and typed arrays), ${Math.round((h1 - h0) / pods)} bytes per pod; ` +
    `after a third tick ${Math.round((h2 - h0) / pods)} bytes per pod; store() of one tick ${storeMs.toFixed(0)} ms\n`,
);
