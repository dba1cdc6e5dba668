// Go time.Duration syntax: parse flags like "1m30s" and render windows like "15.002s"
// exactly as Go's Duration.String() does. Values are nanoseconds held in a number;
// durations up to 2^53 ns (~104 days) are exact, which covers every flag and window.

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

/** Parses a Go duration string ("15s", "1m30s", "1.5h", "-2ms", "0") into nanoseconds. */
export function parseGoDuration(input: string): number {
  let s = input;
  let sign = 1;
  if (s.startsWith('-') || s.startsWith('+')) {
    if (s[0] === '-') sign = -1;
    s = s.slice(1);
  }
  if (s === '0') return 0;
  if (s === '') throw new DurationParseError(`time: invalid duration "${input}"`);
  let total = 0;
  const re = /^(\d*)(?:\.(\d*))?(ns|us|µs|μs|ms|s|m|h)/;
  while (s.length > 0) {
    const m = re.exec(s);
    if (!m || (m[1] === '' && (m[2] === undefined || m[2] === ''))) {
      if (/^[\d.]+$/.test(s)) throw new DurationParseError(`time: missing unit in duration "${input}"`);
      throw new DurationParseError(`time: invalid duration "${input}"`);
    }
    const unit = UNITS[m[3]!]!;
    const whole = m[1] === '' ? 0 : Number(m[1]);
    let frac = 0;
    // Go: v += uint64(float64(f) * (float64(unit) / scale)), f the fraction digits as an integer.
    if (m[2]) {
      const digits = m[2].slice(0, 18); // Go stops accumulating once f would overflow
      frac = Math.trunc(Number(digits) * (unit / 10 ** digits.length));
    }
    total += whole * unit + frac;
    s = s.slice(m[0].length);
  }
  if (!Number.isFinite(total) || total > Number.MAX_SAFE_INTEGER) {
    throw new DurationParseError(`time: invalid duration "${input}"`);
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
