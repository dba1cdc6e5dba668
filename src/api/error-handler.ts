// The API's outermost middleware, doing what GAS's filters do around every
// handler: Cache-Control and Audit-Id headers, and every error turned into a
// metav1.Status. StatusErrors keep their code and text; anything else is logged
// and answered with a generic 500 that never carries the error text or a stack.

import { randomUUID } from 'node:crypto';
import type { Context, Middleware } from 'koa';
import type { Logger } from '../log.js';
import { respond } from './codec/index.js';
import { encodeJson } from './codec/json.js';
import { internalError, StatusError, type Status } from './status.js';

/** GAS keeps an incoming Audit-ID (the aggregator sends one) and otherwise makes one. */
function auditId(ctx: Context): string {
  const incoming = ctx.get('audit-id');
  return incoming !== '' ? incoming : randomUUID();
}

function writeStatus(ctx: Context, status: Status, log: Logger): void {
  const retry = status.details?.retryAfterSeconds;
  if (retry !== undefined && retry > 0) ctx.set('Retry-After', String(retry));
  try {
    respond(ctx, status, { status: status.code });
  } catch (err) {
    // Even the Status could not be encoded in the negotiated form (say, a 406 for
    // the Accept header itself): GAS falls back to JSON for errors.
    log.debug({ err }, 'encoding error status in negotiated form failed; writing JSON');
    ctx.status = status.code;
    ctx.type = 'application/json';
    ctx.body = encodeJson(status);
  }
}

export function errorHandler(log: Logger): Middleware {
  return async (ctx, next) => {
    ctx.set('Cache-Control', 'no-cache, private');
    const id = auditId(ctx);
    try {
      ctx.set('Audit-Id', id);
    } catch {
      ctx.set('Audit-Id', randomUUID()); // an incoming value Node refuses to echo
    }
    ctx.state['auditId'] = ctx.response.get('Audit-Id');
    try {
      await next();
    } catch (err) {
      if (err instanceof StatusError) {
        writeStatus(ctx, err.status, log);
        return;
      }
      log.error({ err, auditId: ctx.state['auditId'], method: ctx.method, path: ctx.path }, 'internal error serving request');
      const status = internalError(`an internal error occurred while serving the request (audit ID ${ctx.state['auditId']}); see the server log`).status;
      writeStatus(ctx, status, log);
    }
  };
}
