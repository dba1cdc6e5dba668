// objectGetInfo, the fast path's RequestInfo, equals what requestInfo parses.
import t from 'tap';
import { objectGetInfo, requestInfo } from '../../src/server/request-info.js';

t.test('the same attributes as requestInfo', async (t) => {
  const cases: [string, string, string | undefined, string][] = [
    ['/apis/metrics.k8s.io/v1beta1/namespaces/default/pods/web-1', 'pods', 'default', 'web-1'],
    ['/apis/metrics.k8s.io/v1beta1/nodes/node-1', 'nodes', undefined, 'node-1'],
    ['/apis/metrics.k8s.io/v1beta1/namespaces/status/pods/finalize', 'pods', 'status', 'finalize'],
    ['/apis/metrics.k8s.io/v1beta1/namespaces/watch/pods/proxy', 'pods', 'watch', 'proxy'],
    ['/apis/metrics.k8s.io/v1beta1/nodes/..', 'nodes', undefined, '..'],
  ];
  for (const [path, resource, namespace, name] of cases) {
    t.same(objectGetInfo(path, 'metrics.k8s.io', 'v1beta1', resource, namespace, name), requestInfo('GET', path, new URLSearchParams()), path);
  }
});
