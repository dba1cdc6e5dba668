// Flat layout of stored points: each node or container series is STRIDE
// float64 slots in a Float64Array, the last point then the previous one. No
// per-point objects: a container costs 80 bytes of point data.

export const TS = 0; // sample time, ms since epoch
export const START = 1; // start time, ms since epoch
export const CPU_SEC = 2; // cumulative CPU, whole seconds
export const CPU_NSEC = 3; // cumulative CPU, nanoseconds remainder
export const MEMORY = 4; // working set, bytes

export const POINT = 5;
export const LAST = 0;
export const PREV = POINT;
export const STRIDE = 2 * POINT;

/** prev TS is NaN when there is no previous point. */
export function hasPrev(data: Float64Array, base: number): boolean {
  return !Number.isNaN(data[base + PREV + TS]!);
}

export function clearPrev(data: Float64Array, base: number): void {
  data[base + PREV + TS] = NaN;
}

/** Copies the point at data[from..from+POINT) to to[at..]. */
export function copyPoint(from: Float64Array, fromAt: number, to: Float64Array, at: number): void {
  to[at + TS] = from[fromAt + TS]!;
  to[at + START] = from[fromAt + START]!;
  to[at + CPU_SEC] = from[fromAt + CPU_SEC]!;
  to[at + CPU_NSEC] = from[fromAt + CPU_NSEC]!;
  to[at + MEMORY] = from[fromAt + MEMORY]!;
}
