// Gzip-encoded kubelet bodies. Like Go's HTTP client (and so metrics-server),
// the kubelet client asks for gzip; a kubelet's /metrics/resource handler
// (Prometheus' promhttp) then compresses, its /stats/summary handler does not.
// A 27 KB /metrics/resource body of 30 pods arrives as about 3.4 KB, and the
// TLS receive buffer of each kept-alive connection stays resident only up to
// the largest single read (bench/PERFORMANCE.md, "Floors"): at 5,000 nodes
// that is about 110 MiB less RSS, for about 20 µs of inflating per body.
//
// zlib.gunzipSync makes a new inflater and a new output buffer per body: at
// 5,000 nodes a tick that is 140 MB of short-lived memory outside the heap
// (measured: RSS 899 MiB against 676 without gzip). So one inflater and one
// output buffer are reused, through the stream's handle as zlib.gunzipSync
// itself drives it; where that handle is not there (a future Node.js),
// zlib.gunzipSync is used instead.

import zlib from 'node:zlib';

/** A body that could not be inflated: larger than allowed, or not valid gzip. */
export class GunzipError extends Error {
  override name = 'GunzipError';
  constructor(
    readonly reason: 'size' | 'data',
    message: string,
  ) {
    super(message);
  }
}

/** zlib's native handle as Node.js's own synchronous functions call it. */
interface InflateHandle {
  writeSync(flush: number, input: Uint8Array, inOff: number, inLen: number, out: Uint8Array, outOff: number, outLen: number): void;
}

interface Inflater {
  /** zlib.Gunzip; reset() is documented for every zlib stream but not typed for Gunzip. */
  stream: zlib.Gunzip & { reset(): void };
  handle: InflateHandle;
  /** [output bytes left, input bytes left] after each writeSync. */
  state: Uint32Array;
}

/** The output buffer's first size: a 30-pod body inflates to about 27 KB. */
const FIRST_OUTPUT = 64 * 1024;
/** A larger output buffer is not kept after use (a rare huge node should not pin memory). */
const MAX_KEPT_OUTPUT = 1024 * 1024;

export class Gunzipper {
  private inflater: Inflater | undefined;
  private out: Buffer | undefined;

  /** native: reuse one inflater through its handle (false: zlib.gunzipSync per body, for tests). */
  constructor(private readonly native = true) {}

  /**
   * The inflated body, valid until the next call (the buffer is reused). Throws GunzipError:
   * "size" past max bytes (nothing beyond max + 1 bytes is ever written), "data" if not gzip.
   */
  inflate(body: Uint8Array, max: number): Uint8Array {
    const z = this.native ? (this.inflater ??= openInflater()) : undefined;
    return z ? this.inflateWith(z, body, max) : inflateOnce(body, max);
  }

  private inflateWith(z: Inflater, body: Uint8Array, max: number): Uint8Array {
    z.stream.reset();
    let out = this.out ?? Buffer.allocUnsafeSlow(Math.min(FIRST_OUTPUT, max + 1));
    let outOff = 0;
    let inOff = 0;
    let inLeft = body.length;
    for (;;) {
      z.handle.writeSync(zlib.constants.Z_FINISH, body, inOff, inLeft, out, outOff, out.length - outOff);
      if (z.stream.destroyed) {
        // Node.js closes an inflater that met bad data: the next body gets a new one.
        this.inflater = undefined;
        throw new GunzipError('data', `gzip: ${z.stream.errored?.message ?? 'invalid data'}`);
      }
      const outLeft = z.state[0]!;
      const consumed = inLeft - z.state[1]!;
      inOff += consumed;
      inLeft -= consumed;
      outOff = out.length - outLeft;
      if (outLeft > 0) break; // finished: output room was left over
      if (outOff > max) throw tooLarge(max);
      // Output full: more may follow. One byte past max tells an oversized body from one of exactly max.
      const bigger = Buffer.allocUnsafeSlow(Math.min(2 * out.length, max + 1));
      out.copy(bigger, 0, 0, outOff);
      out = bigger;
    }
    if (out.length <= MAX_KEPT_OUTPUT) this.out = out;
    if (outOff > max) throw tooLarge(max);
    // zlib stops at a member followed by zero bytes; anything else after it was already rejected.
    if (inLeft > 0) throw new GunzipError('data', 'gzip: data after the end of the compressed body');
    return out.subarray(0, outOff);
  }
}

/** A reusable inflater, or undefined if this Node.js does not expose the handle. */
function openInflater(): Inflater | undefined {
  const stream = zlib.createGunzip();
  // Bad data destroys the stream and emits 'error' a tick later: inflateWith reads it from `errored` at once.
  stream.on('error', () => {});
  const inner = stream as unknown as { _handle?: Partial<InflateHandle>; _writeState?: unknown };
  const handle = inner._handle;
  const state = inner._writeState;
  if (typeof handle?.writeSync !== 'function' || !(state instanceof Uint32Array) || state.length < 2) {
    stream.destroy();
    return undefined;
  }
  return { stream: stream as Inflater['stream'], handle: handle as InflateHandle, state };
}

/** zlib.gunzipSync with its engine (`info`), for the input it consumed; typed here since @types/node leaves `info` out. */
const gunzipWithInfo = zlib.gunzipSync as unknown as (body: Uint8Array, opts: zlib.ZlibOptions & { info: true }) => { buffer: Buffer; engine: { bytesWritten: number } };

/** zlib.gunzipSync with the same limit and errors. */
function inflateOnce(body: Uint8Array, max: number): Uint8Array {
  let inflated: ReturnType<typeof gunzipWithInfo>;
  try {
    inflated = gunzipWithInfo(body, { maxOutputLength: Math.max(1, max), info: true });
  } catch (e) {
    if ((e as { code?: unknown }).code === 'ERR_BUFFER_TOO_LARGE') throw tooLarge(max);
    throw new GunzipError('data', `gzip: ${e instanceof Error ? e.message : String(e)}`);
  }
  // zlib.gunzipSync stops quietly at zero bytes after a member; the native path and Go's reader refuse them.
  if (inflated.engine.bytesWritten !== body.length) throw new GunzipError('data', 'gzip: data after the end of the compressed body');
  return inflated.buffer;
}

function tooLarge(max: number): GunzipError {
  return new GunzipError('size', `response inflates to more than ${max} bytes`);
}
