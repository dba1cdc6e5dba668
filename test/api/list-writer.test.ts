// The list writers must give the same bytes as encoding the wire objects: compact
// JSON as encodeJson writes it, protobuf as encodeProtobuf (protobufjs in gogo's
// layout, itself checked against gogo's bytes). Rows they do not handle must come back undefined,
// so the caller falls back to the objects.
import t, { type Test } from 'tap';
import { encodeJson } from '../../src/api/codec/json.js';
import { asPartialObjectMetadata } from '../../src/api/codec/partial.js';
import { encodeProtobuf } from '../../src/api/codec/protobuf.js';
import { writeListJson, writeListProtobuf } from '../../src/api/list-writer/index.js';
import { JsonListWriter } from '../../src/api/list-writer/json.js';
import { ProtobufListWriter } from '../../src/api/list-writer/protobuf.js';
import { patchAt } from '../../src/api/list-cache.js';
import { ByteSink } from '../../src/api/list-writer/byte-sink.js';
import { TimeSlicer } from '../../src/util/time-slice.js';
import { listObject, type MetricsRows, type NodeRows, type PodRow, type PodRows } from '../../src/api/metrics-rows.js';
import type { ContainerUsage } from '../../src/api/sources.js';
import { random } from '../helpers/random.js';

const NOW = Date.parse('2026-11-22T10:00:07.250Z');
const TS = Date.parse('2026-11-22T10:00:01.900Z');

function container(name: string, cpuNanocores: number, memoryBytes: number): ContainerUsage {
  return { name, usage: { cpuNanocores, memoryBytes } };
}

function pod(namespace: string, name: string, labels: Record<string, string>, containers: ContainerUsage[], timestampMs = TS, windowNs = 15_002_000_000): PodRow {
  return { pod: { namespace, name, labels }, usage: { timestampMs, windowNs, containers } };
}

function pods(rows: PodRow[], nowMs = NOW): PodRows {
  return { kind: 'PodMetricsList', nowMs, rows };
}

function same(t: Test, rows: MetricsRows, what: string): void {
  const obj = listObject(rows);
  const json = writeListJson(rows);
  t.ok(json, `${what}: JSON written`);
  t.equal(json?.toString('utf8'), encodeJson(obj), `${what}: JSON bytes as encodeJson`);
  const pb = writeListProtobuf(rows);
  t.ok(pb, `${what}: protobuf written`);
  t.equal(pb?.toString('hex'), encodeProtobuf(obj).toString('hex'), `${what}: protobuf bytes as encodeProtobuf`);
  for (const version of ['v1', 'v1beta1']) {
    const partial = writeListProtobuf(rows, version);
    t.ok(partial, `${what}: protobuf PartialObjectMetadataList ${version} written`);
    const expected = encodeProtobuf(asPartialObjectMetadata(obj, 'PartialObjectMetadataList', version));
    t.equal(partial?.toString('hex'), expected.toString('hex'), `${what}: protobuf PartialObjectMetadataList ${version} bytes as encodeProtobuf`);
  }
}

t.test('pod lists: same bytes as the object encoders', async (t) => {
  same(t, pods([]), 'empty list');
  same(t, pods([pod('default', 'web-1', {}, [container('app', 1_234_567, 11_944 * 1024)])]), 'no labels');
  same(
    t,
    pods([
      pod('kube-system', 'coredns-5d78c9869d-abcde', { 'k8s-app': 'kube-dns', 'pod-template-hash': '5d78c9869d' }, [
        container('coredns', 2_000_000, 15 * 1024 * 1024),
      ]),
      pod('default', 'db-0', { z: '1', a: '2', 'app.kubernetes.io/name': 'db' }, [
        container('db', 0, 0),
        container('sidecar', 1, 1023),
        container('exporter', 50_000_000, 1024),
        container('init-like', 1_000_000_000, 1536),
        container('big', Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER),
      ]),
    ]),
    'unsorted labels, zero, small and large quantities, five containers',
  );
  same(t, pods([pod('default', 'digits', { '10': 'a', '2': 'b', x: 'c' }, [container('c', 5, 4096)])]), 'label keys made only of digits');
  same(
    t,
    pods([
      pod('default', 'esc', { 'example.com/html': '<b>&"x"</b>', back: 'a\\b', ctl: 'tab\there\u0001', u2028: 'a\u2028b\u2029' }, [
        container('c', 5, 4096),
      ]),
      pod('ns-é', 'café-😀', { 'ключ': 'значение', lone: 'x\ud800y' }, [container('ç', 7, 8192)]),
    ]),
    'escapes, non-ASCII and a lone surrogate',
  );
  same(
    t,
    pods([
      pod('a', 'p1', {}, [container('c', 1, 1)], TS, 1_500),
      pod('a', 'p2', {}, [container('c', 1, 1)], TS + 1_000, 65_000_000_000),
      pod('a', 'p3', {}, [container('c', 1, 1)], TS + 2_000, 999),
      pod('a', 'p4', {}, [container('c', 1, 1)], TS, 15_002_000_000),
      pod('a', 'p5', {}, [container('c', 1, 1)], TS + 1_000, 0),
      pod('a', 'p6', {}, [container('c', 1, 1)], TS + 999, 15_000_000_000.7),
      pod('a', 'p7', {}, [container('c', 1, 1)], TS + 3_000, 100 * 86_400 * 1e9 + 123_456_789),
      pod('a', 'p8', {}, [container('c', 1, 1)], TS + 4_000, 14_998_123_456),
    ]),
    'sample times and windows changing between items (µs, minutes, days, zero, a fraction of a ns)',
  );
  same(t, pods([pod('a', 'p', { app: 'x' }, [container('c', 1, 1)])], Date.parse('2106-02-07T06:28:17Z')), 'a creation time past 2^32 seconds');
});

t.test('pod lists: many generated rows', async (t) => {
  const rows: PodRow[] = [];
  for (let i = 0; i < 2_000; i++) {
    const labels: Record<string, string> = { app: `app-${i % 7}` };
    if (i % 3 === 0) labels['pod-template-hash'] = (i * 7919).toString(36);
    if (i % 11 === 0) labels['0'] = 'zero';
    const cs = Array.from({ length: 1 + (i % 4) }, (_, c) => container(`c${c}`, (i * 104_729 + c) % 4_000_000_000, (i * 65_537 + c * 1024) % 2 ** 40));
    rows.push(pod(`ns-${i % 13}`, `pod-${i.toString(36)}-${'x'.repeat(i % 50)}`, labels, cs, TS + (i % 5) * 1000, 15_000_000_000 + (i % 3) * 1_000_000));
  }
  same(t, pods(rows), '2,000 pods');
  // A body the list cache keeps holds (almost) no unused buffer behind it, whether the size
  // guess (learned from the last list) was right, far too small or far too large.
  const wide = rows.slice(0, 300).map((r) => ({ ...r, pod: { ...r.pod, labels: { ...r.pod.labels, note: 'x'.repeat(2_000) } } }));
  const narrow = rows.map((r, i) => pod('n', `p${i}`, {}, [container('c', 1, 1)], r.usage.timestampMs));
  for (const list of [rows, wide, narrow, rows]) {
    for (const body of [writeListJson(pods(list))!, writeListProtobuf(pods(list))!]) {
      // (Bodies this size are never carved from Buffer's shared pool.)
      t.ok(body.length > Buffer.poolSize, `${body.length} bytes`);
      t.ok(body.buffer.byteLength <= body.length * (32 / 31) + 64, `${body.length} bytes in a ${body.buffer.byteLength}-byte buffer`);
    }
  }
});

t.test('node lists: same bytes as the object encoders', async (t) => {
  const nodes: NodeRows = {
    kind: 'NodeMetricsList',
    nowMs: NOW,
    rows: [
      { node: { name: 'node-a', labels: { 'kubernetes.io/os': 'linux', 'kubernetes.io/hostname': 'node-a' } }, usage: { timestampMs: TS, windowNs: 15_002_000_000, usage: { cpuNanocores: 123_456_789, memoryBytes: 12_230_656 } } },
      { node: { name: 'node-b', labels: {} }, usage: { timestampMs: TS + 3_000, windowNs: 20_000_000_000, usage: { cpuNanocores: 0, memoryBytes: 1 } } },
    ],
  };
  same(t, nodes, 'two nodes');
  same(t, { kind: 'NodeMetricsList', nowMs: NOW, rows: [] }, 'empty node list');
});

t.test('random rows: same bytes as the object encoders', async (t) => {
  // Text made of escapes, control and multi-byte characters, lone surrogates and byte
  // lengths around the varint steps (127/128 and 16383/16384 bytes); quantities around
  // the unit steps and up to 2^53; windows and sample times of every form.
  const r = random(2026);
  const PIECES = ['"', '\\', '\u0000', '\t', '\n', '\u001f', '\u007f', '\u0080', 'é', '€', 'ключ', '😀', '\ud800', '\udfff', '\u2028', '\u2029', '<', '&', '\ufeff', '/', '.', '0'];
  const text = (): string => {
    const kind = r.int(10);
    const target = kind < 5 ? r.int(12) : kind < 8 ? 120 + r.int(16) : kind < 9 ? 16_370 + r.int(20) : r.int(300);
    const parts: string[] = [];
    for (let bytes = 0; bytes < target; ) {
      const p = r.int(10) < 7 ? 'x' : PIECES[r.int(PIECES.length)]!;
      parts.push(p);
      bytes += Buffer.byteLength(p);
    }
    return parts.join('');
  };
  const STEPS = [0, 1, 999, 1000, 1023, 1024, 1025, 1536, 999_999, 1_000_000, 1e9, 2 ** 31, 2 ** 32, 2 ** 53 - 1];
  const quantity = () => (r.int(2) === 0 ? STEPS[r.int(STEPS.length)]! : Math.floor(r.next() * 2 ** (1 + r.int(52))));
  const WINDOWS = [15_002_000_000, 1_500, 0, 999, 65_000_000_000, 14_998_123_456];
  const labels = (): Record<string, string> => {
    const l: Record<string, string> = {};
    for (let i = r.int(4); i > 0; i--) l[r.int(5) === 0 ? String(r.int(20)) : text()] = text();
    return l;
  };
  for (let c = 0; c < 300; c++) {
    const n = r.int(5);
    const timestamp = () => TS + r.int(5) * 1000 + (r.int(5) === 0 ? r.int(999) : 0);
    const window = () => (r.int(5) < 4 ? WINDOWS[r.int(WINDOWS.length)]! : Math.floor(r.next() * 1e12));
    if (r.int(5) === 0) {
      const rows = Array.from({ length: n }, () => ({ node: { name: text(), labels: labels() }, usage: { timestampMs: timestamp(), windowNs: window(), usage: { cpuNanocores: quantity(), memoryBytes: quantity() } } }));
      same(t, { kind: 'NodeMetricsList', nowMs: NOW + r.int(1e9), rows }, `case ${c}: ${n} nodes`);
    } else {
      const rows = Array.from({ length: n }, () => pod(text(), text(), labels(), Array.from({ length: 1 + r.int(3) }, () => container(text(), quantity(), quantity())), timestamp(), window()));
      same(t, pods(rows, NOW + r.int(1e9)), `case ${c}: ${n} pods`);
    }
  }
});

t.test('rows the writers leave to the object encoders', async (t) => {
  const nonString = pods([pod('a', 'p', { app: 7 as unknown as string }, [container('c', 1, 1)])]);
  t.equal(writeListJson(nonString), undefined, 'JSON: a label value that is not a string');
  t.equal(writeListProtobuf(nonString), undefined, 'protobuf: a label value that is not a string');
  t.equal(writeListProtobuf(nonString, 'v1'), undefined, 'protobuf PartialObjectMetadataList: a label value that is not a string');

  // A pod without containers has no sample time: the object path fails the same way (a 500).
  const noContainers = pods([pod('a', 'p', {}, [], Infinity)]);
  t.equal(writeListJson(noContainers), undefined, 'JSON: no sample time');
  t.throws(() => listObject(noContainers), RangeError, 'objects cannot be built either');

  // Before 1970 or a negative window: protobufjs writes those, the writer does not.
  const old = pods([pod('a', 'p', {}, [container('c', 1, 1)], Date.parse('1969-12-31T23:59:58Z'))]);
  t.equal(writeListProtobuf(old), undefined, 'protobuf: a sample time before 1970');
  t.equal(writeListJson(old)?.toString('utf8'), encodeJson(listObject(old)), 'JSON writes it');
  const negative = pods([pod('a', 'p', {}, [container('c', 1, 1)], TS, -1_000_000_000)]);
  t.equal(writeListProtobuf(negative), undefined, 'protobuf: a negative window');
  t.equal(writeListJson(negative)?.toString('utf8'), encodeJson(listObject(negative)), 'JSON writes it');
});

t.test('written a range of rows at a time: the same bytes, and where each creationTimestamp is', async (t) => {
  const rows: PodRow[] = [];
  for (let i = 0; i < 700; i++) {
    // A label key spelled creationTimestamp is no value to rewrite: only the items' own are recorded.
    const labels: Record<string, string> = i % 9 === 0 ? { creationTimestamp: '2026-11-22T10:00:07Z', app: 'x' } : { app: `a${i % 4}` };
    rows.push(pod(`ns-${i % 5}`, `pod-${i}`, labels, [container('c', i * 1000, i * 4096), container('d', 1, 1)]));
  }
  const list = pods(rows);
  const seconds = Math.floor(NOW / 1000);
  for (const [what, writer, whole] of [
    ['JSON', (l: PodRows) => new JsonListWriter(l), (l: PodRows) => writeListJson(l)],
    ['protobuf', (l: PodRows) => new ProtobufListWriter(l), (l: PodRows) => writeListProtobuf(l)],
    ['protobuf PartialObjectMetadataList', (l: PodRows) => new ProtobufListWriter(l, 'v1'), (l: PodRows) => writeListProtobuf(l, 'v1')],
  ] as const) {
    const w = writer(list);
    // Uneven ranges, an empty one included.
    for (const [from, to] of [[0, 1], [1, 1], [1, 257], [257, 300], [300, 700]] as const) w.write(from, to);
    const { sink, start, creationAt } = w.finish();
    const body = await sink.finishSliced(new TimeSlicer(0), start);
    t.same(body, whole(list), `${what}: same bytes as written at once`);
    t.equal(creationAt.length, rows.length, `${what}: one creationTimestamp per item`);
    if (what === 'JSON') {
      const text = '2026-11-22T10:00:07Z';
      t.ok([...creationAt].every((at) => body.toString('latin1', at - 21, at + 21) === `"creationTimestamp":"${text}"`), 'JSON: each offset starts the value');
    } else {
      const varint = (n: number) => {
        const out: number[] = [];
        while (n > 0x7f) {
          out.push((n % 0x80) | 0x80);
          n = Math.floor(n / 0x80);
        }
        out.push(n);
        return Buffer.from(out);
      };
      const secs = varint(seconds);
      t.ok(
        [...creationAt].every((at) => body[at - 3] === 0x42 && body[at - 1] === 0x08 && body.subarray(at, at + secs.length).equals(secs) && body[at + secs.length] === 0x10),
        `${what}: each offset starts the seconds of field 8`,
      );
    }
    // Rewritten for a later second at those offsets: the bytes of a fresh writing then.
    const later = pods(rows, NOW + 3_600_000);
    const patch = patchAt(what === 'JSON' ? 'json' : 'protobuf', seconds, creationAt);
    const value = patch.bytes(seconds + 3600)!;
    const copy = Buffer.from(body);
    for (const at of patch.offsets) value.copy(copy, at);
    t.same(copy, whole(later), `${what}: patched an hour later equals a fresh writing`);
  }
});

t.test('a body with much room left over is copied out a slice at a time, else handed out as it is', async (t) => {
  for (const [estimate, copied] of [
    [20_000_000, true],
    [10_100_000, false],
  ] as const) {
    const sink = new ByteSink(estimate, 16);
    for (let i = 0; i < 10_000_000; i += 1000) sink.bytes(Buffer.alloc(1000, i / 1000));
    let yields = 0;
    const slicer = new TimeSlicer(0);
    const next = slicer.next.bind(slicer);
    slicer.next = () => (yields++, next());
    const body = await sink.finishSliced(slicer, 16);
    t.same(body, sink.finish(16), `${estimate}: the bytes finish() gives`);
    t.equal(body.buffer === sink.buf.buffer, !copied, copied ? 'a copy' : 'the sink\'s own buffer');
    t.equal(yields > 1, copied, `yielded ${yields} times`);
  }
});
