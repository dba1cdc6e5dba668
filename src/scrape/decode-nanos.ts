// Splits a cumulative CPU counter in nanoseconds into the (seconds, nanoseconds)
// pair MetricsPoint keeps, without losing precision past 2^53.

import type { MetricsPoint } from './types.js';

const TWO_POW_53 = 2 ** 53;

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
