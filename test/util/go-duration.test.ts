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

t.test("errors read as time.ParseDuration's", async (t) => {
  const cases: [string, string][] = [
    ['', 'time: invalid duration ""'],
    ['-', 'time: invalid duration "-"'],
    ['abc', 'time: invalid duration "abc"'],
    ['.s', 'time: invalid duration ".s"'],
    ['15', 'time: missing unit in duration "15"'],
    ['1s2', 'time: missing unit in duration "1s2"'],
    ['1.5', 'time: missing unit in duration "1.5"'],
    ['1x', 'time: unknown unit "x" in duration "1x"'],
    ['1m30sec', 'time: unknown unit "sec" in duration "1m30sec"'],
    ['1constructor', 'time: unknown unit "constructor" in duration "1constructor"'],
    ['3"s', 'time: unknown unit "\\"s" in duration "3\\"s"'],
    ['5é', 'time: unknown unit "\\xc3\\xa9" in duration "5\\xc3\\xa9"'],
    ['1\ts', 'time: unknown unit "\\x09s" in duration "1\\x09s"'],
  ];
  for (const [input, message] of cases) t.throws(() => parseGoDuration(input), { message }, JSON.stringify(input));
  t.equal(parseGoDuration('1.s'), 1e9, 'a dot without fraction digits');
  t.equal(parseGoDuration('+0'), 0);
});

t.test('past the exact range: refused by default, accepted up to a given bound', async (t) => {
  t.throws(() => parseGoDuration('3000h'), { message: 'time: invalid duration "3000h"' }, '3000h is past 2^53 ns');
  t.equal(parseGoDuration('3000h', 2 ** 63), 3000 * 3600e9);
  t.throws(() => parseGoDuration('3000000h', 2 ** 63), { message: 'time: invalid duration "3000000h"' }, 'past 2^63 ns, as Go');
});
