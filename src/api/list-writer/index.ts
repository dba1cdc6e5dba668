// Encodes a list from its rows: compact JSON and protobuf are written directly
// (the list cache's hot path, at 150k pods tens of MB per tick); every other
// encoding, and rows the writers leave alone, go through the wire objects.

import type { Context } from 'koa';
import { encodeNegotiated, type Encoded, type Negotiated } from '../codec/index.js';
import { listObject, type MetricsRows } from '../metrics-rows.js';
import { writeListJson } from './json.js';
import { writeListProtobuf } from './protobuf.js';

export function encodeRows(ctx: Context, rows: MetricsRows, n: Negotiated): Encoded {
  if (!n.transform && !n.pretty) {
    const name = n.serializer.name;
    const body = name === 'json' ? writeListJson(rows) : name === 'protobuf' ? writeListProtobuf(rows) : undefined;
    if (body) return { status: 200, contentType: n.serializer.mediaType, body, headers: {} };
  }
  return encodeNegotiated(ctx, listObject(rows), n);
}

export { writeListJson } from './json.js';
export { writeListProtobuf } from './protobuf.js';
