// Object builders: metav1.Time truncation, Go field order, labels omitempty.
import t from 'tap';
import { asNodeMetricsObject, asPodMetricsObject, formatTime, nodeMetrics, nodeMetricsList, podMetrics, podMetricsList } from '../../src/api/objects.js';

const NOW = Date.parse('2024-05-01T10:00:05.999Z');

t.test('formatTime truncates to whole seconds in UTC', async (t) => {
  t.equal(formatTime(Date.parse('2024-05-01T10:00:00.999Z')), '2024-05-01T10:00:00Z');
  t.equal(formatTime(Date.parse('2024-05-01T10:00:01.000Z')), '2024-05-01T10:00:01Z');
  t.equal(formatTime(Date.parse('2024-05-01T10:00:00.999Z')), '2024-05-01T10:00:00Z', 'cache hit gives the same text');
  t.equal(formatTime(0), '1970-01-01T00:00:00Z');
  t.equal(formatTime(-1), '1969-12-31T23:59:59Z', 'truncation is toward the past, as Go does');
});

t.test('NodeMetrics: Go field order, sorted labels, second-precision timestamp, ms window', async (t) => {
  const item = nodeMetrics(
    { name: 'n1', labels: { z: '1', a: '2' } },
    { timestampMs: Date.parse('2024-05-01T10:00:00.500Z'), windowNs: 15_002_000_000, usage: { cpuNanocores: 123_456_789, memoryBytes: 12_230_656 } },
    NOW,
  );
  t.equal(
    JSON.stringify(asNodeMetricsObject(item)),
    '{"kind":"NodeMetrics","apiVersion":"metrics.k8s.io/v1beta1","metadata":{"name":"n1","creationTimestamp":"2024-05-01T10:00:05Z","labels":{"a":"2","z":"1"}},"timestamp":"2024-05-01T10:00:00Z","window":"15.002s","usage":{"cpu":"123456789n","memory":"11944Ki"}}',
  );
  t.equal(
    JSON.stringify(nodeMetricsList([item])),
    `{"kind":"NodeMetricsList","apiVersion":"metrics.k8s.io/v1beta1","metadata":{},"items":[${JSON.stringify(item)}]}`,
    'list items carry no kind/apiVersion',
  );
  t.notOk('kind' in item);
});

t.test('PodMetrics: namespace after name, labels omitted when empty, containers kept in order', async (t) => {
  const item = podMetrics(
    { namespace: 'ns', name: 'p', labels: {} },
    {
      timestampMs: Date.parse('2024-05-01T10:00:00Z'),
      windowNs: 500_000_000,
      containers: [
        { name: 'b', usage: { cpuNanocores: 1_000, memoryBytes: 1_000_000 } },
        { name: 'a', usage: { cpuNanocores: 0, memoryBytes: 0 } },
      ],
    },
    NOW,
  );
  t.equal(
    JSON.stringify(asPodMetricsObject(item)),
    '{"kind":"PodMetrics","apiVersion":"metrics.k8s.io/v1beta1","metadata":{"name":"p","namespace":"ns","creationTimestamp":"2024-05-01T10:00:05Z"},"timestamp":"2024-05-01T10:00:00Z","window":"500ms","containers":[{"name":"b","usage":{"cpu":"1u","memory":"1000000"}},{"name":"a","usage":{"cpu":"0","memory":"0"}}]}',
  );
  const empty = podMetrics({ namespace: 'ns', name: 'q', labels: {} }, { timestampMs: NOW, windowNs: 0, containers: [] }, NOW);
  t.equal(JSON.stringify(empty.containers), '[]', 'containers is [] never null');
  t.equal(empty.window, '0s');
  t.equal(JSON.stringify(podMetricsList([])), '{"kind":"PodMetricsList","apiVersion":"metrics.k8s.io/v1beta1","metadata":{},"items":[]}');
});
