// End to end inside the data side: nodes come from the node informer (fake
// apiserver), their kubelet port from status.daemonEndpoints.kubeletEndpoint.Port,
// and node changes reach the next tick.

import t from 'tap';
import { readFileSync } from 'node:fs';
import { createCA, issueCert } from '../../src/util/pki.js';
import { silentLogger } from '../../src/log.js';
import { NodeCache } from '../../src/kube/node-cache.js';
import { RestClient } from '../../src/kube/rest-client.js';
import { KubeletClient } from '../../src/scrape/kubelet-client.js';
import { BatchSink } from '../helpers/batch-sink.js';
import { Scraper } from '../../src/scrape/scraper.js';
import { parseLabelSelector } from '../../src/api/selectors/index.js';
import { fixturePath } from '../helpers/paths.js';
import { FakeApiServer, waitFor } from '../kube/fake-apiserver.js';
import { FakeKubelet, serve } from './fake-kubelet.js';

t.test('scrapes the nodes the informer sees, at their status port, honouring --node-selector', async (t) => {
  const api = new FakeApiServer('/api/v1/nodes');
  await api.listen();
  const ca = await createCA('kubelet-ca');
  const serving = await issueCert(ca, { cn: 'kubelet', ips: ['127.0.0.1'], serverAuth: true });
  const body = readFileSync(fixturePath('kubelet', 'summary', 'otel-minikube-1.json'));
  const kubelets = await Promise.all([0, 1, 2].map(() => new FakeKubelet({ serving, token: api.token, behaviour: serve(body) }).listen()));
  const nodeObj = (name: string, port: number, pool: string) => ({
    metadata: { name, labels: { pool } },
    status: {
      addresses: [
        { type: 'Hostname', address: `${name}.invalid` },
        { type: 'InternalIP', address: '127.0.0.1' },
      ],
      daemonEndpoints: { kubeletEndpoint: { Port: port } },
      conditions: [{ type: 'Ready', status: 'True' }],
    },
  });
  api.put(nodeObj('n0', kubelets[0]!.port, 'a'));
  api.put(nodeObj('n1', kubelets[1]!.port, 'a'));
  api.put(nodeObj('n2', kubelets[2]!.port, 'b'));

  const kc = api.kubeConfig();
  const rest = new RestClient(kc);
  const nodes = new NodeCache({ client: rest, log: silentLogger(), watchTimeoutSec: () => 30 });
  const client = new KubeletClient({
    source: 'summary',
    port: 1, // wrong on purpose: the status port must win
    useNodeStatusPort: true,
    preferredAddressTypes: ['InternalIP'],
    tls: { ca: ca.cert },
    credentials: async () => ({ Authorization: `Bearer ${api.token}` }),
    requestTimeoutMs: 1000,
    maxResponseBytes: 1 << 20,
  });
  t.teardown(async () => {
    await nodes.stop();
    await client.close();
    await rest.close();
    await Promise.all(kubelets.map((k) => k.close()));
    await api.close();
  });
  nodes.start();
  await nodes.waitForSync();
  await waitFor(() => api.openWatches === 1, 'node watch open');

  const sink = new BatchSink();
  const scraper = new Scraper({ nodes, client, resolutionMs: 2000, timeoutMs: 1000, concurrency: 2, nodeSelector: parseLabelSelector('pool=a'), sink, log: silentLogger() });
  await scraper.tick();
  const first = sink.last;
  t.same([...first.nodes.keys()].sort(), ['n0', 'n1']);
  t.same(kubelets.map((k) => k.paths.length), [1, 1, 0], 'only pool=a kubelets asked');

  // n1 leaves pool a, n2 joins it: the next tick follows the informer.
  api.put(nodeObj('n1', kubelets[1]!.port, 'b'));
  api.put(nodeObj('n2', kubelets[2]!.port, 'a'));
  await waitFor(() => nodes.get('n2')!.labels.pool === 'a' && nodes.get('n1')!.labels.pool === 'b', 'label changes seen');
  await scraper.tick();
  const second = sink.last;
  t.same([...second.nodes.keys()].sort(), ['n0', 'n2']);
  t.equal(client.poolCount, 2, 'the pool of n1 was closed');
});
