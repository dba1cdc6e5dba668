// Which previous point a new point is paired with: the rules of metrics-server
// pkg/storage/node.go and pod.go, applied to one series in the flat layout.

import type { MetricsPoint } from '../scrape/types.js';
import { CPU_NSEC, CPU_SEC, LAST, MEMORY, PREV, PREV_SUB_MS_NS, START, TS, clearPrev, copyToPrev, hasPrev, type Slots } from './layout.js';

/** A container started less than this before its sample is not trusted as fresh (upstream freshContainerMinMetricsResolution). */
export const FRESH_CONTAINER_MIN_MS = 10_000;

function writeLast(data: Slots, base: number, p: MetricsPoint): void {
  data[base + LAST + TS] = p.timestampMs;
  data[base + LAST + START] = p.startTimeMs;
  data[base + LAST + CPU_SEC] = p.cpuSec;
  data[base + LAST + CPU_NSEC] = p.cpuNsec;
  data[base + LAST + MEMORY] = p.memoryBytes;
}

/**
 * Sets the previous point at `to[base..]` from the stored series `from[fromBase..]`
 * (which may be the same slots) when the new point `p` can be paired with it:
 * a newer point demotes the stored last; a repeated or older one keeps the stored
 * prev only while that is still older than it. `from` undefined: nothing stored.
 * Takes the point, not its time: a double argument to a call that is not inlined
 * is a new heap number.
 */
function pairWithStored(from: Slots | undefined, fromBase: number, to: Slots, base: number, p: MetricsPoint): void {
  const ts = p.timestampMs;
  if (from === undefined) {
    clearPrev(to, base);
    return;
  }
  if (ts > from[fromBase + LAST + TS]!) {
    copyToPrev(from, fromBase + LAST, to, base + PREV);
    to[base + PREV_SUB_MS_NS] = 0;
  } else if (hasPrev(from, fromBase) && from[fromBase + PREV + TS]! < ts) {
    if (from !== to || fromBase !== base) {
      copyToPrev(from, fromBase + PREV, to, base + PREV);
      to[base + PREV_SUB_MS_NS] = from[fromBase + PREV_SUB_MS_NS]!;
    }
  } else {
    clearPrev(to, base);
  }
}

/**
 * Node: new point `p` replaces last; `stored` is the series' data when it had a
 * last point. A node whose start time is after the stored last sample has
 * restarted since (the resource source has no node start time: 0): its stored
 * points are dropped. The store keeps them across failed scrapes, so a rebooted
 * node's new counter must not be paired with them even when it is larger.
 */
export function storeNodePoint(stored: Slots | undefined, data: Slots, p: MetricsPoint): void {
  if (stored !== undefined && !(p.startTimeMs > stored[LAST + TS]!)) pairWithStored(stored, 0, data, 0, p);
  else clearPrev(data, 0);
  writeLast(data, 0, p);
}

/**
 * Container: as a node, plus the fresh-container shortcut (started at least
 * 10 s and less than one resolution before its sample: the start time becomes
 * the previous point with zero CPU) and restart detection (a start time not
 * before the stored last sample drops the stored points).
 */
export function storeContainerPoint(
  stored: Slots | undefined,
  storedBase: number,
  data: Slots,
  base: number,
  p: MetricsPoint,
  /** --metric-resolution in ms (a small integer for any whole-millisecond resolution: passed unboxed). */
  metricResolutionMs: number,
): void {
  // The container's age is ageMs ms less sub ns (its start time may have a sub-millisecond part);
  // both bounds compared to the nanosecond, as upstream compares durations.
  const ageMs = p.timestampMs - p.startTimeMs;
  const sub = p.startSubMsNs;
  const belowResolution = ageMs < metricResolutionMs || (ageMs === metricResolutionMs && sub > 0);
  const atLeastMinimum = ageMs > FRESH_CONTAINER_MIN_MS || (ageMs === FRESH_CONTAINER_MIN_MS && sub === 0);
  if (p.startTimeMs < p.timestampMs && belowResolution && atLeastMinimum) {
    data[base + PREV + TS] = p.startTimeMs;
    data[base + PREV + START] = p.startTimeMs;
    data[base + PREV + CPU_SEC] = 0;
    data[base + PREV + CPU_NSEC] = 0;
    data[base + PREV_SUB_MS_NS] = sub;
  } else if (stored !== undefined && p.startTimeMs < stored[storedBase + LAST + TS]!) {
    pairWithStored(stored, storedBase, data, base, p);
  } else {
    clearPrev(data, base);
  }
  writeLast(data, base, p);
}
