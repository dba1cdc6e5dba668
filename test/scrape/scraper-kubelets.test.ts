// The tick against real HTTPS kubelets on 127.0.0.1: one times out, one answers
// 500, one sends garbage, one streams an endless body, one has no usable
// address; the healthy ones still land in the batch, within the resolution.

import t from 'tap';
import { readFileSync } from 'node:fs';
import { createCA, issueCert } from '../../src/util/pki.js';
import { silentLogger } from '../../src/log.js';
import type { ScrapeFailureReason, ScrapeObserver } from '../../src/observers.js';
import type { NodeInfo } from '../../src/kube/node-info.js';
import { KubeletClient } from '../../src/scrape/kubelet-client.js';
import { Scraper } from '../../src/scrape/scraper.js';
import { BatchSink } from '../helpers/batch-sink.js';
import type { MetricsBatch } from '../../src/scrape/types.js';
import { fixturePath } from '../helpers/paths.js';
import { FakeKubelet, endless, hang, serve, status, type Behaviour } from './fake-kubelet.js';

const TOKEN = 'scraper-token';

t.test('one tick: failures counted by reason, healthy nodes in the batch, within the resolution', async (t) => {
  const ca = await createCA('kubelet-ca');
  const serving = await issueCert(ca, { cn: 'kubelet', ips: ['127.0.0.1'], serverAuth: true });
  const behaviours: Record<string, Behaviour> = {
    'healthy-a': serve(readFileSync(fixturePath('kubelet', 'summary', 'otel-minikube-1.json'))),
    'healthy-b': serve(readFileSync(fixturePath('kubelet', 'summary', 'nri-k8s-1.20.json'))),
    slow: hang,
    broken: status(500),
    garbage: serve('<html>not a summary</html>'),
    huge: endless,
  };
  const nodes: NodeInfo[] = [];
  const kubelets: FakeKubelet[] = [];
  for (const [name, behaviour] of Object.entries(behaviours)) {
    const k = await new FakeKubelet({ serving, token: TOKEN, behaviour }).listen();
    kubelets.push(k);
    nodes.push({ name, labels: {}, addresses: [{ type: 'InternalIP', address: '127.0.0.1' }], kubeletPort: k.port, ready: true });
  }
  nodes.push({ name: 'unreachable', labels: {}, addresses: [{ type: 'ExternalIP', address: '192.0.2.1' }], kubeletPort: 10250, ready: true });
  t.teardown(() => Promise.all(kubelets.map((k) => k.close())));

  const client = new KubeletClient({
    source: 'summary',
    port: 10250,
    useNodeStatusPort: true,
    preferredAddressTypes: ['InternalIP', 'Hostname'],
    tls: { ca: ca.cert },
    credentials: async () => ({ Authorization: `Bearer ${TOKEN}` }),
    requestTimeoutMs: 700,
    maxResponseBytes: 512 * 1024,
  });
  t.teardown(() => client.close());

  const requests: { node: string; success: boolean; reason?: ScrapeFailureReason }[] = [];
  const ticks: number[] = [];
  const observer: ScrapeObserver = {
    kubeletRequest: (node, _d, success, reason) => requests.push({ node, success, ...(reason ? { reason } : {}) }),
    tick: (d) => ticks.push(d),
  };
  const batches: MetricsBatch[] = [];
  const resolutionMs = 1500;
  const scraper = new Scraper({
    nodes: { list: () => nodes },
    client,
    resolutionMs,
    timeoutMs: 700,
    concurrency: 3,
    sink: new BatchSink((b) => batches.push(b)),
    log: silentLogger(),
    observer,
  });

  const started = Date.now();
  const result = await scraper.tick();
  const batch = batches[0]!;
  const took = Date.now() - started;
  t.ok(took < resolutionMs, `tick completed within the resolution (${took} ms)`);
  t.ok(scraper.lastTickStartMs >= started && scraper.lastTickStartMs <= started + 100, 'lastTickStartMs recorded at the start of the tick (it takes ~700 ms)');
  t.same([...batch.nodes.keys()].sort(), ['healthy-a', 'healthy-b'], 'healthy nodes only');
  t.ok(batch.nodes.get('healthy-a')!.node, 'node point of healthy-a');
  t.ok(batch.nodes.get('healthy-a')!.pods.length > 0, 'pods of healthy-a');
  t.ok(batch.nodes.get('healthy-b')!.pods.length > 0, 'pods of healthy-b');
  t.equal(batches.length, 1, 'batch handed to the sink');
  t.same([result.nodes, result.scraped], [7, 2], 'the tick result counts nodes asked and answered');
  t.equal(ticks.length, 1);

  const byNode = Object.fromEntries(requests.map((r) => [r.node, r.success ? 'ok' : r.reason]));
  t.same(byNode, {
    'healthy-a': 'ok',
    'healthy-b': 'ok',
    slow: 'timeout',
    broken: 'http',
    garbage: 'decode',
    huge: 'size',
    unreachable: 'address',
  });
  t.equal(requests.length, nodes.length, 'each node counted once');
  for (const k of kubelets) t.ok(k.paths.every((p) => p === '/stats/summary?only_cpu_and_memory=true'));
});
