// What an HTTP/2 request (node:http2's compatibility API) does differently from
// an HTTP/1.1 one, for the code written against node:http: it has no
// headersDistinct (built here from rawHeaders, which keeps every header field),
// its req.socket is a proxy made per stream (the connection is the session's
// socket), and its connection can be ended after the request with GOAWAY.

import type { IncomingMessage } from 'node:http';
import type { Http2ServerRequest } from 'node:http2';
import type { TLSSocket } from 'node:tls';

type Distinct = NodeJS.Dict<string[]>;

const built = new WeakMap<IncomingMessage, Distinct>();

function isHttp2(req: IncomingMessage): boolean {
  return req.httpVersionMajor === 2;
}

/** req.headersDistinct: Node's own for HTTP/1.1, built once per request (pseudo-headers left out) for HTTP/2. */
export function headersDistinct(req: IncomingMessage): Distinct {
  if (!isHttp2(req)) return req.headersDistinct;
  let d = built.get(req);
  if (d === undefined) {
    d = Object.create(null) as Distinct;
    const raw = req.rawHeaders;
    for (let i = 0; i + 1 < raw.length; i += 2) {
      const name = raw[i]!; // lowercase: nghttp2 refuses HTTP/2 requests with uppercase names
      if (name.charCodeAt(0) !== 58 /* ':' */) (d[name] ??= []).push(raw[i + 1]!);
    }
    built.set(req, d);
  }
  return d;
}

/** Replaces req.rawHeaders: an HTTP/2 request's cannot be assigned (a getter of its stored array), so it is changed in place. */
export function setRawHeaders(req: IncomingMessage, raw: string[]): void {
  if (!isHttp2(req)) req.rawHeaders = raw;
  else req.rawHeaders.splice(0, req.rawHeaders.length, ...raw);
}

/** The TLS connection a request came on: the same object for every request on it. */
export function connectionOf(req: IncomingMessage): TLSSocket {
  if (!isHttp2(req)) return req.socket as TLSSocket;
  return ((req as unknown as Http2ServerRequest).stream.session?.socket ?? req.socket) as TLSSocket;
}

/**
 * No further requests on this request's HTTP/2 connection: GOAWAY now, the
 * streams already open finish (GAS's UnauthenticatedHTTP2DOSMitigation, for
 * anonymous and unauthenticated requests; HTTP/1.1 connections stay open there too).
 */
export function endHttp2ConnectionAfter(req: IncomingMessage): void {
  if (isHttp2(req)) (req as unknown as Http2ServerRequest).stream.session?.close();
}
