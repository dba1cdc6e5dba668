// The codec's public face: every response body of the API (objects, lists,
// discovery documents and Status errors) is written through respond().
// Content negotiation (JSON, YAML, protobuf, Table, PartialObjectMetadata) lives
// here; routes that cache encoded bodies use negotiate() + encodeNegotiated() + send().

import type { Context } from 'koa';
import { Readable } from 'node:stream';
import { notAcceptable, StatusError } from '../status.js';
import { parseIncludeObject, TABLE_KINDS, toTable, type TableVersion } from '../table.js';
import { useBody } from './body-use.js';
import { compressed, shouldGzip } from './gzip.js';
import { encodeJson, wantsPretty } from './json.js';
import {
  DEFAULT_RESTRICTIONS,
  SERIALIZERS,
  notAcceptableMessage,
  RESOURCE_RESTRICTIONS,
  type EndpointRestrictions,
  type SerializerInfo,
} from './negotiate.js';
import { negotiateCached } from './negotiation-cache.js';
import { asPartialObjectMetadata } from './partial.js';
import { encodeProtobuf, hasProtobufForm } from './protobuf.js';
import type { RequestView } from './request-view.js';
import { encodeYaml } from './yaml.js';
import { answered } from './write.js';

export type { RequestView } from './request-view.js';

export interface RespondOptions {
  /** Discovery documents accept no transforms (Table, PartialObjectMetadata). */
  discovery?: boolean;
  /** HTTP status, default 200 (for a Status object: its code). */
  status?: number;
}

/** A finished response: what send() writes. Reusable across requests with the same negotiated key. */
export interface Encoded {
  status: number;
  contentType: string;
  body: Buffer;
  headers: Record<string, string>;
}

export type Transform =
  /** includeObject is the raw query value, validated when the Table is built (after the handler ran, as upstream). */
  | { kind: 'Table'; version: TableVersion; includeObject: string | string[] | undefined }
  | { kind: 'PartialObjectMetadata' | 'PartialObjectMetadataList'; version: string };

/** The outcome of negotiation for one request. */
export interface Negotiated {
  serializer: SerializerInfo;
  pretty: boolean;
  transform?: Transform;
  /** Identifies the encoding: equal keys give equal bytes for the same object (cache key part). */
  key: string;
}

/** Kinds served by resource endpoints: these accept Table and PartialObjectMetadata transforms. */
export function isResourceKind(kind: unknown): boolean {
  return typeof kind === 'string' && TABLE_KINDS.has(kind);
}

function prettyFor(ctx: RequestView, fromMediaType: boolean): boolean {
  return fromMediaType || wantsPretty(ctx.query, ctx.get('user-agent') || undefined);
}

/**
 * Negotiates the response encoding for a request. Throws StatusError 406 when no
 * serializer is acceptable. A bad ?includeObject= is reported by encodeNegotiated
 * (a 400), so that, as in GAS, handler errors such as 404 come first.
 */
export function negotiate(ctx: RequestView, opts: { resource: boolean }): Negotiated {
  const restrictions: EndpointRestrictions = opts.resource ? RESOURCE_RESTRICTIONS : DEFAULT_RESTRICTIONS;
  const mt = negotiateCached(ctx.get('accept') || undefined, restrictions);
  if (!mt) throw notAcceptable(notAcceptableMessage());
  const pretty = prettyFor(ctx, mt.pretty);
  const out: Negotiated = { serializer: mt.serializer, pretty, key: `${mt.serializer.name}${pretty ? '+pretty' : ''}` };
  if (mt.convert) {
    const version = mt.convert.version;
    if (mt.convert.kind === 'Table') {
      out.transform = { kind: 'Table', version: version as TableVersion, includeObject: ctx.query['includeObject'] };
    } else {
      out.transform = { kind: mt.convert.kind as 'PartialObjectMetadata' | 'PartialObjectMetadataList', version };
    }
    out.key += `;as=${mt.convert.kind};v=${version}`;
    if (out.transform.kind === 'Table') out.key += `;includeObject=${JSON.stringify(out.transform.includeObject ?? '')}`;
  }
  return out;
}

/** Kinds without a protobuf message (e.g. a Table) fall through to JSON, the first serializer. */
function effectiveSerializer(obj: object, serializer: SerializerInfo): SerializerInfo {
  if (serializer.name === 'protobuf' && !hasProtobufForm((obj as { kind?: string }).kind)) return SERIALIZERS[0]!;
  return serializer;
}

function serialize(obj: object, serializer: SerializerInfo, pretty: boolean): Buffer {
  switch (serializer.name) {
    case 'protobuf':
      return encodeProtobuf(obj);
    case 'yaml':
      return Buffer.from(encodeYaml(obj));
    default:
      return Buffer.from(encodeJson(obj, pretty));
  }
}

function isStatus(obj: object): obj is { kind: 'Status'; code?: number; details?: { retryAfterSeconds?: number } } {
  return (obj as { kind?: unknown }).kind === 'Status';
}

/** Upstream's WriteRawJSON: indented JSON whatever the client asked for. */
function rawJson(status: number, obj: object): Encoded {
  return { status, contentType: 'application/json', body: Buffer.from(encodeJson(obj, true)), headers: {} };
}

/**
 * Encodes a metav1.Status with the negotiated serializer (no transforms); when
 * nothing is acceptable the error itself is still sent, as indented JSON.
 */
export function encodeStatus(ctx: RequestView, status: object, code?: number): Encoded {
  const s = status as { code?: number; details?: { retryAfterSeconds?: number } };
  const httpStatus = code ?? (s.code || 500);
  const headers: Record<string, string> = {};
  const retry = s.details?.retryAfterSeconds;
  if (retry !== undefined && retry > 0) headers['Retry-After'] = String(retry);
  const mt = negotiateCached(ctx.get('accept') || undefined, DEFAULT_RESTRICTIONS);
  if (!mt) return { ...rawJson(httpStatus, status), headers };
  const pretty = prettyFor(ctx, mt.pretty);
  const serializer = effectiveSerializer(status, mt.serializer);
  return { status: httpStatus, contentType: serializer.mediaType, body: serialize(status, serializer, pretty), headers };
}

/** Encodes obj as negotiated. A transform that cannot apply yields its error Status instead. */
export function encodeNegotiated(ctx: RequestView, obj: object, n: Negotiated, status = 200): Encoded {
  let out: object = obj;
  const t = n.transform;
  if (t && !isStatus(obj)) {
    if (t.kind === 'Table') {
      try {
        out = toTable(obj, { version: t.version, includeObject: parseIncludeObject(t.includeObject) });
      } catch (err) {
        if (err instanceof StatusError) return encodeStatus(ctx, err.status);
        throw err;
      }
    } else {
      const partial = asPartialObjectMetadata(obj, t.kind, t.version);
      if (partial instanceof StatusError) return encodeStatus(ctx, partial.status);
      out = partial;
    }
  }
  const serializer = effectiveSerializer(out, n.serializer);
  return { status, contentType: serializer.mediaType, body: serialize(out, serializer, n.pretty), headers: {} };
}

/** Negotiates and encodes: the bytes respond() would write, for callers that cache them. */
export function encodeFor(ctx: RequestView, obj: object, opts: RespondOptions = {}): Encoded {
  if (isStatus(obj)) return encodeStatus(ctx, obj, opts.status);
  const resource = !opts.discovery && isResourceKind((obj as { kind?: unknown }).kind);
  let n: Negotiated;
  try {
    n = negotiate(ctx, { resource });
  } catch (err) {
    if (err instanceof StatusError) return encodeStatus(ctx, err.status);
    throw err;
  }
  return encodeNegotiated(ctx, obj, n, opts.status ?? 200);
}

/**
 * Writes an encoded response: status, headers, body (gzip when large and accepted).
 * The body counts as in use until the response is done or its connection gone
 * ('close' follows both), so the list cache leaves it alone meanwhile.
 */
export function send(ctx: Context, enc: Encoded): void {
  // Answered meanwhile (a 504 from the request timeout) or the client gone: its 'close' may be past.
  // Not ctx.writable: an HTTP/2 HEAD stream is not writable, yet its status and headers go out.
  if (answered(ctx.res)) return;
  ctx.res.once('close', useBody(enc.body));
  ctx.status = enc.status;
  for (const [k, v] of Object.entries(enc.headers)) ctx.set(k, v);
  if (shouldGzip(ctx.method, enc.body, ctx.get('accept-encoding'))) {
    ctx.set('Content-Encoding', 'gzip');
    ctx.vary('Accept-Encoding');
    const z = compressed(enc.body);
    ctx.body = Readable.from((async function* () {
      yield await z;
    })());
  } else if (enc.body.length > WRITE_SLICE) {
    ctx.body = Readable.from(slices(enc.body, WRITE_SLICE));
    ctx.length = enc.body.length;
  } else {
    ctx.body = enc.body;
  }
  ctx.set('Content-Type', enc.contentType);
}

/**
 * Bodies larger than this are handed to the socket a slice at a time: TLS
 * encrypts what it is given at once, which for a 48 MB list held the event
 * loop 50-280 ms (and built the whole encrypted copy).
 */
const WRITE_SLICE = 1024 * 1024;

function* slices(body: Buffer, size: number): Generator<Buffer> {
  for (let at = 0; at < body.length; at += size) yield body.subarray(at, at + size);
}

/** Writes obj (a wire-form object with kind/apiVersion) in the negotiated encoding. */
export function respond(ctx: Context, obj: object, opts: RespondOptions = {}): void {
  send(ctx, encodeFor(ctx, obj, opts));
}

export { encodeJson, wantsPretty } from './json.js';
export { negotiateMediaType, parseAccept, notAcceptableMessage, SERIALIZERS } from './negotiate.js';
export { encodeProtobuf, decodeProtobuf, PROTOBUF_MEDIA_TYPE } from './protobuf.js';
