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

interface Slot {
  readonly s: string;
  seen: number;
}

type Bucket = Slot | Slot[];

export class NameInterner {
  private readonly slots = new Map<number, Bucket>();
  private tick = 0;
  private count = 0;

  /** The string for the ASCII bytes b[start, end). */
  intern(b: Buffer, start: number, end: number): string {
    // FNV-1a over the bytes (32-bit).
    let h = 0x811c9dc5;
    for (let i = start; i < end; i++) h = Math.imul(h ^ b[i]!, 0x01000193);
    const bucket = this.slots.get(h);
    if (bucket !== undefined) {
      const slot = find(bucket, b, start, end);
      if (slot !== undefined) {
        slot.seen = this.tick;
        return slot.s;
      }
    }
    const slot: Slot = { s: b.toString('latin1', start, end), seen: this.tick };
    if (bucket === undefined) this.slots.set(h, slot);
    else if (Array.isArray(bucket)) bucket.push(slot);
    else this.slots.set(h, [bucket, slot]);
    this.count++;
    return slot.s;
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
