// Usage from two cumulative points, exactly as metrics-server's resourceUsage
// (pkg/storage/types.go): CPU = uint64(float64(Δcpu ns) / window.Seconds()),
// memory = the last working set, window = Δ timestamp. Errors (start time went
// back, counter went down) make the value unusable.

import { CPU_NSEC, CPU_SEC, MEMORY, START, TS, type Slots } from './layout.js';

const TWO_POW_53 = 2 ** 53;

/** Go's time.Duration(ms * 1e6).Seconds(): whole seconds + remainder/1e9, in that order. */
export function goSeconds(windowMs: number): number {
  const remMs = windowMs % 1000;
  const sec = (windowMs - remMs) / 1000;
  return sec + (remMs * 1e6) / 1e9;
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
 * Computes usage from the last point at data[last..] and the previous point at
 * data[prev..]. Returns false (and leaves `out` untouched) when upstream's
 * resourceUsage would return an error.
 */
export function usageOf(data: Slots, last: number, prev: number, out: UsageResult): boolean {
  if (data[last + START]! < data[prev + START]!) return false;
  const delta = cpuDeltaNs(data[last + CPU_SEC]!, data[last + CPU_NSEC]!, data[prev + CPU_SEC]!, data[prev + CPU_NSEC]!);
  if (delta < 0) return false;
  const windowMs = data[last + TS]! - data[prev + TS]!;
  out.cpuNanocores = Math.trunc(delta / goSeconds(windowMs));
  out.memoryBytes = data[last + MEMORY]!;
  out.timestampMs = data[last + TS]!;
  out.windowNs = windowMs * 1e6;
  return true;
}
