// Lists encoded through the wire objects a slice at a time (pretty JSON, YAML,
// Tables, PartialObjectMetadataLists, rows the row writers decline) must be the
// bytes of encoding them whole.
import t from 'tap';
import '../helpers/yaml-as-served.js';
import { encodeNegotiated, negotiate, type RequestView } from '../../src/api/codec/index.js';
import { encodeObjectsSliced } from '../../src/api/list-writer/objects-sliced.js';
import { listObject, type MetricsRows, type NodeRows, type PodRow, type PodRows } from '../../src/api/metrics-rows.js';
import { TimeSlicer } from '../../src/util/time-slice.js';
import { YamlSeqParts } from '../../src/api/codec/yaml-sliced.js';
import { random } from '../helpers/random.js';

const NOW = Date.parse('2026-11-23T02:00:00.750Z');

function view(accept: string, query: Record<string, string> = {}): RequestView {
  return { get: (f) => (f === 'accept' ? accept : ''), query };
}

function podRows(n: number): PodRows {
  const rows: PodRow[] = [];
  for (let i = 0; i < n; i++) {
    const labels: Record<string, string> = i % 4 === 0 ? {} : { app: `a${i % 3}`, '10': 'x', '2': 'y' };
    if (i % 97 === 0) labels['html'] = '<b>&</b>\u2028';
    rows.push({
      pod: { namespace: `ns-${i % 3}`, name: `pod-${i}`, labels },
      usage: {
        timestampMs: NOW - 2000 - (i % 3) * 1000,
        windowNs: 15_000_000_000 + (i % 5) * 1_000_000,
        containers: Array.from({ length: 1 + (i % 3) }, (_, c) => ({ name: `c${c}`, usage: { cpuNanocores: i * 1_000_003 + c, memoryBytes: (i + 1) * 1_048_575 + c } })),
      },
    });
  }
  return { kind: 'PodMetricsList', nowMs: NOW, rows };
}

const nodeRows: NodeRows = {
  kind: 'NodeMetricsList',
  nowMs: NOW,
  rows: Array.from({ length: 600 }, (_, i) => ({
    node: { name: `node-${i}`, labels: { 'kubernetes.io/hostname': `node-${i}` } },
    usage: { timestampMs: NOW - 3000, windowNs: 15_000_000_000, usage: { cpuNanocores: i * 7_000_001, memoryBytes: i * 3_000_000_000 } },
  })),
};

const TABLE = 'application/json;as=Table;v=v1;g=meta.k8s.io';
const CASES: [string, string, Record<string, string>][] = [
  ['pretty JSON', 'application/json', { pretty: 'true' }],
  ['compact JSON', 'application/json', {}],
  ['Table (Metadata)', TABLE, {}],
  ['Table (Object)', TABLE, { includeObject: 'Object' }],
  ['Table (None), pretty', TABLE, { includeObject: 'None', pretty: '1' }],
  ['Table v1beta1', 'application/json;as=Table;v=v1beta1;g=meta.k8s.io', {}],
  ['a bad includeObject', TABLE, { includeObject: 'Everything' }],
  ['YAML', 'application/yaml', {}],
  ['Table as YAML', 'application/yaml;as=Table;v=v1;g=meta.k8s.io', { includeObject: 'Object' }],
  ['PartialObjectMetadataList', 'application/json;as=PartialObjectMetadataList;v=v1;g=meta.k8s.io', {}],
  ['PartialObjectMetadataList, pretty', 'application/json;as=PartialObjectMetadataList;v=v1;g=meta.k8s.io', { pretty: 'true' }],
  ['PartialObjectMetadataList as YAML', 'application/yaml;as=PartialObjectMetadataList;v=v1beta1;g=meta.k8s.io', {}],
];

t.test('the same bytes as encoding the list whole, yielding between slices', async (t) => {
  for (const [what, rows] of [
    ['700 pods', podRows(700)],
    ['600 nodes', nodeRows],
    ['one pod', podRows(1)],
    ['no pods', podRows(0)],
  ] as [string, MetricsRows][]) {
    for (const [how, accept, query] of CASES) {
      const ctx = view(accept, query);
      const n = negotiate(ctx, { resource: true });
      const whole = encodeNegotiated(ctx, listObject(rows), n);
      let yields = 0;
      const slicer = new TimeSlicer(0);
      const next = slicer.next.bind(slicer);
      slicer.next = () => (yields++, next());
      const sliced = await encodeObjectsSliced(ctx, rows, n, slicer);
      t.ok(sliced, `${what}, ${how}: encoded`);
      t.equal(sliced!.status, whole.status, `${what}, ${how}: status ${whole.status}`);
      t.equal(sliced!.contentType, whole.contentType, `${what}, ${how}: content type`);
      t.equal(sliced!.body.toString('utf8'), whole.body.toString('utf8'), `${what}, ${how}: bytes`);
      if (rows.rows.length > 256 && whole.status === 200) t.ok(yields > 2, `${what}, ${how}: yielded ${yields} times`);
    }
  }
});

t.test('protobuf PartialObjectMetadataLists and PartialObjectMetadata of a list (406) are left to the whole-object encoder', async (t) => {
  for (const accept of ['application/vnd.kubernetes.protobuf;as=PartialObjectMetadataList;v=v1;g=meta.k8s.io', 'application/json;as=PartialObjectMetadata;v=v1;g=meta.k8s.io']) {
    const ctx = view(accept);
    t.equal(await encodeObjectsSliced(ctx, podRows(3), negotiate(ctx, { resource: true }), new TimeSlicer(0)), undefined, accept);
  }
});

t.test("YAML items of the API's shapes are written directly; the library writes only the others", async (t) => {
  const list = listObject(podRows(700));
  const parts = new YamlSeqParts(list, 'items');
  parts.add(list.items);
  // Only the pods whose label value holds markup and a line separator (every 97th).
  t.equal(parts.fallbacks, 8);
  t.equal((await parts.finish(list, new TimeSlicer(Infinity))).toString('utf8'), encodeNegotiated(view('application/yaml'), list, negotiate(view('application/yaml'), { resource: true })).body.toString('utf8'));
});

t.test('random names and labels, YAML-hostile ones among them: the same bytes as encoding the list whole', async (t) => {
  // Text YAML reads as something else unless quoted: indicators, comments, booleans and nulls of
  // YAML 1.1 and 1.2, numbers in every base, dates, document markers, line breaks, a BOM.
  const PIECES = ['a', 'x', '0', '10', '1e3', '0x1F', '.5', '-', ':', ': ', ' ', '#', ' #', '~', 'null', 'true', 'yes', 'No', 'off', 'y', '<<', '"', "'", '\\', '\n', '\t', '\u0000', '\u0085', '\u2028', '\ufeff', 'é', '😀', '[', '{', ',', '&', '*', '!', '|', '>', '%', '@', '`', '?', '2026-11-23', '2026-11-23T02:00:00Z', '12:30', '1_000', '+1', '.inf', '0o17', '08', '-0', '---', '...'];
  const r = random(23);
  const text = () => (r.int(10) === 0 ? '' : Array.from({ length: 1 + r.int(4) }, () => PIECES[r.int(PIECES.length)]).join(''));
  const labels = () => Object.fromEntries(Array.from({ length: r.int(4) }, () => [text(), text()]));
  const quantity = () => r.int(2 ** 31);
  let items = 0;
  for (let i = 0; i < 400; i++) {
    const usage = { timestampMs: NOW - 1000 * r.int(5), windowNs: 15_000_000_000 + r.int(3) * 1_000_000 };
    const n = r.int(5);
    const rows: MetricsRows =
      r.int(4) === 0
        ? { kind: 'NodeMetricsList', nowMs: NOW, rows: Array.from({ length: n }, () => ({ node: { name: text(), labels: labels() }, usage: { ...usage, usage: { cpuNanocores: quantity(), memoryBytes: quantity() * 1024 } } })) }
        : {
            kind: 'PodMetricsList',
            nowMs: NOW,
            rows: Array.from({ length: n }, () => ({ pod: { namespace: text(), name: text(), labels: labels() }, usage: { ...usage, containers: Array.from({ length: 1 + r.int(2) }, () => ({ name: text(), usage: { cpuNanocores: quantity(), memoryBytes: quantity() } })) } })),
          };
    items += rows.rows.length;
    const [how, accept, query] = CASES[r.int(CASES.length)]!;
    const ctx = view(accept, query);
    const n2 = negotiate(ctx, { resource: true });
    const whole = encodeNegotiated(ctx, listObject(rows), n2);
    const sliced = await encodeObjectsSliced(ctx, rows, n2, new TimeSlicer(0));
    if (sliced?.status !== whole.status || sliced.body.toString('utf8') !== whole.body.toString('utf8')) {
      t.fail(`list ${i}, ${how}: ${JSON.stringify(rows.rows)}\nsliced: ${sliced?.body.toString('utf8')}\nwhole:  ${whole.body.toString('utf8')}`);
      return;
    }
  }
  t.ok(items > 600, `400 random lists of ${items} items in every encoding: the same bytes`);
});
