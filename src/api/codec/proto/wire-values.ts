// JSON wire values → protobuf values: metav1.Time (RFC 3339 string → whole
// seconds) and metav1.Duration (Go duration string → int64 nanoseconds).
// Both are memoized for the last few strings: a list repeats the same
// creationTimestamp, and windows/timestamps repeat within a scrape tick.

import { DurationParseError, parseGoDuration } from '../../../util/go-duration.js';

export class WireValueError extends Error {}

/** Go duration string → nanoseconds (the shared parser, exact like time.ParseDuration). */
export function durationNanos(input: string): number {
  try {
    return parseGoDuration(input);
  } catch (e) {
    if (e instanceof DurationParseError) throw new WireValueError(e.message);
    throw e;
  }
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
