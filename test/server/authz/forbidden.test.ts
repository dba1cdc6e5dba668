// 403 messages word for word as GAS writes them.
import t from 'tap';
import { forbiddenError } from '../../../src/server/authz/forbidden.js';
import { requestInfo } from '../../../src/server/request-info.js';

const info = (url: string, method = 'GET') => {
  const [path, query = ''] = url.split('?');
  return requestInfo(method, path!, new URLSearchParams(query));
};

t.test('messages and details', async (t) => {
  const cases: [string, string, string | undefined, string, object][] = [
    ['viewer', '/apis/metrics.k8s.io/v1beta1/namespaces/kube-system/pods', undefined, 'pods.metrics.k8s.io is forbidden: User "viewer" cannot list resource "pods" in API group "metrics.k8s.io" in the namespace "kube-system"', { group: 'metrics.k8s.io', kind: 'pods' }],
    ['alice', '/apis/metrics.k8s.io/v1beta1/nodes', undefined, 'nodes.metrics.k8s.io is forbidden: User "alice" cannot list resource "nodes" in API group "metrics.k8s.io" at the cluster scope', { group: 'metrics.k8s.io', kind: 'nodes' }],
    ['alice', '/apis/metrics.k8s.io/v1beta1/namespaces/default/pods/web-1', 'no RBAC policy matched', 'pods.metrics.k8s.io "web-1" is forbidden: User "alice" cannot get resource "pods" in API group "metrics.k8s.io" in the namespace "default": no RBAC policy matched', { name: 'web-1', group: 'metrics.k8s.io', kind: 'pods' }],
    ['alice', '/apis/metrics.k8s.io/v1beta1/nodes?watch=1', undefined, 'nodes.metrics.k8s.io is forbidden: User "alice" cannot watch resource "nodes" in API group "metrics.k8s.io" at the cluster scope', { group: 'metrics.k8s.io', kind: 'nodes' }],
    ['system:anonymous', '/metrics', undefined, 'forbidden: User "system:anonymous" cannot get path "/metrics"', {}],
    ['bob', '/api/v1/namespaces/default/pods/p/log', undefined, 'pods "p" is forbidden: User "bob" cannot get resource "pods/log" in API group "" in the namespace "default"', { name: 'p', kind: 'pods' }],
    ['tab\tuser', '/metrics', undefined, 'forbidden: User "tab\\tuser" cannot get path "/metrics"', {}],
  ];
  for (const [user, url, reason, message, details] of cases) {
    const e = forbiddenError(user, info(url), reason);
    t.equal(e.code, 403);
    t.same(e.status, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason: 'Forbidden', details, code: 403 }, url);
  }
});
