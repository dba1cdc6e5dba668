import t from 'tap';
import { formatGoFloat } from '../../src/sim/go-float.js';
import { UsageModel, containerCpuNs, stableHash } from '../../src/sim/model.js';

t.test('Go FormatFloat(g, -1) as the Prometheus text format writes values', async (t) => {
  const cases: [number, string][] = [
    [12533760, '1.253376e+07'],
    [1616273408, '1.616273408e+09'],
    [357.35491, '357.35491'],
    [4.710169, '4.710169'],
    [4096, '4096'],
    [999999, '999999'],
    [1e6, '1e+06'],
    [0.0001, '0.0001'],
    [0.00001, '1e-05'],
    [0, '0'],
    [1633252712.5, '1.6332527125e+09'],
    // The edges of Go's %f range, [1e-4, 1e6), and either side of them.
    [999999.9999999999, '999999.9999999999'],
    [0.00009999999999999999, '9.999999999999999e-05'],
    [0.000123, '0.000123'],
    [1e-7, '1e-07'],
    [-0.5, '-0.5'],
    [-1234567, '-1.234567e+06'],
  ];
  for (const [v, want] of cases) t.equal(formatGoFloat(v), want, String(v));
});

t.test('the model is deterministic and its counters follow the rates', async (t) => {
  const now = Date.UTC(2026, 0, 1);
  const a = new UsageModel({ nodes: 3, podsPerNode: 4, containersPerPod: 2, nowMs: now });
  const b = new UsageModel({ nodes: 3, podsPerNode: 4, containersPerPod: 2, nowMs: now });
  t.same([...a.allPods()].map((p) => [p.namespace, p.name, p.containers.map((c) => [c.cpuNanocores, c.memoryBytes])]), [...b.allPods()].map((p) => [p.namespace, p.name, p.containers.map((c) => [c.cpuNanocores, c.memoryBytes])]));
  t.equal(stableHash('a'), stableHash('a'));
  const pod = [...a.allPods()][0]!;
  const c = pod.containers[0]!;
  t.equal(c.cpuNanocores % 1000, 0, 'rates are whole microcores so counters stay whole nanoseconds per ms');
  t.equal(containerCpuNs(c, now + 1500) - containerCpuNs(c, now), (c.cpuNanocores * 1.5), '1.5 s at the rate');
  const node = a.nodes[0]!;
  t.equal(a.nodeCumulativeCpuNs(node, now + 1000) - a.nodeCumulativeCpuNs(node, now), a.nodeCpuNanocores(node.name), 'node counter grows at the sum of rates');
  t.equal(a.nodeMemoryBytes(node.name), node.systemMemoryBytes + a.podsOn(node.name).reduce((s, p) => s + p.containers.reduce((x, y) => x + y.memoryBytes, 0), 0));
});

t.test('churn keeps counters consistent', async (t) => {
  const now = Date.UTC(2026, 0, 1);
  const m = new UsageModel({ nodes: 1, podsPerNode: 2, containersPerPod: 1, nowMs: now });
  const node = m.nodes[0]!;
  const events: string[] = [];
  m.onChange((kind, type, obj) => events.push(`${kind} ${type} ${obj.name}`));
  const [p1, p2] = m.podsOn(node.name);
  const before = m.nodeCumulativeCpuNs(node, now + 10_000);
  m.restartContainer(p1!.namespace, p1!.name, 'main', now + 10_000);
  t.equal(containerCpuNs(p1!.containers[0]!, now + 10_000), 0, 'restart resets the container counter');
  t.equal(m.nodeCumulativeCpuNs(node, now + 10_000), before, 'but not the node counter');
  m.setContainerUsage(p2!.namespace, p2!.name, 'main', { cpuNanocores: 2_000_000 }, now + 10_000);
  const at = containerCpuNs(p2!.containers[0]!, now + 10_000);
  t.equal(containerCpuNs(p2!.containers[0]!, now + 11_000) - at, 2_000_000, 'new rate from then on, no jump');
  t.throws(() => m.setContainerUsage(p2!.namespace, p2!.name, 'main', { cpuNanocores: 1500 }), /multiple of 1000/);
  m.removePod(p2!.namespace, p2!.name, now + 10_000);
  t.ok(m.nodeCumulativeCpuNs(node, now + 10_000) >= before, 'a removed pod does not take the node counter back');
  const added = m.addPod(node.name, { namespace: 'team-a', name: 'x', labels: { tier: 'fe' } }, now + 10_000);
  t.same(added.labels, { app: added.labels.app, tier: 'fe' });
  t.throws(() => m.addPod(node.name, { namespace: 'team-a', name: 'x' }), /already exists/);
  t.same(events, [`pod MODIFIED ${p1!.name}`, `pod DELETED ${p2!.name}`, 'pod ADDED x']);
  t.equal(m.node('sim-node-1'), node);
  t.equal(m.node('sim-node-2'), undefined);
});
