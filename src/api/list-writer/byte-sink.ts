// A growing byte buffer for writing a large response body in place: no JSON
// string, object tree or protobufjs writer in between. finish() hands out the
// buffer itself when it is nearly full, else an exact-size copy, so a body kept
// in the list cache carries little slack and a well-sized one is never copied.

import type { TimeSlicer } from '../../util/time-slice.js';

const COPY_STEP = 4 * 1024 * 1024;

export class ByteSink {
  buf: Buffer;
  pos: number;

  constructor(estimate: number, reserve = 0) {
    this.buf = Buffer.allocUnsafe(Math.max(1024, estimate + reserve));
    this.pos = reserve;
  }

  /** Room for n more bytes. */
  ensure(n: number): void {
    if (this.pos + n > this.buf.length) this.grow(n);
  }

  private grow(n: number): void {
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.pos + n));
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }

  /** Bytes known to be few (fixed parts of a body). */
  bytes(b: Uint8Array): void {
    this.ensure(b.length);
    const buf = this.buf;
    let p = this.pos;
    for (let i = 0; i < b.length; i++) buf[p++] = b[i]!;
    this.pos = p;
  }

  /** A string known to be ASCII (formatted numbers, times). */
  ascii(s: string): void {
    const n = s.length;
    this.ensure(n);
    const buf = this.buf;
    let p = this.pos;
    for (let i = 0; i < n; i++) buf[p++] = s.charCodeAt(i);
    this.pos = p;
  }

  /** Any string as UTF-8 (byteLength from Buffer.byteLength). */
  utf8(s: string, byteLength: number): void {
    this.ensure(byteLength);
    this.pos += this.buf.write(s, this.pos, byteLength, 'utf8');
  }

  /** The bytes written from start on: a view when at most 1/32 of the buffer is unused, else a copy. */
  finish(start = 0): Buffer {
    if (this.fits(start)) return this.buf.subarray(start, this.pos);
    const out = Buffer.allocUnsafe(this.pos - start);
    this.buf.copy(out, 0, start, this.pos);
    return out;
  }

  /** As finish(), copying 4 MiB at a time and yielding whenever the slicer's slice is spent (a list of every pod is tens of MB). */
  async finishSliced(slicer: TimeSlicer, start = 0): Promise<Buffer> {
    if (this.fits(start)) return this.buf.subarray(start, this.pos);
    const out = Buffer.allocUnsafe(this.pos - start);
    for (let at = start; at < this.pos; at += COPY_STEP) {
      this.buf.copy(out, at - start, at, Math.min(this.pos, at + COPY_STEP));
      if (slicer.due) await slicer.next();
    }
    return out;
  }

  private fits(start: number): boolean {
    return this.buf.length - (this.pos - start) <= this.buf.length / 32;
  }
}

/**
 * Bytes per item of the last body of one kind of list, with 1% to spare: lists
 * of the same cluster are much alike from one tick to the next, so a sink sized
 * from it is rarely grown and rarely copied.
 */
export class SizeHint {
  private perItem: number;

  constructor(initialPerItem: number) {
    this.perItem = initialPerItem;
  }

  estimate(items: number): number {
    return Math.ceil(items * this.perItem * 1.01) + 64;
  }

  learn(items: number, bytes: number): void {
    if (items >= 100) this.perItem = bytes / items;
  }
}
