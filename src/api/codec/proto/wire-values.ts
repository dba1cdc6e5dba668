// JSON wire values → protobuf values: metav1.Time (RFC 3339 string → whole
// seconds) and metav1.Duration (Go duration string → int64 nanoseconds).
// Both are memoized for the last few strings: a list repeats the same
// creationTimestamp, and windows/timestamps repeat within a scrape tick.

export class WireValueError extends Error {}

const UNIT_NS: Record<string, number> = { ns: 1, us: 1e3, 'µs': 1e3, 'μs': 1e3, ms: 1e6, s: 1e9, m: 60e9, h: 3600e9 };
const COMPONENT = /(\d*)(?:\.(\d*))?(ns|us|µs|μs|ms|s|m|h)/y;

/**
 * Parses a Go duration string as time.ParseDuration does, with its arithmetic:
 * whole × unit + trunc(fraction × (unit / 10^digits)), which is exact for every
 * string Duration.String() prints (the float64 in utils/go-duration is not, for
 * fractions finer than a millisecond).
 */
export function durationNanos(input: string): number {
  let s = input;
  let sign = 1;
  if (s[0] === '-' || s[0] === '+') {
    if (s[0] === '-') sign = -1;
    s = s.slice(1);
  }
  if (s === '0') return 0;
  if (s === '') throw new WireValueError(`time: invalid duration "${input}"`);
  let total = 0;
  COMPONENT.lastIndex = 0;
  while (COMPONENT.lastIndex < s.length) {
    const m = COMPONENT.exec(s);
    if (!m || (m[1] === '' && !m[2])) throw new WireValueError(`time: invalid duration "${input}"`);
    const unit = UNIT_NS[m[3]!]!;
    total += (m[1] === '' ? 0 : Number(m[1])) * unit;
    const frac = m[2];
    if (frac) {
      // Go keeps at most the digits that fit an int64; 18 are plenty for ns.
      const digits = frac.length > 18 ? frac.slice(0, 18) : frac;
      total += Math.trunc(Number(digits) * (unit / 10 ** digits.length));
    }
  }
  if (!Number.isSafeInteger(total)) throw new WireValueError(`time: invalid duration "${input}"`);
  return sign * total;
}

/** metav1.Time on the protobuf wire carries whole seconds only (time_proto.go). */
export function timeSeconds(rfc3339: string): number {
  const ms = Date.parse(rfc3339);
  if (Number.isNaN(ms)) throw new WireValueError(`parsing time "${rfc3339}" as RFC 3339 failed`);
  return Math.floor(ms / 1000);
}

/** A two-entry memo: lists alternate between few distinct values. */
function memo2(fn: (s: string) => number): (s: string) => number {
  let k1: string | undefined;
  let v1 = 0;
  let k2: string | undefined;
  let v2 = 0;
  return (s) => {
    if (s === k1) return v1;
    if (s === k2) return v2;
    const v = fn(s);
    k2 = k1;
    v2 = v1;
    k1 = s;
    v1 = v;
    return v;
  };
}

export const cachedDurationNanos = memo2(durationNanos);
export const cachedTimeSeconds = memo2(timeSeconds);
