// Live pods' slots (pod-table.ts) by namespace and name, two levels deep: the
// names are the interned strings the decoders and the pod cache already hold,
// so nothing is built per lookup ("namespace/name" keys cost a concatenated and
// a flattened string per pod, ~12 MB at 150k pods, and a hash of the joined
// text on every API lookup). A slot is a small integer: the maps hold no object
// per pod.

import { NO_SLOT } from './pod-table.js';

interface Namespace {
  /** The namespace's string, kept once for all its pods' slots. */
  readonly name: string;
  readonly pods: Map<string, number>;
}

export class PodIndex {
  private readonly byNamespace = new Map<string, Namespace>();

  /** The pod's slot, or NO_SLOT. */
  get(namespace: string, name: string): number {
    return this.byNamespace.get(namespace)?.pods.get(name) ?? NO_SLOT;
  }

  /** Maps the pod to slot (replacing any slot it had); returns the namespace string to keep for it. */
  add(namespace: string, name: string, slot: number): string {
    let ns = this.byNamespace.get(namespace);
    if (ns === undefined) this.byNamespace.set(namespace, (ns = { name: namespace, pods: new Map() }));
    ns.pods.set(name, slot);
    return ns.name;
  }

  /** Unmaps the pod if it maps to slot. */
  delete(namespace: string, name: string, slot: number): void {
    const ns = this.byNamespace.get(namespace);
    if (ns?.pods.get(name) !== slot) return;
    ns.pods.delete(name);
    if (ns.pods.size === 0) this.byNamespace.delete(namespace);
  }
}
