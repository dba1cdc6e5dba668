import t, { type Test } from 'tap';
import Koa from 'koa';
import { createHash } from 'node:crypto';
import { buildOpenAPIV2, buildOpenAPIV3, openapiMiddleware, OPENAPI_TITLE } from '../../src/api/openapi.js';
import * as samples from './codec/samples.js';
import { get, serve } from './codec/serve.js';

/* eslint-disable @typescript-eslint/no-explicit-any -- walking untyped JSON documents */

const M = 'io.k8s.metrics.pkg.apis.metrics.v1beta1';
const KINDS = ['NodeMetrics', 'NodeMetricsList', 'PodMetrics', 'PodMetricsList', 'ContainerMetrics'];
const REQUIRED: Record<string, string[]> = {
  NodeMetrics: ['timestamp', 'window', 'usage'],
  PodMetrics: ['timestamp', 'window', 'containers'],
  ContainerMetrics: ['name', 'usage'],
  NodeMetricsList: ['items'],
  PodMetricsList: ['items'],
};

/** Every $ref in doc, with the pointer prefix it must carry. */
function refs(node: unknown, out: string[] = []): string[] {
  if (Array.isArray(node)) node.forEach((n) => refs(n, out));
  else if (node && typeof node === 'object') {
    for (const [k, v] of Object.entries(node)) {
      if (k === '$ref' && typeof v === 'string') out.push(v);
      else refs(v, out);
    }
  }
  return out;
}

type Resolve = (s: any) => any;

/** A small structural check: required fields present, every wire field described, types agree. */
function conforms(t: Test, value: any, schema: any, resolve: Resolve, path: string): void {
  const s = resolve(schema);
  if (s.type === 'object' && s.properties) {
    t.equal(typeof value, 'object', `${path} is an object`);
    for (const r of s.required ?? []) t.ok(r in value, `${path}.${r} is present (required)`);
    for (const [k, v] of Object.entries(value)) {
      t.ok(k in s.properties, `${path}.${k} is described`);
      if (k in s.properties) conforms(t, v, s.properties[k], resolve, `${path}.${k}`);
    }
  } else if (s.type === 'object' && s.additionalProperties) {
    for (const [k, v] of Object.entries(value)) conforms(t, v, s.additionalProperties, resolve, `${path}[${k}]`);
  } else if (s.type === 'array') {
    t.ok(Array.isArray(value), `${path} is an array`);
    (value as unknown[]).forEach((v, i) => conforms(t, v, s.items, resolve, `${path}[${i}]`));
  } else if (s.type === 'string' || s.oneOf) {
    t.equal(typeof value, 'string', `${path} is a string`);
  } else if (s.type === 'integer') {
    t.ok(Number.isInteger(value), `${path} is an integer`);
  }
}

function resolver(defs: Record<string, any>, prefix: string): Resolve {
  const resolve: Resolve = (s) => {
    if (s.$ref) return resolve(defs[s.$ref.slice(prefix.length)]);
    if (s.allOf && s.allOf.length === 1) return resolve(s.allOf[0]);
    return s;
  };
  return resolve;
}

function checkModels(t: Test, doc: any, defs: Record<string, any>, prefix: string): void {
  for (const kind of KINDS) {
    const d = defs[`${M}.${kind}`];
    t.ok(d, `${kind} is defined`);
    t.same(d.required, REQUIRED[kind], `${kind} required fields as upstream`);
    if (kind !== 'ContainerMetrics') t.same(d['x-kubernetes-group-version-kind'], [{ group: 'metrics.k8s.io', kind, version: 'v1beta1' }], `${kind} GVK`);
  }
  for (const r of refs(doc)) {
    t.ok(r.startsWith(prefix), `${r} uses ${prefix}`);
    t.ok(defs[r.slice(prefix.length)], `${r} resolves`);
  }
  const resolve = resolver(defs, prefix);
  conforms(t, samples.nodeMetrics, defs[`${M}.NodeMetrics`], resolve, 'NodeMetrics');
  conforms(t, samples.podMetricsList, defs[`${M}.PodMetricsList`], resolve, 'PodMetricsList');
  conforms(t, samples.nodeMetricsList, defs[`${M}.NodeMetricsList`], resolve, 'NodeMetricsList');
}

t.test('Swagger 2.0 document', async (t) => {
  const doc: any = buildOpenAPIV2({ version: 'v0.1.0' });
  t.equal(doc.swagger, '2.0');
  t.same(doc.info, { title: OPENAPI_TITLE, version: 'v0.1.0' });
  checkModels(t, doc, doc.definitions, '#/definitions/');
  const list = doc.paths['/apis/metrics.k8s.io/v1beta1/namespaces/{namespace}/pods'].get;
  t.equal(list.operationId, 'listMetricsV1beta1NamespacedPodMetrics');
  t.equal(list['x-kubernetes-action'], 'list');
  t.same(list['x-kubernetes-group-version-kind'], { group: 'metrics.k8s.io', kind: 'PodMetrics', version: 'v1beta1' });
  t.same(list.responses['200'].schema, { $ref: `#/definitions/${M}.PodMetricsList` });
  t.ok(doc.paths['/apis/metrics.k8s.io/v1beta1/nodes/{name}'].parameters.some((p: any) => p.name === 'name' && p.in === 'path' && p.required));
  t.same(Object.keys(doc.paths).sort(), [
    '/apis/metrics.k8s.io/',
    '/apis/metrics.k8s.io/v1beta1/',
    '/apis/metrics.k8s.io/v1beta1/namespaces/{namespace}/pods',
    '/apis/metrics.k8s.io/v1beta1/namespaces/{namespace}/pods/{name}',
    '/apis/metrics.k8s.io/v1beta1/nodes',
    '/apis/metrics.k8s.io/v1beta1/nodes/{name}',
    '/apis/metrics.k8s.io/v1beta1/pods',
  ]);
});

t.test('OpenAPI 3 document for metrics.k8s.io/v1beta1', async (t) => {
  const doc: any = buildOpenAPIV3();
  t.equal(doc.openapi, '3.0.0');
  t.equal(doc.info.title, OPENAPI_TITLE);
  checkModels(t, doc, doc.components.schemas, '#/components/schemas/');
  t.notOk(doc.paths['/apis/metrics.k8s.io/'], 'only this group-version');
  t.same(doc.components.schemas[`${M}.NodeMetrics`].properties.metadata, {
    description: "Standard object's metadata. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata",
    default: {},
    allOf: [{ $ref: '#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta' }],
  });
  t.same(Object.keys(doc.paths['/apis/metrics.k8s.io/v1beta1/pods'].get.responses['200'].content), [
    'application/json',
    'application/yaml',
    'application/vnd.kubernetes.protobuf',
  ]);

  // What kubectl explain podmetrics.containers.usage does: find the model by GVK, follow fields.
  const schemas = doc.components.schemas;
  const [name] = Object.entries<any>(schemas).find(([, s]) =>
    (s['x-kubernetes-group-version-kind'] ?? []).some((g: any) => g.group === 'metrics.k8s.io' && g.version === 'v1beta1' && g.kind === 'PodMetrics'),
  )!;
  const containers = schemas[name].properties.containers;
  const container = resolver(schemas, '#/components/schemas/')(containers.items);
  t.equal(container.properties.usage.description, 'The memory usage is the memory working set.');
});

t.test('serving /openapi/v2 and /openapi/v3', async (t) => {
  const app = new Koa();
  app.use(openapiMiddleware({ version: 'v0.1.0' }));
  app.use((ctx) => {
    ctx.body = 'next';
  });
  const srv = await serve(app);
  t.teardown(srv.close);

  await t.test('v2: JSON with ETag, 304 on If-None-Match', async (t) => {
    const r = await get(`${srv.url}/openapi/v2`, { accept: 'application/json' });
    t.equal(r.status, 200);
    t.equal(r.headers['content-type'], 'application/json');
    const etag = `"${createHash('sha512').update(r.body).digest('hex').toUpperCase()}"`;
    t.equal(r.headers['etag'], etag, 'quoted upper-case SHA-512 of the body');
    t.same(JSON.parse(r.body.toString()), buildOpenAPIV2({ version: 'v0.1.0' }));
    const again = await get(`${srv.url}/openapi/v2`, { accept: 'application/json', 'if-none-match': etag });
    t.equal(again.status, 304);
    t.equal(again.body.length, 0);
    t.equal((await get(`${srv.url}/openapi/v2`, { 'if-none-match': '"other"' })).status, 200);
  });

  await t.test('v3 index points at the group-version document by hash', async (t) => {
    const idx = await get(`${srv.url}/openapi/v3`);
    t.equal(idx.status, 200);
    const { paths } = JSON.parse(idx.body.toString());
    t.same(Object.keys(paths), ['apis/metrics.k8s.io/v1beta1']);
    const url: string = paths['apis/metrics.k8s.io/v1beta1'].serverRelativeURL;
    t.match(url, /^\/openapi\/v3\/apis\/metrics\.k8s\.io\/v1beta1\?hash=[0-9A-F]{128}$/);
    const doc = await get(srv.url + url);
    t.equal(doc.status, 200);
    const hash = createHash('sha512').update(doc.body).digest('hex').toUpperCase();
    t.equal(url.split('hash=')[1], hash, 'hash = SHA-512 of the served bytes');
    t.equal(doc.headers['cache-control'], 'public, immutable');
    t.ok(doc.headers['expires']);
    t.equal(doc.headers['etag'], `"${hash}"`);
    t.same(JSON.parse(doc.body.toString()).components.schemas[`${M}.PodMetrics`].required, REQUIRED['PodMetrics']);
    const unpinned = await get(`${srv.url}/openapi/v3/apis/metrics.k8s.io/v1beta1`);
    t.equal(unpinned.status, 200);
    t.equal(unpinned.headers['cache-control'], undefined, 'no immutable caching without ?hash=');
    const stale = await get(`${srv.url}/openapi/v3/apis/metrics.k8s.io/v1beta1?hash=0123`);
    t.equal(stale.status, 301);
    t.equal(stale.headers['location'], url);
    t.equal((await get(srv.url + url, { 'if-none-match': `"${hash}"` })).status, 304);
    t.equal((await get(`${srv.url}/openapi/v3`, { 'if-none-match': idx.headers['etag'] as string })).status, 304);
  });

  await t.test('negotiation and unknown paths', async (t) => {
    t.equal((await get(`${srv.url}/openapi/v2`, { accept: 'application/com.github.proto-openapi.spec.v2@v1.0+protobuf' })).status, 406);
    const mixed = await get(`${srv.url}/openapi/v2`, { accept: 'application/com.github.proto-openapi.spec.v2@v1.0+protobuf, application/json;q=0.9' });
    t.equal(mixed.status, 200);
    t.equal(mixed.headers['content-type'], 'application/json');
    t.equal((await get(`${srv.url}/openapi/v3/apis/apps/v1`)).status, 404);
    t.equal((await get(`${srv.url}/healthz`)).body.toString(), 'next');
  });
});
