// The weighted freshness histogram exports exactly what prom-client's Histogram
// exports for the same observations, one call per (value, count) instead of
// count calls.
import t from 'tap';
import { Histogram, Registry, exponentialBuckets } from 'prom-client';
import { WeightedHistogram } from '../../src/server/weighted-histogram.js';

const buckets = exponentialBuckets(1, 1.364, 20);
const observations: [number, number][] = [
  [0.2, 3],
  [1, 2],
  [1.364, 1],
  [4.5, 1000],
  [7.25, 7],
  [250, 2], // above every bound: only +Inf
  [1e6, 1],
];

t.test('n observations in one call export as n prom-client observe() calls', async (t) => {
  const ours = new Registry();
  const theirs = new Registry();
  const w = new WeightedHistogram({ name: 'fresh_seconds', help: 'Freshness', buckets, registers: [ours] });
  const h = new Histogram({ name: 'fresh_seconds', help: 'Freshness', buckets, registers: [theirs] });
  for (const [v, n] of observations) {
    w.observe(v, n);
    for (let i = 0; i < n; i++) h.observe(v);
  }
  t.equal(await ours.metrics(), await theirs.metrics(), 'same text exposition');
  const samples = async (r: Registry): Promise<unknown[]> =>
    (await r.getMetricsAsJSON()).flatMap((m) => m.values.map((v) => ({ name: (v as { metricName?: string }).metricName, labels: v.labels, value: v.value })));
  t.same(await samples(ours), await samples(theirs), 'same samples as JSON');
});

t.test('count defaults to one; bad values and counts are ignored; reset empties it', async (t) => {
  const reg = new Registry();
  const w = new WeightedHistogram({ name: 'h', help: 'h', buckets: [1, 2], registers: [reg] });
  w.observe(1.5);
  w.observe(Number.NaN, 4);
  w.observe(Infinity);
  w.observe(1, 0);
  w.observe(1, -3);
  const text = await reg.metrics();
  t.match(text, /^h_bucket\{le="1"\} 0$/m);
  t.match(text, /^h_bucket\{le="2"\} 1$/m);
  t.match(text, /^h_bucket\{le="\+Inf"\} 1$/m);
  t.match(text, /^h_sum 1\.5$/m);
  t.match(text, /^h_count 1$/m);
  reg.resetMetrics();
  t.match(await reg.metrics(), /^h_count 0$/m);
});
