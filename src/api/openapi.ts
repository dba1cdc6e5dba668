// /openapi/v2 (Swagger 2.0) and /openapi/v3 (index + per group-version document)
// for metrics.k8s.io/v1beta1, built once at start and served the way kube-openapi
// does: JSON bytes with ETag = quoted upper-case hex SHA-512, 304 on If-None-Match,
// ?hash= pinning with long-lived caching on v3. Only JSON forms are served; the
// gnostic protobuf forms are skipped during negotiation (406 if nothing else fits).

import type { Context, Middleware, Next } from 'koa';
import { createHash } from 'node:crypto';
import { parseAccept } from './codec/negotiate.js';
import { models, QUANTITY_DESC, type RefFn, type Schema } from './openapi-models.js';
import { OPERATIONS, PRODUCES, type Operation, type Param } from './openapi-paths.js';

export const OPENAPI_TITLE = 'Kubernetes metrics-server';
export const V3_GROUP_VERSION_PATH = 'apis/metrics.k8s.io/v1beta1';

export interface OpenAPIOptions {
  /** info.version of the documents (metrics-server puts its version there). */
  version?: string;
}

const SECURITY_SCHEME = { type: 'apiKey', description: 'Bearer Token authentication', name: 'authorization', in: 'header' };

function withExtra(target: Schema, extra?: Schema): Schema {
  return extra ? { ...extra, ...target } : target;
}

function operationExtensions(op: Operation): Schema {
  if (!op.action || !op.kind) return {};
  return { 'x-kubernetes-action': op.action, 'x-kubernetes-group-version-kind': { group: 'metrics.k8s.io', kind: op.kind, version: 'v1beta1' } };
}

/** The Swagger 2.0 document served at /openapi/v2. */
export function buildOpenAPIV2(opts: OpenAPIOptions = {}): Schema {
  const ref: RefFn = (model, extra) => withExtra({ $ref: `#/definitions/${model}` }, extra);
  const param = (p: Param): Schema => ({ uniqueItems: true, type: p.type, description: p.description, name: p.name, in: p.in, ...(p.in === 'path' ? { required: true } : {}) });
  const paths: Record<string, Schema> = {};
  for (const op of OPERATIONS) {
    paths[op.path] = {
      get: {
        description: op.description,
        consumes: ['*/*'],
        produces: PRODUCES,
        schemes: ['https'],
        tags: [op.tag],
        operationId: op.operationId,
        responses: { '200': { description: 'OK', schema: ref(op.response) }, '401': { description: 'Unauthorized' } },
        ...operationExtensions(op),
      },
      ...(op.params.length > 0 ? { parameters: op.params.map(param) } : {}),
    };
  }
  return {
    swagger: '2.0',
    info: { title: OPENAPI_TITLE, version: opts.version ?? 'unversioned' },
    paths,
    definitions: models(ref, { description: QUANTITY_DESC, type: 'string' }),
    securityDefinitions: { BearerToken: SECURITY_SCHEME },
    security: [{ BearerToken: [] }],
  };
}

/** The OpenAPI 3.0 document for metrics.k8s.io/v1beta1 (/openapi/v3/apis/metrics.k8s.io/v1beta1). */
export function buildOpenAPIV3(opts: OpenAPIOptions = {}): Schema {
  // In OpenAPI 3 siblings of $ref are ignored, so annotated references wrap it in allOf.
  const ref: RefFn = (model, extra) => {
    const target = { $ref: `#/components/schemas/${model}` };
    return extra ? { ...extra, allOf: [target] } : target;
  };
  const param = (p: Param): Schema => ({
    name: p.name,
    in: p.in,
    description: p.description,
    ...(p.in === 'path' ? { required: true } : {}),
    schema: { type: p.type, uniqueItems: true },
  });
  const paths: Record<string, Schema> = {};
  for (const op of OPERATIONS) {
    if (!op.path.startsWith(`/${V3_GROUP_VERSION_PATH}/`)) continue;
    const content: Record<string, Schema> = {};
    for (const mt of PRODUCES) content[mt] = { schema: ref(op.response) };
    paths[op.path] = {
      get: {
        tags: [op.tag],
        description: op.description,
        operationId: op.operationId,
        responses: { '200': { description: 'OK', content }, '401': { description: 'Unauthorized' } },
        ...operationExtensions(op),
      },
      ...(op.params.length > 0 ? { parameters: op.params.map(param) } : {}),
    };
  }
  return {
    openapi: '3.0.0',
    info: { title: OPENAPI_TITLE, version: opts.version ?? 'unversioned' },
    paths,
    components: {
      schemas: models(ref, { description: QUANTITY_DESC, oneOf: [{ type: 'string' }, { type: 'number' }] }),
      securitySchemes: { BearerToken: SECURITY_SCHEME },
    },
    security: [{ BearerToken: [] }],
  };
}

interface Served {
  body: Buffer;
  hash: string;
  etag: string;
}

function served(doc: unknown): Served {
  const body = Buffer.from(JSON.stringify(doc));
  const hash = createHash('sha512').update(body).digest('hex').toUpperCase();
  return { body, hash, etag: JSON.stringify(hash) };
}

/** Whether a client Accept header admits application/json (goautoneg rules, q=0 refuses). */
function acceptsJson(header: string): boolean {
  if (!header) return true;
  return parseAccept(header).some((c) => c.q > 0 && (c.type === 'application' || c.type === '*') && (c.subType === 'json' || c.subType === '*'));
}

// http.ServeContent's If-None-Match handling: "*" or any listed (weak or strong) tag.
function notModified(ctx: Context, etag: string): boolean {
  const inm = ctx.get('if-none-match');
  if (!inm) return false;
  return inm.split(',').some((t) => {
    const tag = t.trim();
    return tag === '*' || tag === etag || tag === `W/${etag}`;
  });
}

function sendDocument(ctx: Context, doc: Served, lastModified: string): void {
  ctx.set('Vary', 'Accept');
  ctx.set('Etag', doc.etag);
  ctx.set('Last-Modified', lastModified);
  if (notModified(ctx, doc.etag)) {
    ctx.status = 304;
    return;
  }
  ctx.status = 200;
  ctx.body = doc.body;
  ctx.set('Content-Type', 'application/json');
}

/** Serves /openapi/v2, /openapi/v3 and /openapi/v3/apis/metrics.k8s.io/v1beta1; everything else passes on. */
export function openapiMiddleware(opts: OpenAPIOptions = {}): Middleware {
  const v2 = served(buildOpenAPIV2(opts));
  const v3 = served(buildOpenAPIV3(opts));
  const v3Url = `/openapi/v3/${V3_GROUP_VERSION_PATH}?hash=${v3.hash}`;
  const index = served({ paths: { [V3_GROUP_VERSION_PATH]: { serverRelativeURL: v3Url } } });
  const lastModified = new Date().toUTCString();

  return async function openapi(ctx: Context, next: Next): Promise<void> {
    if (!ctx.path.startsWith('/openapi/') || (ctx.method !== 'GET' && ctx.method !== 'HEAD')) return next();
    const path = ctx.path.replace(/\/+$/, '');
    if (path === '/openapi/v2' || path === '/openapi/v3' || path.startsWith('/openapi/v3/')) {
      if (!acceptsJson(ctx.get('accept'))) {
        ctx.status = 406;
        ctx.body = 'only application/json is served for OpenAPI documents';
        return;
      }
    }
    if (path === '/openapi/v2') return sendDocument(ctx, v2, lastModified);
    if (path === '/openapi/v3') return sendDocument(ctx, index, lastModified);
    if (path === `/openapi/v3/${V3_GROUP_VERSION_PATH}`) {
      const hash = ctx.query['hash'];
      if (typeof hash === 'string' && hash !== '') {
        if (hash !== v3.hash) {
          ctx.status = 301;
          ctx.redirect(v3Url);
          return;
        }
        ctx.set('Cache-Control', 'public, immutable');
        ctx.set('Expires', new Date(Date.now() + 365 * 24 * 3600 * 1000).toUTCString());
      }
      return sendDocument(ctx, v3, lastModified);
    }
    if (path.startsWith('/openapi/v3/')) {
      ctx.status = 404;
      ctx.body = '404 page not found\n';
      return;
    }
    return next();
  };
}
