// The API's outermost middleware, doing what GAS's filters do around every
// handler: Cache-Control and Audit-Id headers, and every error turned into a
// metav1.Status. StatusErrors keep their code and text; anything else is logged
// and answered with a generic 500 that never carries the error text or a stack.
// The pieces are exported for the resource GET fast path, which does the same
// outside Koa.

import { randomUUID } from 'node:crypto';
import { validateHeaderValue, type ServerResponse } from 'node:http';
import type { Middleware } from 'koa';
import type { Logger } from '../log.js';
import { encodeStatus, send, type Encoded, type RequestView } from './codec/index.js';
import { encodeJson } from './codec/json.js';
import { internalError, StatusError, type Status } from './status.js';

export const CACHE_CONTROL = 'no-cache, private';

/**
 * The request's Audit-Id: GAS keeps an incoming Audit-ID (the aggregator sends one)
 * and otherwise makes one, as it does for a value Node.js refuses to echo.
 */
export function auditIdOf(incoming: string): string {
  if (incoming === '') return randomUUID();
  try {
    validateHeaderValue('Audit-Id', incoming);
    return incoming;
  } catch {
    return randomUUID();
  }
}

/** Sets Audit-Id on the response (see auditIdOf) and returns it. */
export function setAuditId(res: ServerResponse, incoming: string): string {
  const id = auditIdOf(incoming);
  res.setHeader('Audit-Id', id);
  return id;
}

/** The Status an error is answered with; anything but a StatusError is logged and hidden behind a 500. */
export function statusOf(err: unknown, log: Logger, request: { auditId: string; method: string; path: string }): Status {
  if (err instanceof StatusError) return err.status;
  log.error({ err, auditId: request.auditId, method: request.method, path: request.path }, 'internal error serving request');
  return internalError(`an internal error occurred while serving the request (audit ID ${request.auditId}); see the server log`).status;
}

/** An error Status in the negotiated form, or as JSON when even that fails. */
export function encodeError(view: RequestView, status: Status, log: Logger): Encoded {
  try {
    return encodeStatus(view, status, status.code);
  } catch (err) {
    // Even the Status could not be encoded in the negotiated form (say, a 406 for
    // the Accept header itself): GAS falls back to JSON for errors.
    log.debug({ err }, 'encoding error status in negotiated form failed; writing JSON');
    const headers: Record<string, string> = {};
    const retry = status.details?.retryAfterSeconds;
    if (retry !== undefined && retry > 0) headers['Retry-After'] = String(retry);
    // What Koa's ctx.type = 'application/json' writes.
    return { status: status.code, contentType: 'application/json; charset=utf-8', body: Buffer.from(encodeJson(status)), headers };
  }
}

export function errorHandler(log: Logger): Middleware {
  return async (ctx, next) => {
    ctx.set('Cache-Control', CACHE_CONTROL);
    const auditId = setAuditId(ctx.res, ctx.get('audit-id'));
    ctx.state['auditId'] = auditId;
    try {
      await next();
    } catch (err) {
      send(ctx, encodeError(ctx, statusOf(err, log, { auditId, method: ctx.method, path: ctx.path }), log));
    }
  };
}
