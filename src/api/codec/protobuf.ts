// application/vnd.kubernetes.protobuf: the magic "k8s\0" followed by a
// runtime.Unknown whose typeMeta names the object and whose raw field holds the
// object's own message (apimachinery runtime/serializer/protobuf).

import type protobuf from 'protobufjs';
import * as build from './proto/messages.js';
import { META_V1, METRICS_V1BETA1, RUNTIME, protoType } from './proto/schema.js';

export const PROTOBUF_MEDIA_TYPE = 'application/vnd.kubernetes.protobuf';
export const PROTOBUF_MAGIC = Buffer.from([0x6b, 0x38, 0x73, 0x00]);

interface KindCodec {
  type: protobuf.Type;
  build: (obj: object) => Record<string, unknown>;
}

const KINDS: Record<string, KindCodec> = {
  NodeMetrics: { type: protoType(`${METRICS_V1BETA1}.NodeMetrics`), build: build.nodeMetrics },
  NodeMetricsList: { type: protoType(`${METRICS_V1BETA1}.NodeMetricsList`), build: build.nodeMetricsList },
  PodMetrics: { type: protoType(`${METRICS_V1BETA1}.PodMetrics`), build: build.podMetrics },
  PodMetricsList: { type: protoType(`${METRICS_V1BETA1}.PodMetricsList`), build: build.podMetricsList },
  Status: { type: protoType(`${META_V1}.Status`), build: build.status },
  APIGroupList: { type: protoType(`${META_V1}.APIGroupList`), build: build.apiGroupList },
  APIGroup: { type: protoType(`${META_V1}.APIGroup`), build: build.apiGroup },
  APIResourceList: { type: protoType(`${META_V1}.APIResourceList`), build: build.apiResourceList },
  PartialObjectMetadata: { type: protoType(`${META_V1}.PartialObjectMetadata`), build: build.partialObjectMetadata },
  PartialObjectMetadataList: { type: protoType(`${META_V1}.PartialObjectMetadataList`), build: build.partialObjectMetadataList },
};

const unknownType = protoType(`${RUNTIME}.Unknown`);

/** Thrown for a kind that has no protobuf form (e.g. Table, as upstream). */
export class ProtobufUnsupportedError extends Error {}

export function hasProtobufForm(kind: string | undefined): boolean {
  return kind !== undefined && Object.hasOwn(KINDS, kind);
}

/** The object's own message bytes (what runtime.Unknown.raw carries). */
export function encodeRaw(o: object): Uint8Array {
  const obj = o as { kind?: string };
  const codec = obj.kind !== undefined && Object.hasOwn(KINDS, obj.kind) ? KINDS[obj.kind] : undefined;
  if (!codec) throw new ProtobufUnsupportedError(`object kind ${JSON.stringify(obj.kind)} has no protobuf encoding`);
  return codec.type.encode(codec.build(obj)).finish();
}

/**
 * The full response body: magic + runtime.Unknown{typeMeta, raw, "", ""}, by
 * protobufjs in gogo's byte layout. Lists of metrics are written from rows
 * instead (list-writer/protobuf.ts); single objects, Status, discovery and
 * PartialObjectMetadata come here.
 */
export function encodeProtobuf(o: object): Buffer {
  const obj = o as { kind?: string; apiVersion?: string };
  const raw = encodeRaw(obj);
  const envelope = unknownType
    .encode({ typeMeta: { apiVersion: obj.apiVersion ?? '', kind: obj.kind ?? '' }, raw, contentEncoding: '', contentType: '' })
    .finish();
  return Buffer.concat([PROTOBUF_MAGIC, envelope], PROTOBUF_MAGIC.length + envelope.length);
}

/** Decodes a body written by encodeProtobuf back into typeMeta and the object's message (tests, tools). */
export function decodeProtobuf(body: Uint8Array): { apiVersion: string; kind: string; object: Record<string, unknown> } {
  if (body.length < 4 || !PROTOBUF_MAGIC.equals(Buffer.from(body.subarray(0, 4)))) {
    throw new Error('provided data does not appear to be a protobuf message, expected prefix [107 56 115 0]');
  }
  const unknown = unknownType.decode(body.subarray(4)) as unknown as { typeMeta?: { apiVersion?: string; kind?: string }; raw?: Uint8Array };
  const kind = unknown.typeMeta?.kind ?? '';
  const codec = Object.hasOwn(KINDS, kind) ? KINDS[kind] : undefined;
  if (!codec) throw new ProtobufUnsupportedError(`unknown kind ${JSON.stringify(kind)}`);
  const msg = codec.type.decode(unknown.raw ?? new Uint8Array());
  const object = codec.type.toObject(msg, { longs: Number, defaults: false, arrays: true }) as Record<string, unknown>;
  return { apiVersion: unknown.typeMeta?.apiVersion ?? '', kind, object: mapsOf(object) as Record<string, unknown> };
}

/** Map fields are written as repeated entries (proto/schema.ts): read back as the maps they are. */
const MAP_FIELDS = new Set(['labels', 'annotations', 'usage']);

function mapsOf(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(mapsOf);
  if (v === null || typeof v !== 'object' || v instanceof Uint8Array) return v;
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) {
    out[k] = MAP_FIELDS.has(k) && Array.isArray(x) ? Object.fromEntries(x.map((e: { key?: string; value?: unknown }) => [e.key ?? '', mapsOf(e.value ?? '')])) : mapsOf(x);
  }
  return out;
}
