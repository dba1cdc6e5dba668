// GAS's timeout for requests that are not long-running (WithRequestDeadline's
// deadline enforced by WithTimeoutForNonLongRunningRequests): a request has
// min(?timeout, 60 s) from its arrival; a zero, negative or larger ?timeout
// leaves the 60 s. A request not answered by then gets a 504 Status; one whose
// answer has begun but not reached the socket (a large list and a client that
// does not read it) has its connection cut, as Go's handler abort does; over
// HTTP/2 only its stream is, reset with INTERNAL_ERROR as Go's is (a plain
// destroy closes it with NO_ERROR, which a client takes for the end of a
// complete body), the other streams of the connection going on. That
// also bounds how long a reader that never reads holds an in-flight slot and
// a list body.
//
// The handler's own work is not stopped (a list build may be shared with other
// requests); nothing it writes afterwards goes out (Koa checks the response is still
// writable; writeEncoded checks `answered`). Watches are
// long-running and exempt (this API answers them 405). A malformed ?timeout= is
// the request-deadline middleware's 400, so it is ignored here.

import type { IncomingMessage, ServerResponse } from 'node:http';
import { constants as http2, type Http2ServerResponse } from 'node:http2';
import { CACHE_CONTROL } from '../api/error-handler.js';
import { parseGoDuration } from '../util/go-duration.js';
import { requestInfo } from './request-info.js';

type RequestListener = (req: IncomingMessage, res: ServerResponse) => void;

/** GAS's default RequestTimeout (metrics-server exposes no --request-timeout). */
export const REQUEST_TIMEOUT_MS = 60_000;

/**
 * As Go's timeout handler writes it: encoding/json of apierrors.NewTimeoutError
 * (no kind: the Status is not typed; empty metadata and details kept), with
 * Content-Type sniffed by net/http.
 */
export const TIMEOUT_BODY =
  JSON.stringify({
    metadata: {},
    status: 'Failure',
    message: 'Timeout: request did not complete within the allotted timeout',
    reason: 'Timeout',
    details: {},
    code: 504,
  }) + '\n';
const TIMEOUT_BYTES = Buffer.from(TIMEOUT_BODY);

export interface RequestTimeoutOptions {
  /** The longest a request may take, ms (REQUEST_TIMEOUT_MS). */
  maxMs?: number;
  /** Called when a request times out: `cut` when its answer had begun and the connection (HTTP/2: the stream) was closed instead. */
  onTimeout?: (req: IncomingMessage, timeoutMs: number, cut: boolean) => void;
}

const TIMER = Symbol('request timeout');
type Timed = ServerResponse & { [TIMER]?: NodeJS.Timeout };

// A 'close' listener shared by every response (`this` is the response): no closure per request.
function clearTimer(this: Timed): void {
  clearTimeout(this[TIMER]);
}

/** The request's timeout in ms, or undefined when it is long-running. */
export function requestTimeoutMs(method: string, url: string, maxMs: number): number | undefined {
  const q = url.indexOf('?');
  // Most requests (the HPA's GETs, probes) carry no query and are not watches: no parsing.
  if (q < 0 && !url.includes('/watch/')) return maxMs;
  const path = q < 0 ? url : url.slice(0, q);
  const query = new URLSearchParams(q < 0 ? '' : url.slice(q + 1));
  if (requestInfo(method, path, query).verb === 'watch') return undefined;
  const timeout = query.get('timeout');
  if (timeout === null || timeout === '') return maxMs;
  let ns: number;
  try {
    ns = parseGoDuration(timeout);
  } catch {
    return maxMs; // answered 400 by the request-deadline middleware
  }
  const ms = ns / 1e6;
  return ms > 0 && ms < maxMs ? ms : maxMs;
}

export function withRequestTimeout(listener: RequestListener, opts: RequestTimeoutOptions = {}): RequestListener {
  const maxMs = opts.maxMs ?? REQUEST_TIMEOUT_MS;
  const onTimeout = opts.onTimeout;

  const expire = (req: IncomingMessage, res: ServerResponse, ms: number): void => {
    // Handed to the socket already: the handler finished in time.
    if (res.writableFinished || res.destroyed) return;
    if (res.headersSent) {
      const stream = (res as unknown as Partial<Http2ServerResponse>).stream;
      if (stream) stream.close(http2.NGHTTP2_INTERNAL_ERROR);
      else res.destroy();
      onTimeout?.(req, ms, true);
      return;
    }
    // The handler's headers do not go out with the 504 (Go keeps them apart until it writes), those set before it do.
    const auditId = res.getHeader('Audit-Id');
    for (const name of res.getHeaderNames()) res.removeHeader(name);
    if (auditId !== undefined) res.setHeader('Audit-Id', auditId);
    res.setHeader('Cache-Control', CACHE_CONTROL);
    res.setHeader('Content-Type', 'text/plain; charset=utf-8');
    res.setHeader('Content-Length', TIMEOUT_BYTES.length);
    res.statusCode = 504;
    res.end(TIMEOUT_BYTES);
    onTimeout?.(req, ms, false);
  };

  return (req, res) => {
    const ms = requestTimeoutMs(req.method ?? 'GET', req.url ?? '/', maxMs);
    if (ms === undefined) {
      listener(req, res);
      return;
    }
    const arrived = performance.now();
    listener(req, res);
    // Answered before the listener returned (a single-object GET whose identity and decision are
    // cached, a few hundred bytes): no timer, which would be most of a GET's cost of this filter.
    if (res.writableEnded || res.destroyed) return;
    (res as Timed)[TIMER] = setTimeout(expire, Math.max(0, ms - (performance.now() - arrived)), req, res, ms);
    res.on('close', clearTimer);
  };
}
