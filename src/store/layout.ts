// Flat layout of stored points: each node or container series is one record
// of STRIDE numbers, the last point then the previous one (without its working
// set). A node keeps its own record and those of all its pods' containers in
// one Float64Array (node-entry.ts): no per-point or per-pod objects, and no
// array per pod (one cost ~290 bytes as a small typed array, ~140 as a packed
// array of doubles, against 160 for two containers' numbers).

/** Point records: always doubles. */
export type Slots = Float64Array;

export const TS = 0; // sample time, ms since epoch
export const START = 1; // start time, ms since epoch
export const CPU_SEC = 2; // cumulative CPU, whole seconds
export const CPU_NSEC = 3; // cumulative CPU, nanoseconds remainder
export const MEMORY = 4; // working set, bytes

export const POINT = 5;
export const LAST = 0;
/** The previous point, without its working set: usage takes the last one's (a double per series saved). */
export const PREV = POINT;
/**
 * Nanoseconds past the previous point's TS, 0..999_999: non-zero only when that
 * point is a container's start time (the fresh-container rule), which
 * /metrics/resource gives finer than a millisecond. Sample times are whole ms.
 */
export const PREV_SUB_MS_NS = PREV + CPU_NSEC + 1;
export const STRIDE = PREV_SUB_MS_NS + 1;

/** prev TS is NaN when there is no previous point. */
export function hasPrev(data: Slots, base: number): boolean {
  return !Number.isNaN(data[base + PREV + TS]!);
}

export function clearPrev(data: Slots, base: number): void {
  data[base + PREV + TS] = NaN;
}

/** Copies what a previous point keeps of the point at from[fromAt..] (the last or the previous one) to to[at..]. */
export function copyToPrev(from: Slots, fromAt: number, to: Slots, at: number): void {
  to[at + TS] = from[fromAt + TS]!;
  to[at + START] = from[fromAt + START]!;
  to[at + CPU_SEC] = from[fromAt + CPU_SEC]!;
  to[at + CPU_NSEC] = from[fromAt + CPU_NSEC]!;
}
