// End to end from kubelet bytes to nanocores: otel-minikube-2.json is
// otel-minikube-1.json with every cpu.time +2 s and every usageCoreNanoSeconds
// +2e9, so every rate is exactly one core over a 2 s window.
import { readFileSync } from 'node:fs';
import t from 'tap';
import { decodeSummary } from '../../src/scrape/decode-summary.js';
import { MetricsStore } from '../../src/store/index.js';
import { fixturePath } from '../helpers/paths.js';

const read = (name: string) => readFileSync(fixturePath('kubelet', 'summary', name));

t.test('two otel-minikube scrapes give exactly 1 core everywhere, over 2 s', async (t) => {
  const first = decodeSummary(read('otel-minikube-1.json'), 0);
  const second = decodeSummary(read('otel-minikube-2.json'), 0);
  const s = new MetricsStore({ metricResolutionNs: 60e9, maxSeries: 1000 });
  s.store({ nodes: new Map([['minikube', first]]) });
  t.notOk(s.ready());
  s.store({ nodes: new Map([['minikube', second]]) });
  t.ok(s.ready());

  const [node] = s.getNodeUsage(['minikube']);
  t.equal(node?.usage.cpuNanocores, 1_000_000_000);
  t.equal(node?.windowNs, 2e9);
  t.equal(node?.usage.memoryBytes, 1234567890);
  t.equal(node?.timestampMs, Date.parse('2020-04-20T22:52:29Z'));

  const keys = second.pods.map((p) => ({ namespace: p.namespace, name: p.name }));
  t.equal(keys.length, 9);
  const usage = s.getPodUsage(keys);
  let containers = 0;
  for (const [i, u] of usage.entries()) {
    t.ok(u, `${keys[i]!.namespace}/${keys[i]!.name} is served`);
    t.equal(u?.windowNs, 2e9);
    for (const c of u?.containers ?? []) {
      containers++;
      t.equal(c.usage.cpuNanocores, 1_000_000_000, `${keys[i]!.name}/${c.name}`);
    }
  }
  t.equal(containers, 9);
});
