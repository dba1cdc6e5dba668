// Live pods' slots (pod-table.ts) by namespace and name: an open-addressing
// table of slot numbers (linear probing) in one Int32Array, 4 bytes a bucket,
// with each pod's hash kept in its slot. Maps of name to slot cost ~50 bytes a
// pod at 150k pods (an entry is three words, and a map is often half empty);
// this costs 8–15. The hash is the text's, seeded per store, so lookups build
// nothing ("namespace/name" keys cost a concatenated and a flattened string per
// pod, ~12 MB at 150k pods).

import { NO_SLOT, type PodTable } from './pod-table.js';

/** Buckets at most this full (linear probing slows down sharply past ~3/4). */
const MAX_LOAD = 0.7;
const MIN_BUCKETS = 16;

export class PodIndex {
  private buckets = new Int32Array(MIN_BUCKETS).fill(NO_SLOT);
  private size = 0;
  private readonly seed = (Math.random() * 2 ** 32) | 0;

  constructor(private readonly table: PodTable) {}

  /** The pod's slot, or NO_SLOT. */
  get(namespace: string, name: string): number {
    const t = this.table;
    const hash = hashOf(namespace, name, this.seed);
    const mask = this.buckets.length - 1;
    for (let i = hash & mask; ; i = (i + 1) & mask) {
      const s = this.buckets[i]!;
      if (s === NO_SLOT) return NO_SLOT;
      if (t.hash[s] === hash && t.name[s] === name && t.namespaceOf(s) === namespace) return s;
    }
  }

  /** Sets slot s's namespace, name and hash and indexes it; the pod must not be indexed yet. */
  add(s: number, namespace: string, name: string): void {
    const t = this.table;
    t.ns[s] = t.namespaces.acquire(namespace);
    t.name[s] = name;
    t.hash[s] = hashOf(namespace, name, this.seed);
    if (++this.size > this.buckets.length * MAX_LOAD) this.resize(this.buckets.length * 2);
    this.insert(s);
  }

  /** Unindexes slot s (its columns are left as they are but for its namespace's count). */
  delete(s: number): void {
    const t = this.table;
    const b = this.buckets;
    const mask = b.length - 1;
    let i = t.hash[s]! & mask;
    while (b[i] !== s) {
      if (b[i] === NO_SLOT) return;
      i = (i + 1) & mask;
    }
    // Backward shift: entries after the hole that probing from their home would no longer reach move into it.
    for (let j = (i + 1) & mask; b[j] !== NO_SLOT; j = (j + 1) & mask) {
      const home = t.hash[b[j]!]! & mask;
      if (((j - home) & mask) >= ((j - i) & mask)) {
        b[i] = b[j]!;
        i = j;
      }
    }
    b[i] = NO_SLOT;
    this.size--;
    t.namespaces.release(t.ns[s]!);
    if (b.length > MIN_BUCKETS && this.size < b.length * (MAX_LOAD / 8)) this.resize(b.length / 2);
  }

  private insert(s: number): void {
    const b = this.buckets;
    const mask = b.length - 1;
    let i = this.table.hash[s]! & mask;
    while (b[i] !== NO_SLOT) i = (i + 1) & mask;
    b[i] = s;
  }

  /** Rebuilds the buckets at a new size from the slots they hold (the table keeps every hash). */
  private resize(length: number): void {
    const old = this.buckets;
    this.buckets = new Int32Array(length).fill(NO_SLOT);
    for (let i = 0; i < old.length; i++) if (old[i] !== NO_SLOT) this.insert(old[i]!);
  }
}

/**
 * FNV-1a over the namespace, a separator no name has, and the name, from a
 * per-store seed, then murmur3's finalizer: the buckets take the low bits.
 */
export function hashOf(namespace: string, name: string, seed: number): number {
  let h = seed ^ 0x811c9dc5;
  for (let i = 0; i < namespace.length; i++) h = Math.imul(h ^ namespace.charCodeAt(i), 0x01000193);
  h = Math.imul(h ^ 0x2f, 0x01000193);
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 0x01000193);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}
