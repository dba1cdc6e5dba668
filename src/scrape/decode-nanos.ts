// Splits a cumulative CPU counter in nanoseconds into the (seconds, nanoseconds)
// pair MetricsPoint keeps, without losing precision past 2^53.

import type { MetricsPoint } from './types.js';

const TWO_POW_53 = 2 ** 53;
const TWO_POW_32 = 2 ** 32;
/** 2^32 mod 10^6. */
const TWO_POW_32_MOD_MS = 967_296;

/**
 * Writes `ns` (a non-negative integer-valued double) into point.cpuSec/cpuNsec.
 * Doubles at or above 2^53 are still exact integers, only sparse; BigInt keeps
 * the split exact there (a node of 64 cores passes 2^53 ns in about 1.6 days).
 */
export function setCpuNanos(point: MetricsPoint, ns: number): void {
  if (ns < TWO_POW_53) {
    let sec = Math.floor(ns / 1e9);
    let nsec = ns - sec * 1e9;
    // ns / 1e9 is rounded and can land on the wrong side of an integer.
    if (nsec < 0) {
      sec -= 1;
      nsec += 1e9;
    } else if (nsec >= 1e9) {
      sec += 1;
      nsec -= 1e9;
    }
    point.cpuSec = sec;
    point.cpuNsec = nsec;
    return;
  }
  const big = BigInt(ns);
  point.cpuSec = Number(big / 1_000_000_000n);
  point.cpuNsec = Number(big % 1_000_000_000n);
}

/**
 * Writes a time in nanoseconds since the epoch (an integer-valued double; any
 * date after April 1970 is past 2^53) into point.startTimeMs (floored) and
 * point.startSubMsNs, exactly and without a BigInt per container: ns mod 10^6
 * is taken from its high and low 32 bits, every step below 2^53.
 */
export function setStartNanos(point: MetricsPoint, ns: number): void {
  const hi = Math.floor(ns / TWO_POW_32); // exact: a power of two
  const lo = ns - hi * TWO_POW_32; // exact, 0 <= lo < 2^32
  const sub = ((((hi % 1e6) + 1e6) % 1e6) * TWO_POW_32_MOD_MS + lo) % 1e6;
  // ns - sub is a multiple of 10^6 up to the double's rounding (< 256 ns): rounding the quotient is exact.
  point.startTimeMs = Math.round((ns - sub) / 1e6);
  // As an int32 (it is below 10^6): the field then stays a small-integer field, as every other source writes 0 into it.
  point.startSubMsNs = sub | 0;
}
