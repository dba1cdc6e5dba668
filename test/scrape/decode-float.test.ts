// Sample values are accepted exactly where Go's strconv.ParseFloat (behind
// Prometheus' p/P/_ check) accepts them, and round the same way.
import t from 'tap';
import { parseGoFloat, parseSimpleFloat, type FloatResult } from '../../src/scrape/decode-float.js';

function parse(s: string): FloatResult {
  const out: FloatResult = { value: 0, error: undefined };
  const b = Buffer.from(s, 'latin1');
  parseGoFloat(b, 0, b.length, out);
  return out;
}

t.test('accepted forms', async (t) => {
  const cases: [string, number][] = [
    ['0', 0],
    ['4.710169', 4.710169],
    ['1.253376e+07', 12533760],
    ['1.633252712e+9', 1633252712],
    ['.5', 0.5],
    ['5.', 5],
    ['-0.000001', -0.000001],
    ['+3', 3],
    ['1E3', 1000],
    ['6.7953645788713455e+09', 6795364578.8713455],
    ['123456789012345678901234567890', 1.2345678901234568e29],
    ['0.1000000000000000055511151231257827', 0.1], // more digits than a double holds
    ['2.2250738585072011e-308', Number('2.2250738585072011e-308')], // Go's historic slow-path case
    ['1e-400', 0],
    ['Inf', Infinity],
    ['-inf', -Infinity],
    ['+Infinity', Infinity],
  ];
  for (const [s, want] of cases) {
    const r = parse(s);
    t.equal(r.error, undefined, `${s} parses`);
    t.equal(r.value, want, s);
  }
  t.ok(Number.isNaN(parse('NaN').value));
  t.ok(Number.isNaN(parse('nan').value));
});

t.test('rejected forms', async (t) => {
  const cases: [string, string][] = [
    ['', 'invalid syntax'],
    ['.', 'invalid syntax'],
    ['e5', 'invalid syntax'],
    ['1e', 'invalid syntax'],
    ['1e+', 'invalid syntax'],
    ['0x10', 'invalid syntax'],
    ['1.2.3', 'invalid syntax'],
    ['+nan', 'invalid syntax'],
    ['infinit', 'invalid syntax'],
    ['true', 'invalid syntax'],
    ['1,5', 'invalid syntax'],
    ['1_000', 'unsupported character in float'],
    ['0x1p-3', 'unsupported character in float'],
    ['1e400', 'value out of range'],
    ['-1e309', 'value out of range'],
  ];
  for (const [s, want] of cases) t.equal(parse(s).error, want, JSON.stringify(s));
});

t.test('parseSimpleFloat: the fast path for plain values agrees with parseGoFloat', async (t) => {
  const simple = (s: string): [number, number] => {
    const out: FloatResult = { value: 0, error: undefined };
    const b = Buffer.from(s, 'latin1');
    return [parseSimpleFloat(b, 0, b.length, out), out.value];
  };
  // Read to their end, with the value parseGoFloat gives.
  for (const s of ['0', '7', '4.710169', '1.253376e+07', '1.633252712e+9', '1E3', '.5', '5.', '0.000001', '000123.4500', '123456789012345', '0.00000000000000000001', '1e22', '9e-22', '1157.043921401']) {
    const [end, value] = simple(s);
    t.equal(end, s.length, `${s} read to its end`);
    t.equal(value, parse(s).value, s);
  }
  // Stops where such a number cannot go on; the caller checks what follows.
  t.same(simple('12 34'), [2, 12]);
  t.same(simple('1.5.3'), [3, 1.5]);
  t.same(simple('1_0'), [1, 1]);
  t.same(simple('2x'), [1, 2]);
  t.same(simple('1e00005'), [6, 1], 'exponents of four digits at most');
  // Left to parseGoFloat: signs, words, 16+ significant digits, exponents past ±22, no digit.
  for (const s of ['-1', '+1', 'NaN', 'Inf', '1234567890123456', '0.1000000000000000055', '1e23', '1e-23', '1e400', '.', '', 'e5', '1e', '1e+']) {
    t.equal(simple(s)[0], -1, `${JSON.stringify(s)} left to parseGoFloat`);
  }
  // Random digit strings with points and exponents: wherever the fast path reads
  // a whole value, its result is parseGoFloat's.
  let seed = 11;
  const rand = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  let agreed = 0;
  for (let k = 0; k < 20000; k++) {
    let s = '';
    const len = 1 + Math.floor(rand() * 20);
    for (let i = 0; i < len; i++) s += rand() < 0.85 ? String(Math.floor(rand() * 10)) : '.eE+-'[Math.floor(rand() * 5)]!;
    const [end, value] = simple(s);
    if (end !== s.length) continue;
    const go = parse(s);
    if (go.error !== undefined || !Object.is(go.value, value)) t.fail(`${s}: fast ${value}, parseGoFloat ${go.value} ${go.error ?? ''}`);
    agreed++;
  }
  t.ok(agreed > 5000, `${agreed} random values read by both`);
});
