// Names the decoders read every tick (namespaces, pod and container names) are
// the same strings tick after tick. The interner hands back the string made
// for the same bytes before instead of a new one per name per tick: no
// allocation, and the Map lookups downstream (the store's pod index) find its hash
// already computed. ASCII only (Kubernetes names are); other bytes are decoded
// by the caller.
//
// Bounded: every name carries the tick it was last read in; nextTick() drops
// the names not read in the last KEEP_TICKS ticks, so it holds about the names
// of a couple of ticks however much the pods churn.

const KEEP_TICKS = 2;

/** What the decoders intern names through: the interner itself, or one node's view of it (NodeNames). */
export interface Names {
  /** The string for the ASCII bytes b[start, end). */
  intern(b: Buffer, start: number, end: number): string;
}

export interface Slot {
  readonly s: string;
  seen: number;
}

type Bucket = Slot | Slot[];

export class NameInterner implements Names {
  private readonly slots = new Map<number, Bucket>();
  private tick = 0;
  private count = 0;

  /** The string for the ASCII bytes b[start, end). */
  intern(b: Buffer, start: number, end: number): string {
    return this.slot(b, start, end).s;
  }

  /** A node's view: names looked up first where its last body had them. */
  forNode(): NodeNames {
    return new NodeNames(this);
  }

  /** Marks a slot read this tick (it stays held). */
  touch(slot: Slot): void {
    slot.seen = this.tick;
  }

  /** The slot for the ASCII bytes b[start, end), made if new. */
  slot(b: Buffer, start: number, end: number): Slot {
    // FNV-1a over the bytes (32-bit).
    let h = 0x811c9dc5;
    for (let i = start; i < end; i++) h = Math.imul(h ^ b[i]!, 0x01000193);
    const bucket = this.slots.get(h);
    if (bucket !== undefined) {
      const slot = find(bucket, b, start, end);
      if (slot !== undefined) {
        slot.seen = this.tick;
        return slot;
      }
    }
    const slot: Slot = { s: b.toString('latin1', start, end), seen: this.tick };
    if (bucket === undefined) this.slots.set(h, slot);
    else if (Array.isArray(bucket)) bucket.push(slot);
    else this.slots.set(h, [bucket, slot]);
    this.count++;
    return slot;
  }

  /** A new tick: names not read in the last KEEP_TICKS ticks are dropped. */
  nextTick(): void {
    this.tick++;
    const oldest = this.tick - KEEP_TICKS;
    // forEach, not for..of: no [key, value] pair allocated per name (tens of thousands per tick).
    this.slots.forEach((bucket, h) => {
      if (!Array.isArray(bucket)) {
        if (bucket.seen < oldest) {
          this.slots.delete(h);
          this.count--;
        }
        return;
      }
      const kept = bucket.filter((slot) => slot.seen >= oldest);
      this.count -= bucket.length - kept.length;
      if (kept.length === 0) this.slots.delete(h);
      else if (kept.length !== bucket.length) this.slots.set(h, kept.length === 1 ? kept[0]! : kept);
    });
  }

  /** Names held, for tests and diagnostics. */
  get size(): number {
    return this.count;
  }
}

/**
 * One node's names, in the order its last body listed them. A kubelet lists
 * the same pods and containers in the same order tick after tick, so the n-th
 * name of a body is first compared with the n-th of the last one: a hit costs
 * one comparison instead of a hash and a lookup in a table of every name in
 * the cluster (the lookups missed the CPU caches: ~8% of a summary tick at
 * 150k pods). A miss (a pod came or went, shifting those after it) falls back
 * to the interner. Holds the last body's names only: one reference each.
 */
export class NodeNames implements Names {
  private readonly order: Slot[] = [];
  private at = 0;

  constructor(private readonly interner: NameInterner) {}

  /** Call before each body of the node; forgets hints past the end of the last one. */
  rewind(): void {
    if (this.at < this.order.length) this.order.length = this.at;
    this.at = 0;
  }

  intern(b: Buffer, start: number, end: number): string {
    const i = this.at++;
    const hint = this.order[i];
    if (hint !== undefined && equals(hint.s, b, start, end)) {
      this.interner.touch(hint);
      return hint.s;
    }
    const slot = this.interner.slot(b, start, end);
    this.order[i] = slot;
    return slot.s;
  }
}

function find(bucket: Bucket, b: Uint8Array, start: number, end: number): Slot | undefined {
  if (!Array.isArray(bucket)) return equals(bucket.s, b, start, end) ? bucket : undefined;
  for (const slot of bucket) if (equals(slot.s, b, start, end)) return slot;
  return undefined;
}

function equals(s: string, b: Uint8Array, start: number, end: number): boolean {
  if (s.length !== end - start) return false;
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) !== b[start + i]) return false;
  return true;
}
