// GAS's max-in-flight filter (apiserver filters/maxinflight.go, 400 read-only
// requests by default): beyond the limit a request is answered 429 at once,
// with Go's http.Error text and Retry-After: 1, so a burst (many HPAs, scripts)
// is shed and retried instead of queueing without bound in front of the event
// loop. Counted before authentication, around Koa and the resource GET fast
// path alike; upstream counts after it and exempts system:masters.

import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';

/** GAS's default MaxRequestsInFlight (metrics-server exposes no flag for it). */
export const MAX_REQUESTS_IN_FLIGHT = 400;

const TOO_MANY = 'Too many requests, please try again later.\n';

export function withMaxInFlight(listener: RequestListener, limit = MAX_REQUESTS_IN_FLIGHT, onRejected?: () => void): RequestListener {
  let inFlight = 0;
  return (req: IncomingMessage, res: ServerResponse) => {
    if (inFlight >= limit) {
      onRejected?.();
      res.writeHead(429, { 'Content-Type': 'text/plain; charset=utf-8', 'X-Content-Type-Options': 'nosniff', 'Retry-After': '1' });
      res.end(TOO_MANY);
      return;
    }
    inFlight++;
    let released = false;
    // 'close' follows every response, finished or cut off; 'finish' only the finished ones.
    const release = () => {
      if (released) return;
      released = true;
      inFlight--;
    };
    res.once('finish', release);
    res.once('close', release);
    listener(req, res);
  };
}
