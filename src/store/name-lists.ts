// Container name lists, shared by the pods that have the same: the pods of a
// workload list the same containers, so a pod slot keeps a 4-byte id instead
// of its node keeping 8 bytes per container. Lists are counted by pod and let
// go with their last; they are found by a hash of the names, so finding one
// allocates nothing (a new pod of a known shape costs no garbage).

import type { ContainerPoint } from '../scrape/types.js';

const NONE = -1;
const FREE: readonly string[] = [];

export class NameLists {
  /** Lists by id (empty when free). */
  readonly names: (readonly string[])[] = [];
  private readonly pods: number[] = [];
  private readonly hashes: number[] = [];
  /** The next list of the same hash. */
  private readonly next: number[] = [];
  private readonly byHash = new Map<number, number>();
  private readonly free: number[] = [];

  /** The id of the points' names, counting one more pod with them. */
  acquire(points: readonly ContainerPoint[]): number {
    const hash = hashNames(points);
    let id = this.byHash.get(hash) ?? NONE;
    while (id !== NONE && !sameNames(this.names[id]!, points)) id = this.next[id]!;
    if (id === NONE) {
      id = this.free.pop() ?? this.names.length;
      this.names[id] = points.map((p) => p.name);
      this.pods[id] = 0;
      this.hashes[id] = hash;
      this.next[id] = this.byHash.get(hash) ?? NONE;
      this.byHash.set(hash, id);
    }
    this.pods[id]!++;
    return id;
  }

  /** Counts one pod less with list id, letting it go with its last. */
  release(id: number): void {
    if (--this.pods[id]! > 0) return;
    const hash = this.hashes[id]!;
    const head = this.byHash.get(hash)!;
    if (head === id) {
      if (this.next[id] === NONE) this.byHash.delete(hash);
      else this.byHash.set(hash, this.next[id]!);
    } else {
      let before = head;
      while (this.next[before] !== id) before = this.next[before]!;
      this.next[before] = this.next[id]!;
    }
    this.names[id] = FREE;
    this.free.push(id);
  }

  /** Lists in use. */
  get size(): number {
    return this.names.length - this.free.length;
  }
}

/** Whether names are the points' names, in order. */
export function sameNames(names: readonly string[], points: readonly ContainerPoint[]): boolean {
  if (names.length !== points.length) return false;
  for (let i = 0; i < names.length; i++) if (names[i] !== points[i]!.name) return false;
  return true;
}

/** FNV-1a over the names, each followed by a separator no name has. */
function hashNames(points: readonly ContainerPoint[]): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < points.length; i++) {
    const name = points[i]!.name;
    for (let j = 0; j < name.length; j++) h = Math.imul(h ^ name.charCodeAt(j), 0x01000193);
    h = Math.imul(h ^ 0x2f, 0x01000193);
  }
  return h | 0;
}
