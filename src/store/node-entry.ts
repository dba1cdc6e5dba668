// What the store keeps per node: its point and all its pods' containers packed
// in one Float64Array and the slots (pod-table.ts) of its pods in one
// Int32Array, both in the order of its latest scrape. A tick of an unchanged
// node rewrites numbers in place; a changed one rewrites the arrays from the
// first pod that differs (commitTail), reallocating only when they must grow,
// or when they would be mostly empty.

import { STRIDE, clearPrev, type Slots } from './layout.js';

export interface NodeEntry {
  readonly name: string;
  /** What pod slots name as their owner (NodeEntries). */
  readonly id: number;
  /** Record 0: the node point (layout.ts); record 1 + i: the node's container i. May be longer than used. */
  data: Slots;
  /** False when the node's latest scrape had no complete node point. */
  hasPoint: boolean;
  /** Slots of the pods of the latest scrape, in its order, in [0, podCount). Containers follow the same order. */
  pods: Int32Array;
  podCount: number;
  /** Containers of the pods it holds: with the node itself, its weight against the series cap. */
  series: number;
  /** store() tick that last saw this node. */
  seenTick: number;
  /** False once removed from the cache (entries may still be referenced). */
  live: boolean;
}

const NO_PODS = new Int32Array(0);

/** Live node entries by id: a slot names its owner in 4 bytes, not an 8-byte reference. */
export class NodeEntries {
  readonly byId: (NodeEntry | undefined)[] = [];
  private readonly free: number[] = [];

  create(name: string): NodeEntry {
    const id = this.free.pop() ?? this.byId.length;
    const data = new Float64Array(STRIDE);
    clearPrev(data, 0);
    const e: NodeEntry = { name, id, data, hasPoint: false, pods: NO_PODS, podCount: 0, series: 0, seenTick: 0, live: false };
    this.byId[id] = e;
    return e;
  }

  /** Lets e's id go to the next node; no slot may name it as owner any more. */
  remove(e: NodeEntry): void {
    if (this.byId[e.id] !== e) return;
    this.byId[e.id] = undefined;
    this.free.push(e.id);
  }
}

/** Where container i's record starts in the node's data. */
export function containerBase(i: number): number {
  return (1 + i) * STRIDE;
}

/**
 * Ends a node's tick: its first `keptPods` pods and their `keptContainers`
 * containers stay where they are; the rest are replaced by `podCount` slots,
 * `containers` records (from `from`) taken from the start of the scratch arrays.
 */
export function commitTail(
  e: NodeEntry,
  keptPods: number,
  keptContainers: number,
  slots: Int32Array,
  podCount: number,
  from: Slots,
  containers: number,
): void {
  const pods = keptPods + podCount;
  if (needsRealloc(e.pods.length, pods, 0)) e.pods = resized(e.pods, new Int32Array(capacityFor(e.pods.length, pods, 0)), keptPods);
  for (let i = 0; i < podCount; i++) e.pods[keptPods + i] = slots[i]!;
  e.podCount = pods;

  // In whole records, the node's own (always there) included.
  const records = 1 + keptContainers + containers;
  const capacity = e.data.length / STRIDE;
  if (needsRealloc(capacity, records, 1)) {
    e.data = resized(e.data, new Float64Array(capacityFor(capacity, records, 1) * STRIDE), containerBase(keptContainers));
  }
  const at = containerBase(keptContainers);
  for (let i = 0; i < containers * STRIDE; i++) e.data[at + i] = from[i]!;

  e.series = keptContainers + containers;
}

/** Lets a forgotten node's pods go, keeping only its own record. */
export function releasePods(e: NodeEntry): void {
  e.pods = NO_PODS;
  e.podCount = 0;
  if (e.data.length > STRIDE) e.data = e.data.slice(0, STRIDE);
  e.series = 0;
}

/** Grows when too short; shrinks when less than half would be used (`base`: the part always there). */
function needsRealloc(capacity: number, length: number, base: number): boolean {
  return length > capacity || length - base < (capacity - base) >> 1;
}

/** Exactly what is needed on a first fill or a shrink; an eighth more on growth, so a node gaining a pod a tick does not reallocate every tick. */
function capacityFor(capacity: number, length: number, base: number): number {
  return length > capacity && capacity > base ? length + ((length - base) >> 3) : length;
}

function resized<T extends Int32Array | Float64Array>(from: T, to: T, keep: number): T {
  for (let i = 0; i < keep; i++) to[i] = from[i]!;
  return to;
}
