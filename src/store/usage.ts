// Usage from two cumulative points, exactly as metrics-server's resourceUsage
// (pkg/storage/types.go): CPU = uint64(float64(Δcpu ns) / window.Seconds()),
// memory = the last working set, window = Δ timestamp, to the nanosecond.
// Errors (start time went back, counter went down) make the value unusable.

import { CPU_NSEC, CPU_SEC, LAST, MEMORY, PREV, PREV_SUB_MS_NS, START, TS, type Slots } from './layout.js';

const TWO_POW_53 = 2 ** 53;

/** Go's time.Duration(ns).Seconds(): whole seconds + remainder/1e9, in that order (ns an integer below 2^53). */
export function goSeconds(windowNs: number): number {
  const rem = windowNs % 1e9;
  const sec = (windowNs - rem) / 1e9;
  return sec + rem / 1e9;
}

/** Δ of two (sec, nsec) counters as the float64 Go gets from float64(uint64 Δ). Negative when it decreased. */
export function cpuDeltaNs(lastSec: number, lastNsec: number, prevSec: number, prevNsec: number): number {
  const dSec = lastSec - prevSec;
  const dNsec = lastNsec - prevNsec;
  const approx = dSec * 1e9 + dNsec;
  if (Math.abs(approx) < TWO_POW_53) return approx;
  // Above 2^53 the sum above could round twice; BigInt rounds once, like Go.
  return Number(BigInt(dSec) * 1_000_000_000n + BigInt(dNsec));
}

/** Result slot for usageOf, reused to avoid garbage on the read path. */
export interface UsageResult {
  cpuNanocores: number;
  memoryBytes: number;
  timestampMs: number;
  windowNs: number;
}

/**
 * Computes usage from the series at data[base..]: its last point and the
 * previous one. Returns false (and leaves `out` untouched) when upstream's
 * resourceUsage would return an error.
 */
export function usageOf(data: Slots, base: number, out: UsageResult): boolean {
  const last = base + LAST;
  const prev = base + PREV;
  if (data[last + START]! < data[prev + START]!) return false;
  const delta = cpuDeltaNs(data[last + CPU_SEC]!, data[last + CPU_NSEC]!, data[prev + CPU_SEC]!, data[prev + CPU_NSEC]!);
  if (delta < 0) return false;
  const windowNs = (data[last + TS]! - data[prev + TS]!) * 1e6 - data[base + PREV_SUB_MS_NS]!;
  out.cpuNanocores = Math.trunc(delta / goSeconds(windowNs));
  out.memoryBytes = data[last + MEMORY]!;
  out.timestampMs = data[last + TS]!;
  out.windowNs = windowNs;
  return true;
}
