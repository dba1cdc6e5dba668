// Encoded single-object responses are reused only while they would be encoded
// the same, and freshness is observed per request either way.
import t from 'tap';
import { negotiate } from '../../src/api/codec/index.js';
import { ObjectResponses } from '../../src/api/object-responses.js';
import type { StatusError } from '../../src/api/status.js';
import { FakeMetrics, FakeNodes, FakePods } from './fakes.js';

const view = (accept: string) => ({ get: (f: string) => (f === 'accept' ? accept : ''), query: {} });

t.test('reuse and invalidation', async (t) => {
  let nowMs = Date.parse('2024-05-01T10:00:05.100Z');
  const seen: number[] = [];
  const usage = (cpu: number) => ({ timestampMs: Date.parse('2024-05-01T10:00:00.500Z'), windowNs: 15e9, containers: [{ name: 'c', usage: { cpuNanocores: cpu, memoryBytes: 1 } }] });
  const metrics = new FakeMetrics(new Map([['n1', { timestampMs: Date.parse('2024-05-01T10:00:01Z'), windowNs: 15e9, usage: { cpuNanocores: 1, memoryBytes: 1 } }]]), new Map([['ns/p', usage(1000)]]));
  const pods = new FakePods([{ namespace: 'ns', name: 'p', labels: {} }]);
  const nodes = new FakeNodes([{ name: 'n1', labels: {} }]);
  const r = new ObjectResponses({ metrics, pods, nodes, securePort: 443, now: () => nowMs, observer: { freshness: (s) => void seen.push(s) } });
  const pod = { resource: 'pods' as const, namespace: 'ns', name: 'p' };
  const path = '/apis/metrics.k8s.io/v1beta1/namespaces/ns/pods/p';
  const json = view('application/json');
  const n = negotiate(json, { resource: true });

  const a = r.encode(json, path, pod, n);
  nowMs += 300;
  const b = r.encode(json, path, pod, n);
  t.equal(b, a, 'same second, same revisions: the same encoded response');
  t.same(seen, [4.6, 4.9], 'freshness observed per request, from the sample timestamp');

  const pb = view('application/vnd.kubernetes.protobuf');
  const p = r.encode(pb, path, pod, negotiate(pb, { resource: true }));
  t.not(p.body, a.body, 'each encoding has its own entry');
  t.equal(p.contentType, 'application/vnd.kubernetes.protobuf');

  nowMs += 1000;
  const c = r.encode(json, path, pod, n);
  t.not(c, a, 'a new second: a new creationTimestamp');
  t.match(c.body.toString(), /"creationTimestamp":"2024-05-01T10:00:06Z"/);

  metrics.podUsage.set('ns/p', usage(2_000_000));
  metrics.revision++;
  t.match(r.encode(json, path, pod, n).body.toString(), /"cpu":"2m"/, 'a new store revision is seen');

  for (const bump of [() => pods.revision++, () => nodes.revision++]) {
    const before = r.encode(json, path, pod, n);
    bump();
    t.not(r.encode(json, path, pod, n), before, 'a new cache revision is seen');
  }

  pods.pods = [];
  pods.revision++;
  for (const attempt of ['not found is thrown', 'and not cached']) {
    try {
      r.encode(json, path, pod, n);
      t.fail(attempt);
    } catch (e) {
      t.equal((e as StatusError).status.code, 404, attempt);
    }
  }

  const node = r.encode(json, '/apis/metrics.k8s.io/v1beta1/nodes/n1', { resource: 'nodes', name: 'n1' }, n);
  t.match(node.body.toString(), /"kind":"NodeMetrics"/);
});
