// Encodes a list from its rows: compact JSON and protobuf (metrics lists and
// PartialObjectMetadataLists) are written directly (the list cache's hot path,
// at 150k pods tens of MB per tick), a slice of rows at a time; every other
// encoding, and rows the writers leave alone, go through the wire objects
// (JSON and YAML ones a slice at a time too).

import type { Context } from 'koa';
import { encodeNegotiated, type Encoded, type Negotiated } from '../codec/index.js';
import { listObject, type MetricsRows } from '../metrics-rows.js';
import type { TimeSlicer } from '../../util/time-slice.js';
import { JsonListWriter } from './json.js';
import { writeSliced, type ListBodyWriter } from './list-body-writer.js';
import { encodeObjectsSliced } from './objects-sliced.js';
import { ProtobufListWriter } from './protobuf.js';

/** What the row writers write: compact JSON and protobuf lists, and protobuf PartialObjectMetadataLists (protobuf has no pretty form). */
function writerFor(rows: MetricsRows, n: Negotiated): (() => ListBodyWriter) | undefined {
  const name = n.serializer.name;
  const t = n.transform;
  if (name === 'protobuf') {
    if (!t) return () => new ProtobufListWriter(rows);
    if (t.kind === 'PartialObjectMetadataList') return () => new ProtobufListWriter(rows, t.version);
    return undefined;
  }
  if (name === 'json' && !t && !n.pretty) return () => new JsonListWriter(rows);
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
