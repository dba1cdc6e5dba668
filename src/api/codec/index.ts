// The codec's public face: every response body of the API (objects, lists,
// discovery documents and Status errors) is written through respond().
// Content negotiation (JSON, protobuf, Table, aggregated discovery) lives here.

import type { Context } from 'koa';
import { encodeJson, wantsPretty } from './json.js';

export interface RespondOptions {
  /** Discovery documents accept no transforms (Table, PartialObjectMetadata). */
  discovery?: boolean;
  /** HTTP status, default 200. */
  status?: number;
}

/** Writes obj (a wire-form object with kind/apiVersion) in the negotiated encoding. */
export function respond(ctx: Context, obj: object, opts: RespondOptions = {}): void {
  ctx.status = opts.status ?? 200;
  ctx.type = 'application/json';
  ctx.body = encodeJson(obj, wantsPretty(ctx.query, ctx.get('user-agent') || undefined));
}
