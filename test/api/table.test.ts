import t from 'tap';
import { StatusError } from '../../src/api/status.js';
import { parseIncludeObject, toTable } from '../../src/api/table.js';
import { parseQuantity, QuantitySum } from '../../src/api/codec/quantity-sum.js';
import * as samples from './codec/samples.js';

const COLUMNS = [
  { name: 'Name', type: 'string', format: 'name', description: 'Name of the resource', priority: 0 },
  { name: 'cpu', type: 'string', format: 'quantity', description: '', priority: 0 },
  { name: 'memory', type: 'string', format: 'quantity', description: '', priority: 0 },
  { name: 'Window', type: 'string', format: 'duration', description: '', priority: 0 },
];

t.test('node list: upstream columns, cells and PartialObjectMetadata rows', async (t) => {
  const table = toTable(samples.nodeMetricsList, { version: 'v1', includeObject: 'Metadata' });
  t.equal(table.kind, 'Table');
  t.equal(table.apiVersion, 'meta.k8s.io/v1');
  t.same(table.metadata, {});
  t.same(table.columnDefinitions, COLUMNS);
  t.same(
    table.rows!.map((r) => r.cells),
    [
      ['node-1', '123456789n', '11944Ki', '15.002s'],
      ['node-2', '2', '1000000', '1m0.5s'],
    ],
  );
  t.same(table.rows![0]!.object, {
    kind: 'PartialObjectMetadata',
    apiVersion: 'meta.k8s.io/v1',
    metadata: samples.nodeMetrics.metadata,
  });
  // The exact JSON of protocol.md §4.6 for the first row.
  t.equal(
    JSON.stringify(table.columnDefinitions![0]),
    '{"name":"Name","type":"string","format":"name","description":"Name of the resource","priority":0}',
  );
});

t.test('v1beta1 tables say so, in the table and in row metadata', async (t) => {
  const table = toTable(samples.nodeMetrics, { version: 'v1beta1', includeObject: 'Metadata' });
  t.equal(table.apiVersion, 'meta.k8s.io/v1beta1');
  t.equal((table.rows![0]!.object as { apiVersion: string }).apiVersion, 'meta.k8s.io/v1beta1');
  t.equal(table.rows!.length, 1, 'a single object is a one-row table');
});

t.test('pods: quantity cells are sums over containers, in the format metrics-server builds', async (t) => {
  const table = toTable(samples.podMetricsList, { version: 'v1', includeObject: 'None' });
  t.same(table.columnDefinitions, COLUMNS);
  t.same(
    table.rows!.map((r) => r.cells),
    [
      ['coredns-558bd4d5db-4dpjz', '2147218n', '12240Ki', '15.011s'],
      // 4735432n + 50m = 54735432n; 12345678 + 11944Ki = 24576334 bytes
      ['web-7d4b9c6f8-abcde', '54735432n', '24576334', '14.987s'],
    ],
  );
  t.equal(table.rows![0]!.object, null, 'includeObject=None');

  const pod = {
    ...samples.podMetrics,
    containers: [
      { name: 'a', usage: { cpu: '50m', memory: '1536' } },
      { name: 'b', usage: { cpu: '1', memory: '512' } },
    ],
  };
  const cells = toTable(pod, { version: 'v1', includeObject: 'None' }).rows![0]!.cells;
  t.same(cells, ['web-7d4b9c6f8-abcde', '1050m', '2Ki', '14.987s'], 'memory sums stay BinarySI (2048 → 2Ki), CPU DecimalSI');

  // metrics-server's own table_test: 10m + 10m, 5Mi + 10Mi.
  const ms = {
    ...samples.podMetrics,
    containers: [
      { name: 'a', usage: { cpu: '10m', memory: '5Mi' } },
      { name: 'b', usage: { cpu: '10m', memory: '10Mi' } },
    ],
  };
  t.same(toTable(ms, { version: 'v1', includeObject: 'None' }).rows![0]!.cells.slice(1, 3), ['20m', '15Mi']);
});

t.test('includeObject=Object carries the full versioned object', async (t) => {
  const table = toTable(samples.podMetricsList, { version: 'v1', includeObject: 'Object' });
  const obj = table.rows![1]!.object as Record<string, unknown>;
  t.same(Object.keys(obj), ['kind', 'apiVersion', 'metadata', 'timestamp', 'window', 'containers'], 'TypeMeta first, Go field order');
  t.equal(obj['kind'], 'PodMetrics');
  t.equal(obj['apiVersion'], 'metrics.k8s.io/v1beta1');
  t.same(obj['containers'], samples.podMetrics.containers);
  const single = toTable(samples.nodeMetrics, { version: 'v1', includeObject: 'Object' });
  t.same(single.rows![0]!.object, samples.nodeMetrics);
});

t.test('empty list: columnDefinitions and rows are null', async (t) => {
  const table = toTable({ kind: 'PodMetricsList', apiVersion: 'metrics.k8s.io/v1beta1', metadata: {}, items: [] }, { version: 'v1', includeObject: 'Metadata' });
  t.equal(
    JSON.stringify(table),
    '{"kind":"Table","apiVersion":"meta.k8s.io/v1","metadata":{},"columnDefinitions":null,"rows":null}',
  );
});

t.test('columns come from the first item that has usage, as with a Go nil slice', async (t) => {
  const list = {
    kind: 'PodMetricsList',
    apiVersion: 'metrics.k8s.io/v1beta1',
    metadata: {},
    items: [
      { metadata: { name: 'empty' }, timestamp: '2024-05-01T10:00:00Z', window: '15s', containers: [] },
      { metadata: { name: 'full' }, timestamp: '2024-05-01T10:00:00Z', window: '15s', containers: [{ name: 'c', usage: { memory: '1Ki', cpu: '1m' } }] },
    ],
  };
  const table = toTable(list, { version: 'v1', includeObject: 'None' });
  t.same(table.columnDefinitions!.map((c) => c.name), ['Name', 'cpu', 'memory', 'Window']);
  t.same(table.rows!.map((r) => r.cells), [['empty', '15s'], ['full', '1m', '1Ki', '15s']]);
});

t.test('list metadata is copied (resourceVersion, selfLink, continue)', async (t) => {
  const table = toTable({ ...samples.nodeMetricsList, metadata: { resourceVersion: '7', continue: 'abc' } }, { version: 'v1', includeObject: 'None' });
  t.same(table.metadata, { resourceVersion: '7', continue: 'abc' });
});

t.test('includeObject parsing', async (t) => {
  t.equal(parseIncludeObject(undefined), 'Metadata');
  t.equal(parseIncludeObject(''), 'Metadata');
  t.equal(parseIncludeObject('Metadata'), 'Metadata');
  t.equal(parseIncludeObject('Object'), 'Object');
  t.equal(parseIncludeObject(['None', 'Object']), 'None', 'the first value counts');
  try {
    parseIncludeObject('object');
    t.fail('lower-case value accepted');
  } catch (err) {
    t.ok(err instanceof StatusError);
    const s = (err as StatusError).status;
    t.equal(s.code, 400);
    t.equal(s.reason, 'BadRequest');
    t.equal(s.message, `Unable to convert to Table as requested: includeObject: Invalid value: "object": must be 'Metadata', 'Object', 'None', or empty`);
  }
});

t.test('non-metrics kinds are refused', async (t) => {
  t.throws(() => toTable({ kind: 'Status' }, { version: 'v1', includeObject: 'None' }), TypeError);
});

t.test('quantity parsing and Quantity.Add', async (t) => {
  t.match(parseQuantity('1.5Gi'), { mantissa: 15n * 1024n ** 3n, scale: -1, format: 'BinarySI' });
  t.match(parseQuantity('123456789n'), { mantissa: 123456789n, scale: -9, format: 'DecimalSI' });
  t.match(parseQuantity('12e6'), { mantissa: 12n, scale: 6, format: 'DecimalExponent' });
  t.match(parseQuantity('-0.5'), { mantissa: -5n, scale: -1, format: 'DecimalSI' });
  t.throws(() => parseQuantity('abc'), /must match/);
  t.throws(() => parseQuantity('1Qi'), /suffix/);
  t.throws(() => parseQuantity(''), /must match/);
  const sum = new QuantitySum();
  for (const q of ['1024', '1000']) sum.add({ ...parseQuantity(q), format: 'BinarySI' });
  t.equal(sum.toString(), '2024', 'protocol.md §3.4: 1024 + 1000 → 2024');
  const cpu = new QuantitySum();
  cpu.add(parseQuantity('50m'));
  cpu.add(parseQuantity('1'));
  t.equal(cpu.toString(), '1050m');
  t.equal(new QuantitySum().toString(), '0');
});
