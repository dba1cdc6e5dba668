// GAS's request deadline filter (WithRequestDeadline), its check: a malformed
// ?timeout= is answered 400 before authentication, in its words. Watches read
// timeoutSeconds instead and are left alone (this API answers them 405). The
// deadline itself, min(timeout, 60 s) and then 504, is request-timeout.ts's.

import type { Middleware } from 'koa';
import { badRequest } from '../api/status.js';
import { parseGoDuration } from '../util/go-duration.js';
import { requestInfo } from './request-info.js';

const INVALID_TIMEOUT = 'invalid timeout specified in the request URL';

/** Go's Duration range: values past it are malformed there too. */
const GO_DURATION_MAX_NS = 2 ** 63 - 1;

export function requestDeadlineMiddleware(): Middleware {
  return async (ctx, next) => {
    // Most requests carry no query (the HPA's single-object GETs, probes).
    if (ctx.querystring !== '') {
      const query = new URLSearchParams(ctx.querystring);
      const timeout = query.get('timeout'); // the first value, as Go's Query().Get
      if (timeout !== null && timeout !== '' && requestInfo(ctx.method, ctx.path, query).verb !== 'watch') {
        try {
          parseGoDuration(timeout, GO_DURATION_MAX_NS);
        } catch (e) {
          throw badRequest(`${INVALID_TIMEOUT} - ${(e as Error).message}`);
        }
      }
    }
    await next();
  };
}
