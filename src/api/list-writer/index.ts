// Encodes a list from its rows: compact JSON and protobuf are written directly
// (the list cache's hot path, at 150k pods tens of MB per tick), a slice of
// rows at a time; every other encoding, and rows the writers leave alone, go
// through the wire objects (JSON ones a slice at a time too).

import type { Context } from 'koa';
import { encodeNegotiated, type Encoded, type Negotiated } from '../codec/index.js';
import { listObject, type MetricsRows } from '../metrics-rows.js';
import type { TimeSlicer } from '../../util/time-slice.js';
import { JsonListWriter } from './json.js';
import { writeSliced, type ListBodyWriter } from './list-body-writer.js';
import { encodeObjectsSliced } from './objects-sliced.js';
import { ProtobufListWriter } from './protobuf.js';

/** Compact JSON or protobuf lists without a transform: what the row writers write. */
function writerFor(rows: MetricsRows, n: Negotiated): (() => ListBodyWriter) | undefined {
  if (n.transform || n.pretty) return undefined;
  const name = n.serializer.name;
  if (name === 'json') return () => new JsonListWriter(rows);
  if (name === 'protobuf') return () => new ProtobufListWriter(rows);
  return undefined;
}

/** A list's response; creationAt where a row writer wrote it (where each item's creationTimestamp value starts). */
export async function encodeRows(ctx: Context, rows: MetricsRows, n: Negotiated, slicer: TimeSlicer): Promise<{ enc: Encoded; creationAt?: Int32Array }> {
  const start = writerFor(rows, n);
  const written = start && (await writeSliced(start, rows.rows.length, slicer));
  if (written) return { enc: { status: 200, contentType: n.serializer.mediaType, body: written.body, headers: {} }, creationAt: written.creationAt };
  return { enc: (await encodeObjectsSliced(ctx, rows, n, slicer)) ?? encodeNegotiated(ctx, listObject(rows), n) };
}

export { writeListJson } from './json.js';
export { writeListProtobuf } from './protobuf.js';
