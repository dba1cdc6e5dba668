import t from 'tap';
import { silentLogger } from '../../src/log.js';
import { NodeCache } from '../../src/kube/node-cache.js';
import { decodeNode } from '../../src/kube/node-info.js';
import { RestClient } from '../../src/kube/rest-client.js';
import { FakeApiServer, waitFor } from './fake-apiserver.js';

function node(name: string, opts: { ready?: string; port?: number; labels?: Record<string, string>; heartbeat?: string; path?: string } = {}) {
  return {
    kind: 'Node',
    apiVersion: 'v1',
    metadata: {
      name,
      labels: opts.labels ?? { 'kubernetes.io/hostname': name },
      annotations: { 'node.alpha.kubernetes.io/ttl': '0', ...(opts.path ? { 'metrics.k8s.io/resource-metrics-path': opts.path } : {}) },
      managedFields: [{ manager: 'kubelet' }],
    },
    spec: { podCIDR: '10.0.0.0/24' },
    status: {
      addresses: [
        { type: 'InternalIP', address: '10.0.0.1' },
        { type: 'Hostname', address: name },
      ],
      daemonEndpoints: { kubeletEndpoint: { Port: opts.port ?? 10250 } },
      conditions: [
        { type: 'MemoryPressure', status: 'False' },
        { type: 'Ready', status: opts.ready ?? 'True', lastHeartbeatTime: opts.heartbeat ?? '2024-01-01T00:00:00Z' },
      ],
      images: [{ names: ['big'], sizeBytes: 1 }],
    },
  };
}

t.test('decodeNode keeps name, labels, addresses, kubelet Port, metrics path annotation and Ready', async (t) => {
  const d = decodeNode(node('n1', { port: 10255, path: '/metrics/resource/v2', labels: { role: 'worker' } }));
  t.same(d, {
    key: 'n1',
    item: {
      name: 'n1',
      labels: { role: 'worker' },
      addresses: [
        { type: 'InternalIP', address: '10.0.0.1' },
        { type: 'Hostname', address: 'n1' },
      ],
      kubeletPort: 10255,
      ready: true,
      resourceMetricsPath: '/metrics/resource/v2',
    },
  });
  t.equal(decodeNode(node('n2', { ready: 'Unknown' }))!.item.ready, false);
  t.equal(decodeNode({ metadata: { name: 'bare' } })!.item.kubeletPort, 0, 'missing daemonEndpoints → 0');
  t.same(decodeNode({ metadata: { name: 'bare' } })!.item.addresses, []);
  t.equal(decodeNode({ metadata: { name: 'x' }, status: { daemonEndpoints: { kubeletEndpoint: { port: 1 } } } })!.item.kubeletPort, 0, 'lower-case "port" is not the wire name');
  t.equal(decodeNode({ metadata: { name: 'x' }, status: { daemonEndpoints: { kubeletEndpoint: { Port: 70000 } } } })!.item.kubeletPort, 0, 'out of range');
  t.equal(decodeNode({ metadata: { name: 'x' }, status: { addresses: [{ type: 'InternalIP' }, 'junk', null] } })!.item.addresses.length, 0, 'malformed addresses skipped');
  t.equal(decodeNode({ metadata: {} }), undefined, 'no name');
  t.equal(decodeNode('node'), undefined);
  t.equal(decodeNode(null), undefined);
  t.notOk('resourceMetricsPath' in decodeNode(node('n3'))!.item, 'no annotation → no path');
});

t.test('node informer: full objects, no field selector, heartbeats do not bump the revision', async (t) => {
  const server = new FakeApiServer('/api/v1/nodes');
  await server.listen();
  server.put(node('a'));
  server.put(node('b', { ready: 'False' }));
  const client = new RestClient(server.kubeConfig());
  const cache = new NodeCache({ client, log: silentLogger(), backoff: { initialMs: 10, maxMs: 50, resetMs: 60_000, jitter: 0 }, watchTimeoutSec: () => 30 });
  t.teardown(async () => {
    await cache.stop();
    await client.close();
    await server.close();
  });
  cache.start();
  await cache.waitForSync();
  t.equal(cache.synced, true);
  t.same(cache.list().map((n) => [n.name, n.ready]).sort(), [['a', true], ['b', false]]);
  const list = server.requests[0]!;
  t.equal(list.accept, 'application/json');
  t.equal(list.query.get('fieldSelector'), null);
  await waitFor(() => server.openWatches === 1, 'watch open');

  const rev = cache.revision;
  const snap = cache.list();
  server.put(node('a', { heartbeat: '2024-01-01T00:00:10Z' }));
  server.put(node('c'));
  await waitFor(() => cache.get('c') !== undefined, 'node c added');
  t.equal(cache.revision, rev + 1, 'only the new node counted as a change');
  t.not(cache.list(), snap, 'new snapshot after a change');
  server.put(node('b', { ready: 'True' }));
  await waitFor(() => cache.get('b')!.ready, 'b became ready');
  server.put(node('a', { labels: { 'kubernetes.io/hostname': 'a', pool: 'gpu' } }));
  await waitFor(() => cache.get('a')!.labels.pool === 'gpu', 'label change applied');
  server.delete('c');
  await waitFor(() => cache.get('c') === undefined, 'c deleted');
  t.equal(cache.size, 2);
  t.equal(cache.revision, rev + 4);
});

t.test('RestClient keeps a server path prefix and reports Status errors', async (t) => {
  const server = new FakeApiServer('/api/v1/nodes');
  await server.listen();
  const kc = server.kubeConfig();
  kc.clusters[0] = { ...kc.clusters[0]!, server: `${server.url}/prefix/` };
  const client = new RestClient(kc);
  t.equal(client.url('/api/v1/nodes', { a: 'b', c: undefined }).href, `${server.url}/prefix/api/v1/nodes?a=b`);
  const plain = new RestClient(server.kubeConfig());
  await t.rejects(plain.getJson('/api/v1/other', {}, { accept: 'application/json' }), { name: 'ApiError', statusCode: 404, reason: 'NotFound' });
  await client.close();
  await plain.close();
  await server.close();
});
