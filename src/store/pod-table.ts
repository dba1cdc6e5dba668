// Pods as small integers (slots) into columns, instead of one object each: at
// 150k pods an object of nine fields cost ~96 bytes a pod; the columns cost 36
// (a name reference and seven 32-bit numbers), plus the room grown into.
// A slot's points live in its owner node's packed storage (node-entry.ts) at
// `first`; the slot itself only says where. Released slots are handed to the
// next new pod, so replacing pods (a rollout, a churn of Jobs) allocates nothing.

import { NameLists } from './name-lists.js';
import { Namespaces } from './namespaces.js';

/** No slot: what the index answers for an unknown pod. */
export const NO_SLOT = -1;
/** The owner of a free slot. */
export const NO_NODE = -1;

const INITIAL_CAPACITY = 64;

export class PodTable {
  readonly namespaces = new Namespaces();
  readonly lists = new NameLists();
  /** Name, '' when free. */
  readonly name: string[] = [];
  /** Namespace id (namespaces.ts). */
  ns = new Int32Array(INITIAL_CAPACITY);
  /** Id of the node whose scrape last stored the pod (node-entry.ts); NO_NODE when free. A node's list may still name a slot it lost. */
  owner = new Int32Array(INITIAL_CAPACITY);
  /** First container's index among the owner's containers. */
  first = new Int32Array(INITIAL_CAPACITY);
  /** Id of its containers' names, in the order of the latest scrape (name-lists.ts). */
  list = new Int32Array(INITIAL_CAPACITY);
  /** Containers with a previous point. */
  withPrev = new Int32Array(INITIAL_CAPACITY);
  /** Tick (modulo 2³²) that last stored the pod: the first answer in a tick wins. */
  seen = new Int32Array(INITIAL_CAPACITY);
  /** Hash of namespace and name (pod-index.ts). */
  hash = new Int32Array(INITIAL_CAPACITY);
  private readonly free: number[] = [];

  /** Slots ever handed out: free or in use. */
  get extent(): number {
    return this.name.length;
  }

  /** Slots in use. */
  get size(): number {
    return this.name.length - this.free.length;
  }

  /** The names of slot s's containers. */
  containersOf(s: number): readonly string[] {
    return this.lists.names[this.list[s]!]!;
  }

  /** The namespace of slot s. */
  namespaceOf(s: number): string {
    return this.namespaces.names[this.ns[s]!]!;
  }

  /** A free slot (a released one first), its columns to be set by the caller. */
  alloc(): number {
    const reused = this.free.pop();
    if (reused !== undefined) return reused;
    const s = this.name.length;
    if (s === this.first.length) this.grow();
    this.name.push('');
    this.owner[s] = NO_NODE;
    return s;
  }

  /** Frees s; its name is let go so that it can be collected. */
  release(s: number): void {
    this.name[s] = '';
    this.owner[s] = NO_NODE;
    this.seen[s] = 0;
    this.free.push(s);
  }

  /** By a quarter: room grown into and not used is an eighth of the columns on average (doubling: a quarter). */
  private grow(): void {
    const capacity = this.first.length + (this.first.length >> 2);
    this.ns = grown(this.ns, capacity);
    this.owner = grown(this.owner, capacity);
    this.first = grown(this.first, capacity);
    this.list = grown(this.list, capacity);
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
