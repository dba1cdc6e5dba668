// Namespaces in use as small integers, counted by pod: a pod slot keeps 4
// bytes for its namespace instead of an 8-byte reference, the store one string
// per namespace, and a namespace is let go with its last pod.

interface Namespace {
  readonly id: number;
  pods: number;
}

export class Namespaces {
  /** Names by id ('' when free). */
  readonly names: string[] = [];
  private readonly byName = new Map<string, Namespace>();
  private readonly free: number[] = [];

  /** The namespace's id, counting one more pod in it. */
  acquire(name: string): number {
    let ns = this.byName.get(name);
    if (ns === undefined) {
      const id = this.free.pop() ?? this.names.length;
      this.names[id] = name;
      this.byName.set(name, (ns = { id, pods: 0 }));
    }
    ns.pods++;
    return ns.id;
  }

  /** Counts one pod less in namespace id, letting it go with its last. */
  release(id: number): void {
    const name = this.names[id]!;
    const ns = this.byName.get(name);
    if (ns === undefined || ns.id !== id || --ns.pods > 0) return;
    this.byName.delete(name);
    this.names[id] = '';
    this.free.push(id);
  }

  get size(): number {
    return this.byName.size;
  }
}
