// Shares one frozen labels object between pods with identical labels (the
// replicas of a ReplicaSet, a DaemonSet's pods), reference-counted so that
// label sets of deleted pods are released. At 150k pods this is most of the
// pod cache's memory.

type Labels = Readonly<Record<string, string>>;

const EMPTY: Labels = Object.freeze({});

export class LabelInterner {
  private readonly sets = new Map<string, { labels: Labels; refs: number }>();

  /** The shared copy of labels; call release() with it when dropping the owner. */
  acquire(labels: Record<string, string>): Labels {
    const keys = Object.keys(labels);
    if (keys.length === 0) return EMPTY;
    keys.sort();
    // NUL cannot occur in label keys or values, so this key is unambiguous.
    let id = '';
    for (const k of keys) id += `${k}\0${labels[k]}\0`;
    const hit = this.sets.get(id);
    if (hit) {
      hit.refs++;
      return hit.labels;
    }
    const copy: Record<string, string> = {};
    for (const k of keys) copy[k] = labels[k]!;
    const frozen = Object.freeze(copy);
    this.sets.set(id, { labels: frozen, refs: 1 });
    return frozen;
  }

  release(labels: Labels): void {
    const keys = Object.keys(labels);
    if (keys.length === 0) return;
    // Sorted again: JavaScript lists integer-like keys ("9", "10") first, whatever the insertion order.
    keys.sort();
    let id = '';
    for (const k of keys) id += `${k}\0${labels[k]}\0`;
    const hit = this.sets.get(id);
    if (hit && hit.labels === labels && --hit.refs === 0) this.sets.delete(id);
  }

  /** Distinct label sets held. */
  get size(): number {
    return this.sets.size;
  }
}
