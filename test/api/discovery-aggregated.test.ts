import t from 'tap';
import Koa from 'koa';
import { createHash } from 'node:crypto';
import { respond } from '../../src/api/codec/index.js';
import { aggregatedDiscoveryMiddleware } from '../../src/api/discovery-aggregated.js';
import * as samples from './codec/samples.js';
import { get, serve } from './codec/serve.js';

const V2 = 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList';

// protocol.md §2.6, in Go field order.
const ITEMS =
  '[{"metadata":{"name":"metrics.k8s.io"},"versions":[{"version":"v1beta1","resources":[' +
  '{"resource":"nodes","responseKind":{"group":"","version":"","kind":"NodeMetrics"},"scope":"Cluster","singularResource":"","verbs":["get","list"]},' +
  '{"resource":"pods","responseKind":{"group":"","version":"","kind":"PodMetrics"},"scope":"Namespaced","singularResource":"","verbs":["get","list"]}' +
  '],"freshness":"Current"}]}]';
const BODY = `{"kind":"APIGroupDiscoveryList","apiVersion":"apidiscovery.k8s.io/v2","metadata":{},"items":${ITEMS}}\n`;
const ETAG = `"${createHash('sha512').update(`{"metadata":{},"items":${ITEMS}}`).digest('hex').toUpperCase()}"`;

t.test('aggregated discovery on /apis', async (t) => {
  const app = new Koa();
  app.use(aggregatedDiscoveryMiddleware());
  app.use((ctx) => {
    if (ctx.path === '/apis') respond(ctx, samples.apiGroupList, { discovery: true });
  });
  const srv = await serve(app);
  t.teardown(srv.close);
  const apis = `${srv.url}/apis`;

  await t.test('the v2 document, its Content-Type and caching headers', async (t) => {
    const r = await get(apis, { accept: V2 });
    t.equal(r.status, 200);
    t.equal(r.headers['content-type'], V2, 'Content-Type echoes the media type');
    t.equal(r.body.toString(), BODY);
    t.equal(r.headers['etag'], ETAG, 'quoted upper-case SHA-512 of the list JSON');
    t.equal(r.headers['vary'], 'Accept');
    t.equal(r.headers['cache-control'], 'public');
  });

  await t.test('If-None-Match with the ETag gives 304; another value the document', async (t) => {
    const r = await get(apis, { accept: V2, 'if-none-match': ETAG });
    t.equal(r.status, 304);
    t.equal(r.body.length, 0);
    t.equal(r.headers['etag'], ETAG);
    const stale = await get(apis, { accept: V2, 'if-none-match': '"0000"' });
    t.equal(stale.status, 200);
    t.equal(stale.body.toString(), BODY);
  });

  await t.test('kubectl and the aggregator negotiate the v2 document', async (t) => {
    const kubectl = await get(apis, { accept: `${V2},application/json` });
    t.equal(kubectl.headers['content-type'], V2);
    const pbFirst = await get(apis, { accept: `application/vnd.kubernetes.protobuf;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,${V2},application/json` });
    t.equal(pbFirst.headers['content-type'], V2, 'the protobuf v2 clause is skipped, JSON v2 follows');
    const yaml = await get(apis, { accept: 'application/yaml;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList' });
    t.equal(yaml.headers['content-type'], 'application/yaml;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList');
    t.match(yaml.body.toString(), /^apiVersion: apidiscovery\.k8s\.io\/v2\n/);
  });

  await t.test('plain requests reach the APIGroupList handler', async (t) => {
    for (const accept of [undefined, 'application/json', 'application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json']) {
      const r = await get(apis, accept ? { accept } : {});
      t.equal(r.status, 200, String(accept));
      t.equal(r.headers['content-type'], 'application/json');
      t.equal(JSON.parse(r.body.toString()).kind, 'APIGroupList');
      t.equal(r.headers['etag'], undefined);
    }
    const v2beta1 = await get(apis, { accept: 'application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList' });
    t.equal(v2beta1.status, 406, 'v2beta1 is no longer served');
  });

  await t.test('other paths and methods are not touched', async (t) => {
    const other = await get(`${srv.url}/apis/metrics.k8s.io`, { accept: V2 });
    t.equal(other.status, 404);
    const post = await get(apis, { accept: V2 }, 'POST');
    t.not(post.headers['content-type'], V2);
  });
});
