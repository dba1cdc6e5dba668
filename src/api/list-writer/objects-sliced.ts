// Lists the row writers leave to the wire objects (pretty JSON, YAML, Tables,
// JSON and YAML PartialObjectMetadataLists, rows a writer declines): items
// built, converted (Table rows, metadata) and serialized a slice at a time, so
// that `kubectl get podmetrics -A` (a Table) or a YAML list does not hold every
// other request for seconds at 150k pods. Same bytes as
// encodeNegotiated(listObject(rows)). Protobuf lists whose rows the row writer
// declines are left to encodeNegotiated.
import { encodeStatus, SERIALIZERS, type Encoded, type Negotiated, type RequestView } from '../codec/index.js';
import { JsonArrayParts } from '../codec/json-sliced.js';
import { asPartialObjectMetadata } from '../codec/partial.js';
import { YamlSeqParts } from '../codec/yaml-sliced.js';
import { listObject, type MetricsRows } from '../metrics-rows.js';
import { StatusError } from '../status.js';
import { parseIncludeObject, TableBuilder, type IncludeObject } from '../table.js';
import type { NodeMetrics, PodMetrics } from '../types.js';
import type { TimeSlicer } from '../../util/time-slice.js';

/** Items built (or converted) between two looks at the slicer's clock. */
const ITEMS_PER_CHECK = 256;

/** The response, or undefined when it is protobuf or not a list's form (the caller encodes it whole). */
export async function encodeObjectsSliced(ctx: RequestView, rows: MetricsRows, n: Negotiated, slicer: TimeSlicer): Promise<Encoded | undefined> {
  const t = n.transform;
  // PartialObjectMetadata of a list is a 406, which encodeNegotiated writes.
  if (t && t.kind === 'PartialObjectMetadata') return undefined;
  // A Table has no protobuf form: asked for as protobuf it is JSON (encodeNegotiated's rule).
  const serializer = n.serializer.name !== 'protobuf' ? n.serializer : t?.kind === 'Table' ? SERIALIZERS[0]! : undefined;
  if (!serializer) return undefined;
  let includeObject: IncludeObject | undefined;
  if (t?.kind === 'Table') {
    try {
      includeObject = parseIncludeObject(t.includeObject);
    } catch (err) {
      if (err instanceof StatusError) return encodeStatus(ctx, err.status);
      throw err;
    }
  }
  const list = listObject({ ...rows, rows: [] });
  const table = t?.kind === 'Table' ? new TableBuilder(list.kind, { version: t.version, includeObject: includeObject! }) : undefined;
  const partial = t?.kind === 'PartialObjectMetadataList' ? t : undefined;
  // The object around the elements, as it is once they are all made (a Table's columns follow its rows).
  const frame = (): object => (table ? table.table(list.metadata) : partial ? (asPartialObjectMetadata(list, partial.kind, partial.version) as object) : list);
  const key = table ? 'rows' : 'items';
  const parts = serializer.name === 'yaml' ? new YamlSeqParts(frame(), key) : new JsonArrayParts(frame(), key, n.pretty);
  const apiVersion = partial && `meta.k8s.io/${partial.version}`;
  // Each slice's items (or Table rows, or metadata) are serialized as soon as they are made.
  for (let i = 0; i < rows.rows.length; i += ITEMS_PER_CHECK) {
    const items: (NodeMetrics | PodMetrics)[] = listObject({ ...rows, rows: rows.rows.slice(i, i + ITEMS_PER_CHECK) } as MetricsRows).items;
    parts.add(table ? items.map((item) => table.rowOf(item)) : partial ? items.map((item) => ({ kind: 'PartialObjectMetadata', apiVersion, metadata: item.metadata })) : items);
    if (slicer.due) await slicer.next();
  }
  const body = await parts.finish(frame(), slicer);
  return { status: 200, contentType: serializer.mediaType, body, headers: {} };
}
