// The rate arithmetic must match Go bit for bit: a truncated nanocore value
// flips when the window's seconds are off by one ulp.
import t from 'tap';
import { cpuDeltaNs, goSeconds, usageOf, type UsageResult } from '../../src/store/usage.js';
import { LAST, PREV, PREV_SUB_MS_NS, STRIDE } from '../../src/store/layout.js';
import { MetricsStore } from '../../src/store/index.js';
import { START, nodeBatch, point } from './batches.js';

t.test('goSeconds is whole seconds plus the remainder over 1e9, as time.Duration.Seconds()', async (t) => {
  t.equal(goSeconds(10_000e6), 10);
  t.equal(goSeconds(15_002e6), 15.002);
  // 10 + 0.274 rounds differently from 10274 / 1000 (Go prints 10.274000000000001).
  t.equal(goSeconds(10_274e6), 10.274000000000001);
  t.not(goSeconds(10_274e6), 10_274 / 1000);
  t.equal(goSeconds(999e6), 0.999);
  t.equal(goSeconds(12_705_764_288), 12 + 0.705764288, 'nanoseconds too');
});

t.test('a window where plain ms/1000 would give a different truncated rate', async (t) => {
  const s = new MetricsStore({ metricResolutionNs: 60e9, maxSeries: 10 });
  s.store(nodeBatch(['n', point(START, START, 5e9, 1)]));
  s.store(nodeBatch(['n', point(START, START + 10_274, 5e9 + 1_000_004_379, 1)]));
  // Go: uint64(float64(1000004379) / 10.274000000000001) = 97333499; /10.274 would give 97333500.
  t.equal(s.getNodeUsage(['n'])[0]?.usage.cpuNanocores, 97_333_499);
  t.equal(s.getNodeUsage(['n'])[0]?.windowNs, 10_274_000_000);
});

t.test('cumulative counters beyond 2^53 ns keep exact deltas', async (t) => {
  // A node counter near 2^64 ns: 18446744073 s + 709551615 ns.
  t.equal(cpuDeltaNs(18446744073, 709_551_615, 18446744063, 709_551_614), 10e9 + 1);
  // Δ above 2^53 rounds once, like float64(uint64).
  t.equal(cpuDeltaNs(18446744073, 709_551_615, 0, 0), Number(18446744073709551615n));
  t.equal(cpuDeltaNs(9007199, 254_740_993, 0, 0), Number(9007199254740993n), "2^53 + 1 rounds to even, once");
  t.ok(cpuDeltaNs(100, 0, 100, 1) < 0, 'a decrease is negative');
});

t.test('usageOf rejects a start time going back and a decreasing counter', async (t) => {
  const data = new Float64Array(STRIDE);
  const put = (at: number, values: number[]) => values.forEach((v, i) => (data[at + i] = v));
  const out: UsageResult = { cpuNanocores: -1, memoryBytes: -1, timestampMs: -1, windowNs: -1 };
  // last: ts 20s, start 5, cpu 20s; prev: ts 10s, start 6 (later start than last)
  put(LAST, [20_000, 5, 20, 0, 7]);
  put(PREV, [10_000, 6, 10, 0]);
  t.notOk(usageOf(data, 0, out));
  put(PREV, [10_000, 5, 30, 0]);
  t.notOk(usageOf(data, 0, out), 'cpu went down');
  t.equal(out.cpuNanocores, -1, 'output untouched on error');
  put(PREV, [10_000, 5, 10, 0]);
  t.ok(usageOf(data, 0, out));
  t.same(out, { cpuNanocores: 1e9, memoryBytes: 7, timestampMs: 20_000, windowNs: 10e9 });
  // A previous point 0.25 ms past its whole millisecond (a start time from /metrics/resource).
  data[PREV_SUB_MS_NS] = 250_000;
  t.ok(usageOf(data, 0, out));
  t.same(out, { cpuNanocores: Math.trunc(10e9 / (9 + 0.99975)), memoryBytes: 7, timestampMs: 20_000, windowNs: 9_999_750_000 });
});
