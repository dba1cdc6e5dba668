import t from 'tap';
import { fieldSelectorRequirements, labelSelectorRequirements, requestInfo } from '../../src/server/request-info.js';

const info = (method: string, url: string) => {
  const [path, query = ''] = url.split('?');
  return requestInfo(method, path!, new URLSearchParams(query));
};

t.test('resource requests on the metrics API', async (t) => {
  const cases: [string, string, object][] = [
    ['GET', '/apis/metrics.k8s.io/v1beta1/nodes', { verb: 'list', resource: 'nodes' }],
    ['GET', '/apis/metrics.k8s.io/v1beta1/nodes/node-1', { verb: 'get', resource: 'nodes', name: 'node-1' }],
    ['HEAD', '/apis/metrics.k8s.io/v1beta1/nodes/node-1', { verb: 'get', name: 'node-1' }],
    ['GET', '/apis/metrics.k8s.io/v1beta1/pods', { verb: 'list', resource: 'pods' }],
    ['GET', '/apis/metrics.k8s.io/v1beta1/namespaces/default/pods', { verb: 'list', resource: 'pods', namespace: 'default' }],
    ['GET', '/apis/metrics.k8s.io/v1beta1/namespaces/default/pods/web-1', { verb: 'get', resource: 'pods', namespace: 'default', name: 'web-1' }],
    ['GET', '/apis/metrics.k8s.io/v1beta1/nodes?watch=true', { verb: 'watch' }],
    ['GET', '/apis/metrics.k8s.io/v1beta1/nodes?watch=1', { verb: 'watch' }],
    ['GET', '/apis/metrics.k8s.io/v1beta1/nodes?watch=false', { verb: 'list' }],
    ['GET', '/apis/metrics.k8s.io/v1beta1/nodes?watch=0', { verb: 'list' }],
    ['GET', '/apis/metrics.k8s.io/v1beta1/nodes?watch=yes', { verb: 'watch' }],
    ['GET', '/apis/metrics.k8s.io/v1beta1/nodes?watch=', { verb: 'watch' }],
    ['GET', '/apis/metrics.k8s.io/v1beta1/watch/nodes', { verb: 'watch', resource: 'nodes' }],
    ['GET', '/apis/metrics.k8s.io/v1beta1/namespaces/default/pods?fieldSelector=metadata.name%3Dweb-1', { verb: 'list', name: 'web-1', fieldSelector: 'metadata.name=web-1' }],
    ['GET', '/apis/metrics.k8s.io/v1beta1/nodes?fieldSelector=metadata.name!%3Dn1', { verb: 'list', name: undefined }],
    ['GET', '/apis/metrics.k8s.io/v1beta1/nodes?fieldSelector=metadata.name%3D..', { verb: 'list', name: undefined }],
    ['GET', '/apis/metrics.k8s.io/v1beta1/nodes?fieldSelector=%3D%3D%3Dbad', { verb: 'list', name: undefined, fieldSelector: '===bad' }],
    ['GET', '/apis/metrics.k8s.io/v1beta1/nodes/n1?labelSelector=a%3Db', { verb: 'get', labelSelector: undefined }],
    ['GET', '/apis/metrics.k8s.io/v1beta1/nodes/n1/status', { subresource: 'status', name: 'n1' }],
    ['GET', '/api/v1/namespaces/default/pods', { apiGroup: '', apiVersion: 'v1', resource: 'pods', namespace: 'default' }],
    ['DELETE', '/apis/metrics.k8s.io/v1beta1/nodes', { verb: 'deletecollection' }],
    ['POST', '/apis/metrics.k8s.io/v1beta1/nodes', { verb: 'create' }],
  ];
  for (const [method, url, want] of cases) {
    t.match(info(method, url), { isResourceRequest: true, apiGroup: String, ...want }, `${method} ${url}`);
    for (const [k, v] of Object.entries(want)) if (v === undefined) t.notOk(k in info(method, url), `${url}: no ${k}`);
  }
  t.match(info('GET', '/apis/metrics.k8s.io/v1beta1/nodes'), { apiGroup: 'metrics.k8s.io', apiVersion: 'v1beta1' });
});

t.test('non-resource requests use the lowercased method', async (t) => {
  for (const [method, path] of [
    ['GET', '/metrics'],
    ['GET', '/apis/metrics.k8s.io/v1beta1'],
    ['GET', '/apis/metrics.k8s.io'],
    ['GET', '/apis'],
    ['GET', '/api/v1'],
    ['GET', '/openapi/v2'],
    ['HEAD', '/readyz/metric-storage-ready'],
    ['POST', '/version'],
    ['GET', '/'],
    ['GET', '/apis/metrics.k8s.io/v1beta1/watch'],
  ]) {
    t.same(info(method!, path!), { isResourceRequest: false, path, verb: method!.toLowerCase() }, `${method} ${path}`);
  }
});

t.test('selectors in SubjectAccessReview form', async (t) => {
  const reqs = labelSelectorRequirements('app=web,tier!=db,env in (a,b),has,!gone,n>3')!;
  const byKey = Object.fromEntries(reqs.map((r) => [r.key, r]));
  t.same(byKey.app, { key: 'app', operator: 'In', values: ['web'] });
  t.same(byKey.tier, { key: 'tier', operator: 'NotIn', values: ['db'] });
  t.same(byKey.env, { key: 'env', operator: 'In', values: ['a', 'b'] });
  t.same(byKey.has, { key: 'has', operator: 'Exists' });
  t.same(byKey.gone, { key: 'gone', operator: 'DoesNotExist' });
  t.notOk(byKey.n, 'gt/lt have no SubjectAccessReview form');
  t.equal(labelSelectorRequirements('a in ('), undefined, 'unparseable: left out');
  t.equal(labelSelectorRequirements(''), undefined);
  t.same(fieldSelectorRequirements('metadata.name=a,metadata.namespace!=b'), [
    { key: 'metadata.name', operator: 'In', values: ['a'] },
    { key: 'metadata.namespace', operator: 'NotIn', values: ['b'] },
  ]);
  t.equal(fieldSelectorRequirements('nonsense'), undefined);
});

t.test('paths are percent-decoded as Go does', async (t) => {
  t.same(info('GET', '/%6Detrics'), { isResourceRequest: false, path: '/metrics', verb: 'get' });
  t.match(info('GET', '/apis/metrics.k8s.io/v1beta1/namespaces/default/pods/web%2D1'), { name: 'web-1' });
  t.same(info('GET', '/bad%zzescape'), { isResourceRequest: false, path: '/bad%zzescape', verb: 'get' }, 'malformed escapes stay raw');
});
