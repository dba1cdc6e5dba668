// Live pod entries by namespace and name, two levels deep: the names are the
// interned strings the decoders and the pod cache already hold, so nothing is
// built per lookup ("namespace/name" keys cost a concatenated and a flattened
// string per pod, ~12 MB at 150k pods, and a hash of the joined text on every
// API lookup).

import type { PodEntry } from './entries.js';

export class PodIndex {
  private readonly byNamespace = new Map<string, Map<string, PodEntry>>();

  get(namespace: string, name: string): PodEntry | undefined {
    return this.byNamespace.get(namespace)?.get(name);
  }

  /** Adds e, replacing an entry of the same namespace and name. */
  add(e: PodEntry): void {
    let pods = this.byNamespace.get(e.namespace);
    if (pods === undefined) this.byNamespace.set(e.namespace, (pods = new Map()));
    pods.set(e.name, e);
  }

  /** Removes e if it is the entry held for its namespace and name. */
  delete(e: PodEntry): void {
    const pods = this.byNamespace.get(e.namespace);
    if (pods?.get(e.name) !== e) return;
    pods.delete(e.name);
    if (pods.size === 0) this.byNamespace.delete(e.namespace);
  }
}
