// Which paths the resource GET fast path takes: plain single-object paths only.
import t from 'tap';
import { matchObjectPath } from '../../src/api/object-path.js';

const API = '/apis/metrics.k8s.io/v1beta1';

t.test('single-object paths', async (t) => {
  t.same(matchObjectPath(`${API}/nodes/node-1`), { resource: 'nodes', name: 'node-1' });
  t.same(matchObjectPath(`${API}/namespaces/kube-system/pods/coredns-5d78c9869d-abcde`), { resource: 'pods', namespace: 'kube-system', name: 'coredns-5d78c9869d-abcde' });
  t.same(matchObjectPath(`${API}/namespaces/a.b_C/pods/X.y-z_0`), { resource: 'pods', namespace: 'a.b_C', name: 'X.y-z_0' });
});

t.test('everything else is left to the router', async (t) => {
  for (const url of [
    `${API}/nodes`,
    `${API}/nodes/`,
    `${API}/nodes/a/b`,
    `${API}/nodes/a?pretty=1`,
    `${API}/nodes/a%2Fb`,
    `${API}/nodes/a%2D`,
    `${API}/nodes/a#x`,
    `${API}/pods`,
    `${API}/pods/x`,
    `${API}/namespaces/ns/pods`,
    `${API}/namespaces/ns/pods/`,
    `${API}/namespaces/ns/pods/a/b`,
    `${API}/namespaces//pods/a`,
    `${API}/namespaces/ns/pods/a?x`,
    `${API}/namespaces/ns/nodes/a`,
    `${API}/namespaces/ns`,
    `${API}/namespaces/n s/pods/a`,
    `${API}//nodes/a`,
    `/apis/metrics.k8s.io/v1/nodes/a`,
    `/APIS/metrics.k8s.io/v1beta1/nodes/a`,
    `https://host${API}/nodes/a`,
    `/api/v1/nodes/a`,
    '',
  ]) {
    t.equal(matchObjectPath(url), undefined, url);
  }
});
