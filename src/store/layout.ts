// Flat layout of stored points: each node or container series is STRIDE
// numbers, the last point then the previous one, in one array per node or pod.
// No per-point objects. Plain (packed) arrays of doubles rather than
// Float64Array: V8 stores them unboxed too, and a small typed array costs ~290
// bytes against ~140 (the store's memory is dominated by these at 150k pods).

/** Point slots; always holds doubles (V8 keeps them unboxed). */
export type Slots = number[];

/** Zeros as packed doubles (a NaN pushed first fixes the kind), copied by newSlots. */
let zeros: number[] = [];

/**
 * Zeros in a packed array of doubles of exactly `length` (a slice of `zeros`).
 * Neither new Array(n) (holey: a load may meet a hole, so every value read is
 * boxed) nor small-integer zeros (another elements kind until the first double
 * lands, so the store's loads see two) would do: together they cost a heap
 * number per point value stored, 1.5 KB per 30-pod node per tick. Nor pushes:
 * they leave room for 43 values where 20 are kept.
 */
export function newSlots(length: number): Slots {
  if (zeros.length < length) {
    const z: number[] = [];
    for (let i = 0; i < 2 * length; i++) z.push(NaN);
    for (let i = 0; i < z.length; i++) z[i] = 0;
    zeros = z;
  }
  return zeros.slice(0, length);
}

export const TS = 0; // sample time, ms since epoch
export const START = 1; // start time, ms since epoch
export const CPU_SEC = 2; // cumulative CPU, whole seconds
export const CPU_NSEC = 3; // cumulative CPU, nanoseconds remainder
export const MEMORY = 4; // working set, bytes

export const POINT = 5;
export const LAST = 0;
export const PREV = POINT;
/**
 * Nanoseconds past the previous point's TS, 0..999_999: non-zero only when that
 * point is a container's start time (the fresh-container rule), which
 * /metrics/resource gives finer than a millisecond. Sample times are whole ms.
 */
export const PREV_SUB_MS_NS = 2 * POINT;
export const STRIDE = 2 * POINT + 1;

/** prev TS is NaN when there is no previous point. */
export function hasPrev(data: Slots, base: number): boolean {
  return !Number.isNaN(data[base + PREV + TS]!);
}

export function clearPrev(data: Slots, base: number): void {
  data[base + PREV + TS] = NaN;
}

/** Copies the point at data[from..from+POINT) to to[at..]. */
export function copyPoint(from: Slots, fromAt: number, to: Slots, at: number): void {
  to[at + TS] = from[fromAt + TS]!;
  to[at + START] = from[fromAt + START]!;
  to[at + CPU_SEC] = from[fromAt + CPU_SEC]!;
  to[at + CPU_NSEC] = from[fromAt + CPU_NSEC]!;
  to[at + MEMORY] = from[fromAt + MEMORY]!;
}
