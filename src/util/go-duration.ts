// Go time.Duration syntax: parse flags like "1m30s" and render windows like "15.002s"
// exactly as Go's Duration.String() does. Values are nanoseconds held in a number;
// durations up to 2^53 ns (~104 days) are exact, which covers every flag and window.

import { Buffer } from 'node:buffer';

const UNITS: Record<string, number> = {
  ns: 1,
  us: 1e3,
  'µs': 1e3, // U+00B5 micro sign
  'μs': 1e3, // U+03BC greek mu
  ms: 1e6,
  s: 1e9,
  m: 60e9,
  h: 3600e9,
};

export class DurationParseError extends Error {}

/**
 * Go's time.quote, not strconv.Quote (util/go-quote.ts): `"` and `\` escaped, and every byte
 * of a control or non-ASCII character as \xNN, printable Unicode included ("5é" → "5\xc3\xa9").
 */
function quote(s: string): string {
  let out = '"';
  for (const byte of Buffer.from(s, 'utf8')) {
    if (byte < 0x20 || byte >= 0x80) out += `\\x${byte.toString(16).padStart(2, '0')}`;
    else if (byte === 0x22 || byte === 0x5c) out += `\\${String.fromCharCode(byte)}`;
    else out += String.fromCharCode(byte);
  }
  return out + '"';
}

const isDigit = (c: string | undefined): boolean => c !== undefined && c >= '0' && c <= '9';

/**
 * Parses a Go duration string ("15s", "1m30s", "1.5h", "-2ms", "0") into
 * nanoseconds, with time.ParseDuration's steps and error messages. Values past
 * maxNs (default 2^53 ns, the exact range of a number) are refused as Go
 * refuses those past 2^63 - 1.
 */
export function parseGoDuration(input: string, maxNs = Number.MAX_SAFE_INTEGER): number {
  const invalid = () => new DurationParseError(`time: invalid duration ${quote(input)}`);
  let s = input;
  let sign = 1;
  if (s[0] === '-' || s[0] === '+') {
    if (s[0] === '-') sign = -1;
    s = s.slice(1);
  }
  if (s === '0') return 0;
  if (s === '') throw invalid();
  let total = 0;
  while (s !== '') {
    // A number: digits, then optionally '.' and more digits; at least one digit in all.
    if (!(s[0] === '.' || isDigit(s[0]))) throw invalid();
    let i = 0;
    while (isDigit(s[i])) i++;
    const whole = s.slice(0, i);
    let fraction = '';
    if (s[i] === '.') {
      const from = ++i;
      while (isDigit(s[i])) i++;
      fraction = s.slice(from, i);
    }
    if (whole === '' && fraction === '') throw invalid();
    // The unit: everything up to the next number.
    let j = i;
    while (j < s.length && s[j] !== '.' && !isDigit(s[j])) j++;
    if (j === i) throw new DurationParseError(`time: missing unit in duration ${quote(input)}`);
    const unitName = s.slice(i, j);
    const unit = Object.hasOwn(UNITS, unitName) ? UNITS[unitName] : undefined;
    if (unit === undefined) throw new DurationParseError(`time: unknown unit ${quote(unitName)} in duration ${quote(input)}`);
    // Go: v += uint64(float64(f) * (float64(unit) / scale)), f the fraction digits as an integer.
    const digits = fraction.slice(0, 18); // Go stops accumulating once f would overflow
    const frac = digits === '' ? 0 : Math.trunc(Number(digits) * (unit / 10 ** digits.length));
    total += (whole === '' ? 0 : Number(whole)) * unit + frac;
    if (!Number.isFinite(total) || total > maxNs) throw invalid();
    s = s.slice(j);
  }
  return sign * total;
}

/** Renders nanoseconds as Go's Duration.String(): "0s", "500ms", "1.5µs", "15.002s", "1m0s", "1h0m0s". */
export function formatGoDuration(ns: number): string {
  if (ns === 0) return '0s';
  const neg = ns < 0;
  let u = Math.abs(Math.trunc(ns));
  let out: string;
  if (u < 1e9) {
    // Sub-second: pick ns, µs or ms with a fraction.
    let unit: string;
    let prec: number;
    if (u < 1e3) {
      return (neg ? '-' : '') + `${u}ns`;
    } else if (u < 1e6) {
      unit = 'µs';
      prec = 3;
    } else {
      unit = 'ms';
      prec = 6;
    }
    out = fraction(u, prec) + unit;
  } else {
    const secPart = fraction(u % 60e9, 9) + 's';
    u = Math.floor(u / 60e9);
    if (u > 0) {
      const mins = u % 60;
      u = Math.floor(u / 60);
      out = `${mins}m` + secPart;
      if (u > 0) out = `${u}h` + out;
    } else {
      out = secPart;
    }
  }
  return (neg ? '-' : '') + out;
}

// Formats v / 10^prec with trailing zeros (and a bare point) removed, like Go's fmtFrac+fmtInt.
function fraction(v: number, prec: number): string {
  const div = 10 ** prec;
  const whole = Math.floor(v / div);
  const rest = v - whole * div;
  if (rest === 0) return String(whole);
  const digits = String(rest).padStart(prec, '0').replace(/0+$/, '');
  return `${whole}.${digits}`;
}
