// Pods as small integers (slots) into columns, instead of one object each: at
// 150k pods an object of nine fields cost ~96 bytes a pod, the columns ~40.
// A slot's points live in its owner node's packed storage (node-entry.ts) at
// `first`; the slot itself only says where. Released slots are handed to the
// next new pod, so replacing pods (a rollout, a churn of Jobs) allocates nothing.

import type { NodeEntry } from './node-entry.js';

/** No slot: what the index answers for an unknown pod. */
export const NO_SLOT = -1;

const INITIAL_CAPACITY = 64;

export class PodTable {
  /** Namespace and name, '' when free. */
  readonly namespace: string[] = [];
  readonly name: string[] = [];
  /** Node whose scrape last stored the pod; undefined when free. A node's list may still name a slot it lost. */
  readonly owner: (NodeEntry | undefined)[] = [];
  /** First container's index among the owner's containers. */
  first = new Int32Array(INITIAL_CAPACITY);
  /** Containers, in the order of the latest scrape. */
  count = new Int32Array(INITIAL_CAPACITY);
  /** Containers with a previous point. */
  withPrev = new Int32Array(INITIAL_CAPACITY);
  /** Tick (modulo 2³²) that last stored the pod: the first answer in a tick wins. */
  seen = new Int32Array(INITIAL_CAPACITY);
  /** Hash of namespace and name (pod-index.ts). */
  hash = new Int32Array(INITIAL_CAPACITY);
  private readonly free: number[] = [];

  /** Slots in use. */
  get size(): number {
    return this.owner.length - this.free.length;
  }

  /** A free slot (a released one first), with its strings and numbers to be set by the caller. */
  alloc(): number {
    const reused = this.free.pop();
    if (reused !== undefined) return reused;
    const s = this.owner.length;
    if (s === this.first.length) this.grow();
    this.namespace.push('');
    this.name.push('');
    this.owner.push(undefined);
    return s;
  }

  /** Frees s; its strings are let go so that they can be collected. */
  release(s: number): void {
    this.namespace[s] = '';
    this.name[s] = '';
    this.owner[s] = undefined;
    this.seen[s] = 0;
    this.free.push(s);
  }

  /** By half again: doubling would leave a quarter of the columns unused on average. */
  private grow(): void {
    const capacity = this.first.length + (this.first.length >> 1);
    this.first = grown(this.first, capacity);
    this.count = grown(this.count, capacity);
    this.withPrev = grown(this.withPrev, capacity);
    this.seen = grown(this.seen, capacity);
    this.hash = grown(this.hash, capacity);
  }
}

function grown(a: Int32Array, capacity: number): Int32Array<ArrayBuffer> {
  const b = new Int32Array(capacity);
  b.set(a);
  return b;
}
