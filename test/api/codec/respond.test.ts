import t from 'tap';
import '../../helpers/yaml-as-served.js';
import Koa from 'koa';
import { gunzipSync } from 'node:zlib';
import { parse as parseYaml } from 'yaml';
import { decodeProtobuf, encodeFor, negotiate, encodeNegotiated, respond, send } from '../../../src/api/codec/index.js';
import { StatusError } from '../../../src/api/status.js';
import * as samples from './samples.js';
import { get, serve } from './serve.js';

const KUBECTL_GET = 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json';
const NOT_ACCEPTABLE = 'only the following media types are accepted: application/json, application/yaml, application/vnd.kubernetes.protobuf';

function bigList(n: number) {
  return {
    ...samples.nodeMetricsList,
    items: Array.from({ length: n }, (_, i) => ({ ...samples.nodeMetricsList.items[1]!, metadata: { name: `node-${i}` } })),
  };
}

const routes: Record<string, [object, { discovery?: boolean }]> = {
  '/node': [samples.nodeMetrics, {}],
  '/nodes': [samples.nodeMetricsList, {}],
  '/pods': [samples.podMetricsList, {}],
  '/discovery': [samples.apiResourceList, { discovery: true }],
  '/notfound': [samples.notFoundStatus, {}],
  '/retry': [new StatusError(429, 'TooManyRequests', 'slow down', { retryAfterSeconds: 3 }).status, {}],
  '/big': [bigList(3000), {}],
  '/version': [{ major: '1', minor: '0', gitVersion: 'v0.1.0' }, { discovery: true }],
};

const app = new Koa();
app.use((ctx) => {
  if (ctx.path === '/cached') {
    // The caching pattern: negotiate first (errors become Status responses), encode once, send.
    try {
      const n = negotiate(ctx, { resource: true });
      send(ctx, encodeNegotiated(ctx, samples.nodeMetricsList, n));
    } catch (err) {
      if (err instanceof StatusError) respond(ctx, err.status);
      else throw err;
    }
    return;
  }
  const r = routes[ctx.path];
  if (r) respond(ctx, r[0], r[1]);
});

t.test('respond over HTTP', async (t) => {
  const srv = await serve(app);
  t.teardown(srv.close);
  const u = (p: string) => srv.url + p;

  await t.test('JSON by default: exact Content-Type, compact with one newline', async (t) => {
    const r = await get(u('/node'));
    t.equal(r.status, 200);
    t.equal(r.headers['content-type'], 'application/json');
    t.equal(r.body.toString(), JSON.stringify(samples.nodeMetrics) + '\n');
    const r2 = await get(u('/node'), { accept: 'application/json, */*' });
    t.same(r2.body, r.body);
  });

  await t.test('pretty JSON for ?pretty=true and for curl, unless ?pretty=false', async (t) => {
    const pretty = JSON.stringify(samples.nodeMetrics, null, 2);
    t.equal((await get(u('/node?pretty=true'))).body.toString(), pretty);
    t.equal((await get(u('/node'), { 'user-agent': 'curl/8.5.0' })).body.toString(), pretty);
    t.equal((await get(u('/node?pretty=false'), { 'user-agent': 'curl/8.5.0' })).body.toString(), JSON.stringify(samples.nodeMetrics) + '\n');
    t.equal((await get(u('/node'), { accept: 'application/json;pretty=1' })).body.toString(), pretty);
  });

  await t.test('protobuf', async (t) => {
    const r = await get(u('/nodes'), { accept: 'application/vnd.kubernetes.protobuf, */*' });
    t.equal(r.headers['content-type'], 'application/vnd.kubernetes.protobuf');
    const d = decodeProtobuf(r.body);
    t.equal(d.kind, 'NodeMetricsList');
    t.equal((d.object['items'] as unknown[]).length, 2);
  });

  await t.test('objects without a protobuf message fall through to JSON', async (t) => {
    const r = await get(u('/version'), { accept: 'application/vnd.kubernetes.protobuf, */*' });
    t.equal(r.status, 200);
    t.equal(r.headers['content-type'], 'application/json');
    t.same(JSON.parse(r.body.toString()), { major: '1', minor: '0', gitVersion: 'v0.1.0' });
  });

  await t.test('YAML', async (t) => {
    const r = await get(u('/node'), { accept: 'application/yaml' });
    t.equal(r.headers['content-type'], 'application/yaml');
    t.same(parseYaml(r.body.toString()), samples.nodeMetrics);
    t.match(r.body.toString(), /^apiVersion: metrics\.k8s\.io\/v1beta1\nkind: NodeMetrics\n/, 'keys sorted as sigs.k8s.io/yaml does');
    // A YAML 1.1 reader (sigs.k8s.io/yaml's) would read an unquoted time as a timestamp.
    t.match(r.body.toString(), `  creationTimestamp: "${samples.nodeMetrics.metadata.creationTimestamp}"\n`, 'times quoted as sigs.k8s.io/yaml quotes them');
    t.match(r.body.toString(), `timestamp: "${samples.nodeMetrics.timestamp}"\n`);
  });

  await t.test('406 when nothing is acceptable: indented JSON Status', async (t) => {
    for (const [path, accept] of [
      ['/node', 'text/html'],
      ['/nodes', 'application/json;q=0'],
      ['/discovery', 'application/json;as=Table;v=v1;g=meta.k8s.io'],
      ['/nodes', 'application/vnd.kubernetes.protobuf;as=Table;v=v1;g=meta.k8s.io'],
    ] as const) {
      const r = await get(u(path), { accept });
      t.equal(r.status, 406, `${path} ${accept}`);
      t.equal(r.headers['content-type'], 'application/json');
      t.equal(
        r.body.toString(),
        JSON.stringify({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: NOT_ACCEPTABLE, reason: 'NotAcceptable', code: 406 }, null, 2),
      );
    }
  });

  await t.test('Status errors use the negotiated serializer and keep their code', async (t) => {
    const pb = await get(u('/notfound'), { accept: 'application/vnd.kubernetes.protobuf, */*' });
    t.equal(pb.status, 404);
    t.equal(pb.headers['content-type'], 'application/vnd.kubernetes.protobuf');
    t.match(decodeProtobuf(pb.body), { kind: 'Status', apiVersion: 'v1', object: { code: 404, reason: 'NotFound' } });
    const tbl = await get(u('/notfound'), { accept: KUBECTL_GET });
    t.equal(tbl.status, 404);
    t.same(JSON.parse(tbl.body.toString()), samples.notFoundStatus, 'never a Table of a Status');
    const html = await get(u('/notfound'), { accept: 'text/html' });
    t.equal(html.status, 404, 'an unacceptable Accept does not hide the error');
    t.equal(html.body.toString(), JSON.stringify(samples.notFoundStatus, null, 2));
    const retry = await get(u('/retry'));
    t.equal(retry.status, 429);
    t.equal(retry.headers['retry-after'], '3');
  });

  await t.test('server-side Table through the kubectl get header', async (t) => {
    const r = await get(u('/pods'), { accept: KUBECTL_GET });
    t.equal(r.status, 200);
    t.equal(r.headers['content-type'], 'application/json');
    const table = JSON.parse(r.body.toString());
    t.equal(table.kind, 'Table');
    t.equal(table.apiVersion, 'meta.k8s.io/v1');
    t.same(table.columnDefinitions.map((c: { name: string }) => c.name), ['Name', 'cpu', 'memory', 'Window']);
    t.same(table.rows[0].cells, ['coredns-558bd4d5db-4dpjz', '2147218n', '12240Ki', '15.011s']);
    t.equal(table.rows[0].object.kind, 'PartialObjectMetadata');

    const beta = JSON.parse((await get(u('/node?includeObject=Object'), { accept: 'application/json;as=Table;v=v1beta1;g=meta.k8s.io' })).body.toString());
    t.equal(beta.apiVersion, 'meta.k8s.io/v1beta1');
    t.same(beta.rows[0].object, samples.nodeMetrics);

    const none = JSON.parse((await get(u('/nodes?includeObject=None'), { accept: KUBECTL_GET })).body.toString());
    t.same(none.rows.map((r: { object: unknown }) => r.object), [null, null]);

    const skipped = await get(u('/nodes'), { accept: 'application/vnd.kubernetes.protobuf;as=Table;v=v1;g=meta.k8s.io, application/json' });
    t.equal(JSON.parse(skipped.body.toString()).kind, 'NodeMetricsList', 'protobuf Table clause skipped');
  });

  await t.test('bad includeObject is a 400, written with the next acceptable plain clause', async (t) => {
    const r = await get(u('/nodes?includeObject=Everything'), { accept: KUBECTL_GET });
    t.equal(r.status, 400);
    const s = JSON.parse(r.body.toString());
    t.equal(s.reason, 'BadRequest');
    t.match(s.message, /^Unable to convert to Table as requested: includeObject: Invalid value: "Everything"/);
    t.equal(r.body.toString().endsWith('}\n'), true, 'compact JSON from the third clause');
    const cached = await get(u('/cached?includeObject=Everything'), { accept: KUBECTL_GET });
    t.equal(cached.status, 400, 'also through negotiate + encodeNegotiated');
    const handlerError = await get(u('/notfound?includeObject=Everything'), { accept: KUBECTL_GET });
    t.equal(handlerError.status, 404, "the handler's own error comes first, as upstream validates after the handler");
  });

  await t.test('PartialObjectMetadata transforms', async (t) => {
    const one = await get(u('/node'), { accept: 'application/json;as=PartialObjectMetadata;v=v1;g=meta.k8s.io' });
    t.same(JSON.parse(one.body.toString()), { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: samples.nodeMetrics.metadata });
    const list = await get(u('/nodes'), { accept: 'application/vnd.kubernetes.protobuf;as=PartialObjectMetadataList;v=v1;g=meta.k8s.io' });
    t.equal(list.headers['content-type'], 'application/vnd.kubernetes.protobuf');
    const d = decodeProtobuf(list.body);
    t.equal(d.kind, 'PartialObjectMetadataList');
    t.equal(d.apiVersion, 'meta.k8s.io/v1');
    t.same((d.object['items'] as { metadata: { name: string } }[]).map((i) => i.metadata.name), ['node-1', 'node-2']);
    const wrong = await get(u('/nodes'), { accept: 'application/json;as=PartialObjectMetadata;v=v1;g=meta.k8s.io' });
    t.equal(wrong.status, 406);
    t.match(JSON.parse(wrong.body.toString()).message, 'you requested PartialObjectMetadata, but the requested object is a list (*metrics.NodeMetricsList)');
  });

  await t.test('large bodies are gzipped when the client accepts gzip', async (t) => {
    const plain = await get(u('/big'));
    t.ok(plain.body.length >= 128 * 1024, 'the sample is over the 128 KiB threshold');
    t.equal(plain.headers['content-encoding'], undefined);
    const gz = await get(u('/big'), { 'accept-encoding': 'gzip' });
    t.equal(gz.headers['content-encoding'], 'gzip');
    t.match(gz.headers['vary'], /Accept-Encoding/);
    t.same(gunzipSync(gz.body), plain.body);
    const small = await get(u('/node'), { 'accept-encoding': 'gzip' });
    t.equal(small.headers['content-encoding'], undefined, 'small bodies are sent as they are');
    const q = await get(u('/big'), { 'accept-encoding': 'gzip;q=1.0' });
    t.equal(q.headers['content-encoding'], undefined, 'only the exact token "gzip" counts, as upstream');
  });

  await t.test('negotiate + encodeNegotiated + send gives the same bytes as respond', async (t) => {
    for (const accept of ['application/json', 'application/vnd.kubernetes.protobuf', KUBECTL_GET]) {
      const a = await get(u('/nodes'), { accept });
      const b = await get(u('/cached'), { accept });
      t.same(b.body, a.body, accept);
      t.equal(b.headers['content-type'], a.headers['content-type']);
    }
    const r = await get(u('/cached'), { accept: 'text/plain' });
    t.equal(r.status, 406);
  });
});

t.test('encodeFor returns reusable bytes and a cache key per negotiation', async (t) => {
  const ctx = {
    get: (h: string) => ({ accept: 'application/vnd.kubernetes.protobuf' })[h.toLowerCase()] ?? '',
    query: {},
  } as unknown as Koa.Context;
  const enc = encodeFor(ctx, samples.nodeMetrics);
  t.equal(enc.status, 200);
  t.equal(enc.contentType, 'application/vnd.kubernetes.protobuf');
  t.equal(decodeProtobuf(enc.body).kind, 'NodeMetrics');
  t.equal(negotiate(ctx, { resource: true }).key, 'protobuf');
  const tableCtx = {
    get: (h: string) => ({ accept: KUBECTL_GET })[h.toLowerCase()] ?? '',
    query: { includeObject: 'None' },
  } as unknown as Koa.Context;
  t.equal(negotiate(tableCtx, { resource: true }).key, 'json;as=Table;v=v1;includeObject="None"');
  t.equal(negotiate(tableCtx, { resource: false }).key, 'json', 'no Table outside resource endpoints');
});
