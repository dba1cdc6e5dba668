// Response bodies of kubelet scrapes, read (http1-response.ts) into buffers
// that are reused once the body has been decoded. A fresh 30–60 KB buffer per
// node per tick is memory outside the JS heap that only a garbage collection
// gives back: at thousands of nodes it both raises RSS and forces extra
// collections. With reuse, the buffers in use are bounded by the requests in
// flight.

/** Buffers are allocated in multiples of this (most bodies then fit a reused one). */
const GRANULE = 16 * 1024;
/** Larger buffers are not kept for reuse (a rare huge node should not pin memory). */
const MAX_POOLED_BYTES = 1024 * 1024;

export class BodyPool {
  private readonly free: Buffer[] = [];

  /** maxFree: buffers kept for reuse (about the number of requests in flight). */
  constructor(private readonly maxFree: number) {}

  /** A buffer of at least `size` bytes (contents undefined). */
  acquire(size: number): Buffer {
    const free = this.free;
    for (let i = free.length - 1; i >= 0; i--) {
      const b = free[i]!;
      if (b.length >= size) {
        free[i] = free[free.length - 1]!;
        free.pop();
        return b;
      }
    }
    return Buffer.allocUnsafeSlow(Math.max(GRANULE, Math.ceil(size / GRANULE) * GRANULE));
  }

  /** Gives a buffer back; nothing may use it afterwards. A full pool keeps the larger buffers (small ones fit fewer bodies). */
  release(b: Buffer): void {
    if (b.length > MAX_POOLED_BYTES) return;
    const free = this.free;
    if (free.length < this.maxFree) {
      free.push(b);
      return;
    }
    let smallest = 0;
    for (let i = 1; i < free.length; i++) if (free[i]!.length < free[smallest]!.length) smallest = i;
    if (free.length > 0 && free[smallest]!.length < b.length) free[smallest] = b;
  }

  /** Buffers waiting for reuse (for tests). */
  get size(): number {
    return this.free.length;
  }
}
