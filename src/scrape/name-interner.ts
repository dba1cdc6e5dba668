// Names the decoders read every tick (namespaces, pod and container names) are
// the same strings tick after tick. The interner hands back the string made
// for the same bytes before instead of a new one per name per tick: no
// allocation, and the Map lookups downstream (the store's pod index) find its hash
// already computed. ASCII only (Kubernetes names are): for other bytes intern()
// answers undefined and the caller decodes them, so callers need not check first.
//
// Bounded: every name carries the tick it was last read in; nextTick() drops
// the names not read in the last KEEP_TICKS ticks, so it holds about the names
// of a couple of ticks however much the pods churn.

const KEEP_TICKS = 2;

// The table: open addressing with linear probing over arrays allocated once
// per capacity. A Map rehashed its backing table again and again under pod
// churn, each dead table multi-MB in the large-object space until a major GC
// (35 MB of them at 35k names a tick). Names are dropped in place, not by
// rebuilding into a second table: a third less memory, and nothing to clear.
// Grows when more than half full; shrinks after a sweep leaves it under an
// eighth full (a cluster that lost most of its pods), so its memory follows
// the names held without resizing back and forth as they churn.
const INITIAL_CAPACITY = 1024;
// FNV-1a, 32-bit, over a name's bytes (slot()) or its chars (remove(): the same, names being ASCII).
// | 0: the offset basis as the int32 the table stores, so the empty name's hash matches too.
const FNV_OFFSET = 0x811c9dc5 | 0;
const FNV_PRIME = 0x01000193;
/** Fibonacci hashing: a cell index from the top bits of hash × 2^32/φ (mixes every bit of the hash in). */
const GOLDEN = 0x9e3779b1 | 0;

/** What the decoders intern names through: the interner itself, or one node's view of it (NodeNames). */
export interface Names {
  /** The string for the bytes b[start, end) if they are all ASCII, else undefined. */
  intern(b: Buffer, start: number, end: number): string | undefined;
}

export interface Slot {
  readonly s: string;
  seen: number;
}

export class NameInterner implements Names {
  // Cell i holds tags[i] (the name's hash; 0: free) and slots[i]. The hashes
  // sit apart in a typed array so a probe reads 4 bytes a cell and reads a
  // slot only when its hash matches.
  private tags = new Int32Array(INITIAL_CAPACITY);
  private slots: (Slot | undefined)[] = newSlots(INITIAL_CAPACITY);
  // The slots held in the order they were made: order[0, count). The sweep
  // walks this, not the cells: the slots were allocated (and are promoted and
  // compacted by the GC) in about this order, so reading each one's tick runs
  // through memory instead of jumping about it in hash order (5 ms against
  // under 1 for 105k names).
  private order: (Slot | undefined)[] = newSlots(INITIAL_CAPACITY >>> 1);
  /** 32 - log2(capacity): the cell index is the top bits of the mixed hash. */
  private shift = 32 - Math.log2(INITIAL_CAPACITY);
  private tick = 0;
  private count = 0;

  /** The string for the bytes b[start, end) if they are all ASCII, else undefined. */
  intern(b: Buffer, start: number, end: number): string | undefined {
    return this.slot(b, start, end)?.s;
  }

  /** A node's view: names looked up first where its last body had them. */
  forNode(): NodeNames {
    return new NodeNames(this);
  }

  /** Marks a slot read this tick (it stays held). */
  touch(slot: Slot): void {
    slot.seen = this.tick;
  }

  /** The slot for the bytes b[start, end), made if new; undefined unless they are all ASCII. */
  slot(b: Buffer, start: number, end: number): Slot | undefined {
    let h = FNV_OFFSET;
    let bits = 0;
    for (let i = start; i < end; i++) {
      const c = b[i]!;
      bits |= c;
      h = Math.imul(h ^ c, FNV_PRIME);
    }
    if (bits >= 0x80) return undefined;
    // 0 marks a free cell: a zero hash is stored as 1 (a match compares the bytes anyway).
    const tag = h === 0 ? 1 : h;
    const tags = this.tags;
    const mask = tags.length - 1;
    let i = Math.imul(tag, GOLDEN) >>> this.shift;
    for (let t = tags[i]!; t !== 0; t = tags[i]!) {
      if (t === tag) {
        const slot = this.slots[i]!;
        if (equals(slot.s, b, start, end)) {
          slot.seen = this.tick;
          return slot;
        }
      }
      i = (i + 1) & mask;
    }
    const slot: Slot = { s: b.toString('latin1', start, end), seen: this.tick };
    // At most half full: probes stay short.
    if (this.count >= tags.length >>> 1) {
      this.resize(tags.length * 2);
      this.place(tag, slot);
    } else {
      tags[i] = tag;
      this.slots[i] = slot;
    }
    this.order[this.count++] = slot;
    return slot;
  }

  /** A new tick: names not read in the last KEEP_TICKS ticks are dropped. */
  nextTick(): void {
    this.tick++;
    this.sweep(this.tick - KEEP_TICKS);
    let capacity = this.tags.length;
    if (capacity > INITIAL_CAPACITY && this.count < capacity >>> 3) {
      // Down to a quarter full at most: twice the names held before it grows again.
      while (capacity > INITIAL_CAPACITY && this.count <= capacity >>> 3) capacity >>>= 1;
      this.resize(capacity);
    }
  }

  /** Names held, for tests and diagnostics. */
  get size(): number {
    return this.count;
  }

  /** Drops the slots read before tick `oldest`: no second table, and no tombstones. */
  private sweep(oldest: number): void {
    const order = this.order;
    const count = this.count;
    let kept = 0;
    for (let i = 0; i < count; i++) {
      const slot = order[i]!;
      if (slot.seen >= oldest) order[kept++] = slot;
      else this.remove(slot);
    }
    // Unreferenced, the dropped slots can be collected.
    order.fill(undefined, kept, count);
    this.count = kept;
  }

  /**
   * Frees a slot's cell. The cell takes the next entry of its run that may sit
   * there, and so on down the run (backward-shift deletion): every entry stays
   * reachable from its home cell without crossing a free cell, and no
   * tombstones pile up under churn.
   */
  private remove(slot: Slot): void {
    const tags = this.tags;
    const slots = this.slots;
    const mask = tags.length - 1;
    const shift = this.shift;
    // Its hash again, rather than a third field (8 more bytes) in every slot.
    const s = slot.s;
    let h = FNV_OFFSET;
    for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), FNV_PRIME);
    let hole = Math.imul(h === 0 ? 1 : h, GOLDEN) >>> shift;
    // In the run from its home cell (searched by identity: other names may share its hash).
    while (slots[hole] !== slot) hole = (hole + 1) & mask;
    for (let j = (hole + 1) & mask, t = tags[j]!; t !== 0; j = (j + 1) & mask, t = tags[j]!) {
      // The entry at j may move back to the hole unless its home cell lies after the hole.
      const home = Math.imul(t, GOLDEN) >>> shift;
      if (((j - home) & mask) >= ((j - hole) & mask)) {
        tags[hole] = t;
        slots[hole] = slots[j];
        hole = j;
      }
    }
    tags[hole] = 0;
    slots[hole] = undefined;
  }

  /** New arrays of `capacity` cells (a power of two) with every name held. */
  private resize(capacity: number): void {
    const tags = this.tags;
    const slots = this.slots;
    const order = this.order;
    this.tags = new Int32Array(capacity);
    this.slots = newSlots(capacity);
    this.order = newSlots(capacity >>> 1);
    this.shift = 32 - Math.log2(capacity);
    for (let i = 0; i < tags.length; i++) if (tags[i] !== 0) this.place(tags[i]!, slots[i]!);
    for (let i = 0; i < this.count; i++) this.order[i] = order[i];
  }

  /** Puts a slot not held yet in the first free cell from its home. */
  private place(tag: number, slot: Slot): void {
    const tags = this.tags;
    const mask = tags.length - 1;
    let i = Math.imul(tag, GOLDEN) >>> this.shift;
    while (tags[i] !== 0) i = (i + 1) & mask;
    tags[i] = tag;
    this.slots[i] = slot;
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

  intern(b: Buffer, start: number, end: number): string | undefined {
    const i = this.at++;
    const hint = this.order[i];
    // Equal to an interned (ASCII) name: ASCII too, with no separate check.
    if (hint !== undefined && equals(hint.s, b, start, end)) {
      this.interner.touch(hint);
      return hint.s;
    }
    const slot = this.interner.slot(b, start, end);
    if (slot === undefined) return undefined;
    this.order[i] = slot;
    return slot.s;
  }
}

function equals(s: string, b: Uint8Array, start: number, end: number): boolean {
  if (s.length !== end - start) return false;
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) !== b[start + i]) return false;
  return true;
}

/** `n` free cells. */
function newSlots(n: number): (Slot | undefined)[] {
  return new Array<Slot | undefined>(n).fill(undefined);
}
