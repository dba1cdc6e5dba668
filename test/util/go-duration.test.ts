import t from 'tap';
import { formatGoDuration, parseGoDuration } from '../../src/util/go-duration.js';

t.test('formats like Go Duration.String()', async (t) => {
  const cases: [number, string][] = [
    [0, '0s'], [1, '1ns'], [1500, '1.5µs'], [1000, '1µs'], [500e6, '500ms'], [15e9, '15s'],
    [15.002e9, '15.002s'], [20.029e9, '20.029s'], [60e9, '1m0s'], [60.5e9, '1m0.5s'], [61.234e9, '1m1.234s'],
    [3600e9, '1h0m0s'], [14998123456, '14.998123456s'], [-2e6, '-2ms'],
  ];
  for (const [ns, s] of cases) t.equal(formatGoDuration(ns), s, `${ns} ns`);
});

t.test('parses Go duration syntax', async (t) => {
  const cases: [string, number][] = [
    ['15s', 15e9], ['1m30s', 90e9], ['1.5h', 5400e9], ['300ms', 300e6], ['0', 0], ['1h2m3s', 3723e9], ['2us', 2000], ['2µs', 2000], ['-1s', -1e9], ['.5s', 0.5e9], ['15.000065s', 15000065000], ['1.000001s', 1000001000], ['2.5ms', 2500000], ['0.001s', 1e6],
  ];
  for (const [s, ns] of cases) t.equal(parseGoDuration(s), ns, s);
  for (let i = 0; i < 1_000_000; i += 997) {
    const frac = String(i).padStart(6, '0');
    t.equal(parseGoDuration(`15.${frac}s`), 15e9 + i * 1000, `15.${frac}s exact`);
  }
  for (const bad of ['', '15', 'abc', '1x', 's', '1s2']) t.throws(() => parseGoDuration(bad), bad);
});
