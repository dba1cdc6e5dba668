// Lists the row writers leave to the wire objects (pretty JSON, Tables, rows a
// writer declines) when the result is JSON: items built, converted to Table
// rows and serialized a slice at a time, so that `kubectl get podmetrics -A`
// (a Table) does not hold every other request for seconds at 150k pods. Same
// bytes as encodeNegotiated(listObject(rows)). YAML and PartialObjectMetadata
// lists are left to it.

import { encodeStatus, SERIALIZERS, type Encoded, type Negotiated, type RequestView } from '../codec/index.js';
import { JsonArrayParts } from '../codec/json-sliced.js';
import { listObject, type MetricsRows } from '../metrics-rows.js';
import { StatusError } from '../status.js';
import { parseIncludeObject, TableBuilder, type IncludeObject } from '../table.js';
import type { NodeMetrics, PodMetrics } from '../types.js';
import type { TimeSlicer } from '../../util/time-slice.js';

/** Items built (or converted) between two looks at the slicer's clock. */
const ITEMS_PER_CHECK = 256;

/** The response, or undefined when it is not JSON (the caller encodes it whole). */
export async function encodeObjectsSliced(ctx: RequestView, rows: MetricsRows, n: Negotiated, slicer: TimeSlicer): Promise<Encoded | undefined> {
  const t = n.transform;
  if (t && t.kind !== 'Table') return undefined;
  // A Table has no protobuf form: asked for as protobuf it is JSON (encodeNegotiated's rule).
  const json = n.serializer.name === 'json' ? n.serializer : t && n.serializer.name === 'protobuf' ? SERIALIZERS[0]! : undefined;
  if (!json) return undefined;
  let includeObject: IncludeObject | undefined;
  if (t) {
    try {
      includeObject = parseIncludeObject(t.includeObject);
    } catch (err) {
      if (err instanceof StatusError) return encodeStatus(ctx, err.status);
      throw err;
    }
  }
  // Each slice's items (or Table rows) are serialized as soon as they are made.
  const list = listObject({ ...rows, rows: [] });
  const table = t ? new TableBuilder(list.kind, { version: t.version, includeObject: includeObject! }) : undefined;
  const key = table ? 'rows' : 'items';
  const parts = new JsonArrayParts(table ? table.table(list.metadata) : list, key, n.pretty);
  for (let i = 0; i < rows.rows.length; i += ITEMS_PER_CHECK) {
    const items: (NodeMetrics | PodMetrics)[] = listObject({ ...rows, rows: rows.rows.slice(i, i + ITEMS_PER_CHECK) } as MetricsRows).items;
    parts.add(table ? items.map((item) => table.rowOf(item)) : items);
    if (slicer.due) await slicer.next();
  }
  const body = await parts.finish(table ? table.table(list.metadata) : list, slicer);
  return { status: 200, contentType: json.mediaType, body, headers: {} };
}
