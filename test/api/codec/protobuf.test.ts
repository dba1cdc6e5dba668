import t, { type Test } from 'tap';
import Koa from 'koa';
import { respond } from '../../../src/api/codec/index.js';
import { decodeProtobuf, encodeProtobuf, PROTOBUF_MEDIA_TYPE } from '../../../src/api/codec/protobuf.js';
import { durationNanos } from '../../../src/api/codec/proto/wire-values.js';
import * as samples from './samples.js';
import { get, serve } from './serve.js';
import { decodeRaw, protocUnavailable, type RawMessage, type RawValue } from './protoc.js';

/* eslint-disable @typescript-eslint/no-explicit-any -- comparing untyped wire JSON */

const hex = (s: string) => Buffer.from(s.replace(/\s/g, ''), 'hex');
const str = (s: string) => Buffer.from(s, 'utf8');
const ld = (tag: number, body: Buffer) => Buffer.concat([Buffer.from([tag, body.length]), body]);

t.test('protocol.md §4.5: NodeMetrics bytes match gogo exactly', async (t) => {
  const expected = hex(`6b3873000a250a166d6574726963732e6b38732e696f2f76316265746131120b
    4e6f64654d65747269637312770a390a066e6f64652d3112001a0022002a0032
    003800420808a5a5c8b10610005a190a106b756265726e657465732e696f2f6f
    7312056c696e7578120808a0a5c8b10610001a060880b5c1f13722130a036370
    75120c0a0a3132333435363738396e22130a066d656d6f727912090a07313139
    34344b691a002200`);
  const obj = { ...samples.nodeMetrics, metadata: { ...samples.nodeMetrics.metadata, labels: { 'kubernetes.io/os': 'linux' } } };
  const got = encodeProtobuf(obj);
  t.equal(got.length, 168);
  t.equal(got.toString('hex'), expected.toString('hex'));
});

t.test('protocol.md §4.5: NotFound Status bytes', async (t) => {
  const details = Buffer.concat([ld(0x0a, str('node-1')), ld(0x12, str('metrics.k8s.io')), ld(0x1a, str('nodemetrics')), hex('2800 3200')]);
  const raw = Buffer.concat([
    hex('0a06 0a00 1200 1a00'),
    ld(0x12, str('Failure')),
    ld(0x1a, str('nodemetrics.metrics.k8s.io "node-1" not found')),
    ld(0x22, str('NotFound')),
    ld(0x2a, details),
    hex('309403'),
  ]);
  const expected = Buffer.concat([hex('6b387300'), ld(0x0a, Buffer.concat([ld(0x0a, str('v1')), ld(0x12, str('Status'))])), ld(0x12, raw), hex('1a00 2200')]);
  t.equal(encodeProtobuf(samples.notFoundStatus).toString('hex'), expected.toString('hex'));
});

t.test('unknown kinds have no protobuf form', async (t) => {
  t.throws(() => encodeProtobuf({ kind: 'Table', apiVersion: 'meta.k8s.io/v1' }), /no protobuf encoding/);
});

// ---- field-by-field comparison of JSON and protoc --decode_raw output ----

type Kind = 'string' | 'int' | 'bool' | 'time' | 'duration' | 'quantityMap' | 'stringMap' | Spec | { repeated: Spec | 'string' };
interface Spec {
  [jsonName: string]: [number, Kind];
}

const TIME: Spec = {};
const listMeta: Spec = { selfLink: [1, 'string'], resourceVersion: [2, 'string'], continue: [3, 'string'] };
const objectMeta: Spec = {
  name: [1, 'string'],
  generateName: [2, 'string'],
  namespace: [3, 'string'],
  selfLink: [4, 'string'],
  uid: [5, 'string'],
  resourceVersion: [6, 'string'],
  generation: [7, 'int'],
  creationTimestamp: [8, 'time'],
  labels: [11, 'stringMap'],
};
const nodeMetrics: Spec = { metadata: [1, objectMeta], timestamp: [2, 'time'], window: [3, 'duration'], usage: [4, 'quantityMap'] };
const containerMetrics: Spec = { name: [1, 'string'], usage: [2, 'quantityMap'] };
const podMetrics: Spec = { metadata: [1, objectMeta], timestamp: [2, 'time'], window: [3, 'duration'], containers: [4, { repeated: containerMetrics }] };
const statusDetails: Spec = { name: [1, 'string'], group: [2, 'string'], kind: [3, 'string'], retryAfterSeconds: [5, 'int'], uid: [6, 'string'] };
const SPECS: Record<string, Spec> = {
  NodeMetrics: nodeMetrics,
  PodMetrics: podMetrics,
  NodeMetricsList: { metadata: [1, listMeta], items: [2, { repeated: nodeMetrics }] },
  PodMetricsList: { metadata: [1, listMeta], items: [2, { repeated: podMetrics }] },
  Status: { metadata: [1, listMeta], status: [2, 'string'], message: [3, 'string'], reason: [4, 'string'], details: [5, statusDetails], code: [6, 'int'] },
  APIResourceList: {
    groupVersion: [1, 'string'],
    resources: [
      2,
      {
        repeated: {
          name: [1, 'string'],
          namespaced: [2, 'bool'],
          kind: [3, 'string'],
          verbs: [4, { items: [1, { repeated: 'string' }] }],
          shortNames: [5, { repeated: 'string' }],
          singularName: [6, 'string'],
          categories: [7, { repeated: 'string' }],
          group: [8, 'string'],
          version: [9, 'string'],
          storageVersionHash: [10, 'string'],
        },
      },
    ],
  },
};
void TIME;

function one(raw: RawMessage, n: number): RawValue | undefined {
  const v = raw[String(n)];
  return v === undefined ? undefined : v[0];
}

/** Asserts that raw (protoc's view) carries json's fields under spec's numbers, and nothing unexplained. */
function compare(t: Test, raw: RawMessage, json: any, spec: Spec, path: string): void {
  const known = new Set(Object.values(spec).map(([n]) => String(n)));
  for (const f of Object.keys(raw)) t.ok(known.has(f), `${path}: field ${f} is one we expect`);
  for (const [name, [n, kind]] of Object.entries(spec)) {
    const p = `${path}.${name}#${n}`;
    const v = json?.[name];
    const values = raw[String(n)] ?? [];
    if (kind === 'string') t.equal(one(raw, n) ?? '', v ?? '', p);
    else if (kind === 'int') t.equal(one(raw, n) ?? 0, v ?? 0, p);
    else if (kind === 'bool') t.equal(one(raw, n) ?? 0, v ? 1 : 0, p);
    else if (kind === 'time') {
      const m = one(raw, n) as RawMessage | undefined;
      if (v === undefined) t.same(m ?? {}, {}, p);
      else t.same(m, { '1': [Math.floor(Date.parse(v) / 1000)], '2': [0] }, `${p} = whole seconds of ${v}`);
    } else if (kind === 'duration') {
      t.same(one(raw, n), { '1': [windowNanos(v)] }, `${p} = ${v} in ns`);
    } else if (kind === 'stringMap' || kind === 'quantityMap') {
      const entries = (values as RawMessage[]).map((e) => [one(e, 1), kind === 'stringMap' ? one(e, 2) : one(one(e, 2) as RawMessage, 1)]);
      t.same(entries, Object.entries(v ?? {}).sort(([a], [b]) => (a < b ? -1 : 1)), `${p} entries, keys sorted`);
    } else if ('repeated' in kind) {
      const arr: any[] = v ?? [];
      t.equal(values.length, arr.length, `${p} length`);
      arr.forEach((el, i) => {
        if (kind.repeated === 'string') t.equal(values[i], el, `${p}[${i}]`);
        else compare(t, values[i] as RawMessage, el, kind.repeated as Spec, `${p}[${i}]`);
      });
    } else {
      if (name === 'verbs') compare(t, (one(raw, n) as RawMessage) ?? {}, { items: v }, kind, p);
      else if (v === undefined) t.equal(one(raw, n), undefined, `${p} absent`);
      else compare(t, (one(raw, n) as RawMessage) ?? {}, v, kind, p);
    }
  }
}

// An independent reading of Go duration strings: "[<m>m]<s>[.<frac>]s".
function windowNanos(v: string): number {
  const m = /^(?:(\d+)m)?(\d+)(?:\.(\d+))?s$/.exec(v);
  if (!m) throw new Error(`unexpected window ${v}`);
  return Number(m[1] ?? 0) * 60e9 + Number(m[2]) * 1e9 + Number((m[3] ?? '').padEnd(9, '0'));
}

const protocMissing = protocUnavailable();

t.test('protoc --decode_raw of real responses matches the JSON responses field for field', { skip: protocMissing ?? false }, async (t) => {
  const objects: Record<string, object> = {
    NodeMetrics: samples.nodeMetrics,
    NodeMetricsList: samples.nodeMetricsList,
    PodMetrics: samples.podMetrics,
    PodMetricsList: samples.podMetricsList,
    Status: samples.notFoundStatus,
    APIResourceList: samples.apiResourceList,
  };
  const app = new Koa();
  app.use((ctx) => {
    const obj = objects[ctx.path.slice(1)];
    if (!obj) return;
    respond(ctx, obj, { discovery: ctx.path === '/APIResourceList' });
  });
  const srv = await serve(app);
  t.teardown(srv.close);
  for (const [kind, spec] of Object.entries(SPECS)) {
    await t.test(kind, async (t) => {
      const json = await get(`${srv.url}/${kind}`, { accept: 'application/json' });
      const pb = await get(`${srv.url}/${kind}`, { accept: `${PROTOBUF_MEDIA_TYPE}, */*` });
      const expectedStatus = kind === 'Status' ? 404 : 200;
      t.equal(json.status, expectedStatus);
      t.equal(pb.status, expectedStatus);
      t.equal(pb.headers['content-type'], PROTOBUF_MEDIA_TYPE);
      t.equal(pb.body.subarray(0, 4).toString('hex'), '6b387300', 'k8s magic');
      const wire = JSON.parse(json.body.toString('utf8'));
      const envelope = decodeRaw(pb.body.subarray(4));
      t.same(Object.keys(envelope).sort(), ['1', '2', '3', '4'], 'runtime.Unknown fields');
      t.same(envelope['1'], [{ '1': [wire.apiVersion], '2': [wire.kind] }], 'typeMeta{apiVersion=1, kind=2}');
      t.same(envelope['3'], [''], 'contentEncoding ""');
      t.same(envelope['4'], [''], 'contentType ""');
      compare(t, envelope['2']![0] as RawMessage, wire, spec, kind);
    });
  }
});

t.test('protobufjs round trip', async (t) => {
  const nm = decodeProtobuf(encodeProtobuf(samples.nodeMetrics));
  t.equal(nm.kind, 'NodeMetrics');
  t.equal(nm.apiVersion, 'metrics.k8s.io/v1beta1');
  t.match(nm.object, {
    metadata: { name: 'node-1', creationTimestamp: { seconds: 1714557605, nanos: 0 }, labels: samples.nodeMetrics.metadata.labels },
    timestamp: { seconds: 1714557600 },
    window: { duration: 15002000000 },
    usage: { cpu: { string: '123456789n' }, memory: { string: '11944Ki' } },
  });

  const pl = decodeProtobuf(encodeProtobuf(samples.podMetricsList));
  const items = pl.object['items'] as any[];
  t.equal(items.length, 2);
  t.equal(items[1].metadata.namespace, 'default');
  t.same(
    items[1].containers.map((c: any) => [c.name, c.usage.cpu.string, c.usage.memory.string]),
    [
      ['app', '4735432n', '12345678'],
      ['sidecar', '50m', '11944Ki'],
    ],
  );
  t.equal(items[1].window.duration, 14987000000);

  const st = decodeProtobuf(encodeProtobuf(samples.notFoundStatus));
  t.match(st.object, { status: 'Failure', reason: 'NotFound', code: 404, details: { name: 'node-1', group: 'metrics.k8s.io', kind: 'nodemetrics' } });

  const gl = decodeProtobuf(encodeProtobuf(samples.apiGroupList));
  t.match(gl.object, { groups: [{ name: 'metrics.k8s.io', preferredVersion: { version: 'v1beta1' }, serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0' }] }] });

  const empty = decodeProtobuf(encodeProtobuf({ kind: 'NodeMetricsList', apiVersion: 'metrics.k8s.io/v1beta1', metadata: {}, items: [] }));
  t.same(empty.object['items'] ?? [], []);

  t.throws(() => decodeProtobuf(Buffer.from('{}')), /expected prefix \[107 56 115 0\]/);
});

t.test('Go duration strings become exact nanoseconds', async (t) => {
  const cases: [string, number][] = [
    ['15.002s', 15_002_000_000],
    ['20.029s', 20_029_000_000],
    ['15.000065s', 15_000_065_000],
    ['1m0.5s', 60_500_000_000],
    ['1m1.234s', 61_234_000_000],
    ['1h0m0s', 3_600_000_000_000],
    ['500ms', 500_000_000],
    ['1.5µs', 1_500],
    ['999ns', 999],
    ['0s', 0],
    ['0', 0],
  ];
  for (const [s, ns] of cases) t.equal(durationNanos(s), ns, s);
  t.throws(() => durationNanos('15'), /missing unit in duration/);
  t.throws(() => durationNanos(''), /invalid duration/);
  t.throws(() => durationNanos('1x'), /unknown unit "x" in duration/);
});

t.test('maps are written in Go key order, integer-like keys included; lone surrogates as U+FFFD', async (t) => {
  const obj = {
    ...samples.nodeMetrics,
    metadata: { ...samples.nodeMetrics.metadata, labels: { b: '\ud800', '2': 'two', '10': 'ten' }, annotations: { '7': 'x', a: 'y' } },
    usage: { memory: '1Ki', cpu: '1n' },
  };
  const body = encodeProtobuf(obj);
  // A JS object lists '2' and '10' first, in numeric order; gogo sorts the keys as strings.
  const entry = (key: string) => body.indexOf(Buffer.concat([Buffer.from([0x0a, key.length]), Buffer.from(key)]));
  t.ok(entry('10') >= 0 && entry('10') < entry('2') && entry('2') < entry('b'), 'labels: "10", "2", "b"');
  t.ok(entry('7') < entry('a'), 'annotations: "7", "a"');
  t.ok(entry('cpu') < entry('memory'), 'usage: cpu, memory');
  t.ok(body.includes(Buffer.from([0xef, 0xbf, 0xbd])), 'U+FFFD for the lone surrogate');
  t.notOk(body.includes(Buffer.from([0xed, 0xa0, 0x80])), 'not its own bytes');
  const back = decodeProtobuf(body).object as any;
  t.same(back.metadata.labels, { '10': 'ten', '2': 'two', b: '\ufffd' }, 'read back as a map');
  t.same(back.usage, { cpu: { string: '1n' }, memory: { string: '1Ki' } });
});
