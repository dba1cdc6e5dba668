// Sample values are accepted exactly where Go's strconv.ParseFloat (behind
// Prometheus' p/P/_ check) accepts them, and round the same way.
import t from 'tap';
import { parseGoFloat, type FloatResult } from '../../src/scrape/decode-float.js';

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
