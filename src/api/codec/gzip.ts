// Response compression as GAS does it: only bodies of 128 KiB or more, only for
// an exact "gzip" token in Accept-Encoding, never for HEAD.

import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import { useBody } from './body-use.js';

const GZIP_THRESHOLD = 128 * 1024;

function acceptsGzip(header: string): boolean {
  return header.split(',').some((t) => t.trim() === 'gzip');
}

export function shouldGzip(method: string, body: Buffer, acceptEncoding: string): boolean {
  return method !== 'HEAD' && body.length >= GZIP_THRESHOLD && acceptsGzip(acceptEncoding);
}

const gzipAsync = promisify(gzip);

// Compressed forms of bodies, per body buffer: a cached list body (the same
// Buffer for every request of one tick and second) is compressed once, not once
// per request. Weak keys: a body no longer cached frees its compressed form.
const gzipped = new WeakMap<Buffer, Promise<Buffer>>();

export function compressed(body: Buffer): Promise<Buffer> {
  let z = gzipped.get(body);
  if (!z) {
    // The thread pool reads the body while compressing: it is in use until done.
    const release = useBody(body);
    z = gzipAsync(body, { level: 1 });
    z.then(release, release);
    gzipped.set(body, z);
  }
  return z;
}
