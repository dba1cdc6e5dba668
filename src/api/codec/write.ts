// send() for a bare node:http response, used by the resource GET fast path: the
// same status, the same headers in the same order and the same body framing as
// send() through Koa (Koa sets Content-Type before Content-Length and streams a
// gzipped body, chunked).

import type { ServerResponse } from 'node:http';
import { compressed, shouldGzip } from './gzip.js';
import type { Encoded } from './index.js';

/**
 * Whether the response has been answered or cut (a 504 from the request timeout, a client gone):
 * a handler finishing late must not write. `destroyed` and `closed` do not exist on HTTP/2 responses.
 */
export function answered(res: ServerResponse): boolean {
  const r = res as ServerResponse & { closed?: boolean };
  return r.headersSent || r.writableEnded || r.destroyed === true || r.closed === true;
}

/**
 * Writes enc. `head`: headers not set on res yet, which go out first (name, value, ...).
 * With them, a response that is not gzipped goes out through one writeHead() of every
 * header as a flat list: Node.js then keeps no per-header entries (a few µs of a GET).
 */
export function writeEncoded(res: ServerResponse, method: string, acceptEncoding: string, enc: Encoded, head?: string[]): void {
  // Answered meanwhile (a 504 from the request timeout) or cut: nothing more goes out.
  if (answered(res)) return;
  const gzip = shouldGzip(method, enc.body, acceptEncoding);
  if (head && !gzip) {
    for (const k in enc.headers) head.push(k, enc.headers[k]!);
    head.push('Content-Type', enc.contentType, 'Content-Length', String(enc.body.length));
    res.writeHead(enc.status, head);
    res.end(enc.body);
    return;
  }
  if (head) for (let i = 0; i < head.length; i += 2) res.setHeader(head[i]!, head[i + 1]!);
  res.statusCode = enc.status;
  for (const k in enc.headers) res.setHeader(k, enc.headers[k]!);
  if (gzip) {
    res.setHeader('Content-Encoding', 'gzip');
    res.setHeader('Vary', 'Accept-Encoding');
    res.setHeader('Content-Type', enc.contentType);
    compressed(enc.body).then(
      (z) => {
        if (res.writableEnded || res.destroyed) return;
        res.write(z);
        res.end();
      },
      () => res.destroy(),
    );
    return;
  }
  res.setHeader('Content-Type', enc.contentType);
  res.setHeader('Content-Length', enc.body.length);
  res.end(enc.body);
}
