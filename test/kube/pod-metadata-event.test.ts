import { isDeepStrictEqual } from 'node:util';
import t from 'tap';
import { decodePodMetadata } from '../../src/kube/pod-cache.js';
import { PodMetadataEventDecoder } from '../../src/kube/pod-metadata-event.js';
import type { WatchEvent } from '../../src/kube/reflector.js';
import type { PodMeta } from '../../src/api/sources.js';
import { random } from '../helpers/random.js';

// What the reflector makes of a line through JSON.parse and decodePodMetadata
// (its path for every line the byte decoder leaves alone); 'throws' where it
// ends the watch (malformed JSON, ERROR events, unknown types).
function viaJsonParse(line: string): WatchEvent<PodMeta> | 'throws' {
  let ev: { type?: unknown; object?: { metadata?: { resourceVersion?: unknown } } };
  try {
    ev = JSON.parse(line) as typeof ev;
  } catch {
    return 'throws';
  }
  const rv = ev?.object?.metadata?.resourceVersion;
  const resourceVersion = typeof rv === 'string' ? rv : '';
  switch (ev?.type) {
    case 'ADDED':
    case 'MODIFIED':
    case 'DELETED':
      return { type: ev.type, decoded: decodePodMetadata(ev.object), resourceVersion };
    case 'BOOKMARK':
      return { type: 'BOOKMARK', decoded: undefined, resourceVersion };
    default:
      return 'throws';
  }
}

const decoder = new PodMetadataEventDecoder();
const decode = (line: string) => decoder.decode(Buffer.from(line, 'utf8'));

const meta = (m: object) => JSON.stringify({ type: 'ADDED', object: { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: m } });

// Lines the byte decoder reads itself: its answer must be JSON.parse's.
const read: [string, string][] = [
  ['PartialObjectMetadata', meta({ name: 'web-1', namespace: 'default', uid: 'u1', resourceVersion: '1001', creationTimestamp: '2026-11-22T17:00:00Z', labels: { app: 'web', tier: 'front' } })],
  ['MODIFIED', JSON.stringify({ type: 'MODIFIED', object: { metadata: { name: 'web-1', namespace: 'default', resourceVersion: '1002', labels: { app: 'web2' } } } })],
  ['DELETED', JSON.stringify({ type: 'DELETED', object: { metadata: { name: 'web-1', namespace: 'default', resourceVersion: '1003' } } })],
  ['BOOKMARK', JSON.stringify({ type: 'BOOKMARK', object: { kind: 'PartialObjectMetadata', metadata: { resourceVersion: '2000', annotations: { 'k8s.io/initial-events-end': 'true' } } } })],
  ['object before type', `{"object":{"metadata":{"labels":{"a":"1"},"namespace":"ns","name":"p"}},"type":"ADDED"}`],
  ['a full Pod (spec and status skipped)', JSON.stringify({ type: 'ADDED', object: { kind: 'Pod', metadata: { name: 'p', namespace: 'n', ownerReferences: [{ kind: 'ReplicaSet', name: 'rs', controller: true }], managedFields: [{ manager: 'kubelet', fieldsV1: { 'f:status': {} } }] }, spec: { containers: [{ name: 'c', ports: [{ containerPort: 80 }] }] }, status: { phase: 'Running', podIP: '10.0.0.1', conditions: null, x: [1.5e3, -2, true, false, null] } } })],
  ['pretty-printed', JSON.stringify({ type: 'ADDED', object: { metadata: { name: 'p', namespace: 'n', labels: { a: 'b' } } } }, null, 2).replace(/\n/g, '\r ')],
  ['escapes in name, namespace and labels', String.raw`{"type":"ADDED","object":{"metadata":{"name":"p\u0041\/x","namespace":"n\"s","labels":{"k\u00e9y":"v\n","plain":"x"}}}}`],
  ['UTF-8 label values', meta({ name: 'p', namespace: 'n', labels: { team: 'équipe', emoji: '🚀' } })],
  ['null labels', meta({ name: 'p', namespace: 'n', labels: null })],
  ['empty labels', meta({ name: 'p', namespace: 'n', labels: {} })],
  ['integer-like label keys', meta({ name: 'p', namespace: 'n', labels: { b: '1', '10': 'x', '9': 'y', a: '2' } })],
  ['duplicate label key: the last wins', `{"type":"ADDED","object":{"metadata":{"name":"p","namespace":"n","labels":{"a":"1","b":"2","a":"3"}}}}`],
  ['duplicate name: the last wins', `{"type":"ADDED","object":{"metadata":{"name":"p","namespace":"n","name":"q"}}}`],
  ['repeated object: the last wins', `{"type":"ADDED","object":{"metadata":{"name":"p","namespace":"n","labels":{"a":"1"}}},"object":{"metadata":{"name":"q","namespace":"m"}}}`],
  ['repeated object: nothing of the first is kept', `{"type":"ADDED","object":{"metadata":{"name":"p","namespace":"n","resourceVersion":"5","labels":{"a":"1"}}},"object":{"metadata":{"name":"q"}}}`],
  ['repeated metadata: nothing of the first is kept', `{"type":"ADDED","object":{"metadata":{"name":"p","namespace":"n","resourceVersion":"5","labels":{"a":"1"}},"metadata":{"name":"q"}}}`],
  ['repeated metadata: the last wins', `{"type":"MODIFIED","object":{"metadata":{"name":"p","namespace":"n"},"metadata":{"name":"q","namespace":"m","labels":{"b":"2"}}}}`],
  ['missing name: skipped object', meta({ namespace: 'n', resourceVersion: '7' })],
  ['empty namespace: skipped object', meta({ name: 'p', namespace: '', resourceVersion: '7' })],
  ['no metadata: skipped object', JSON.stringify({ type: 'ADDED', object: { kind: 'Pod' } })],
  ['no object: skipped object', JSON.stringify({ type: 'DELETED' })],
  ['no resourceVersion', meta({ name: 'p', namespace: 'n' })],
  ['surrounding whitespace', `  \t${meta({ name: 'p', namespace: 'n' })}\r`],
];

// Lines left to JSON.parse: undefined here, whatever the reflector then makes of them.
const leftAlone: [string, string][] = [
  ['ERROR event', JSON.stringify({ type: 'ERROR', object: { kind: 'Status', code: 410, reason: 'Expired', message: 'too old resource version' } })],
  ['unknown type', JSON.stringify({ type: 'SYNC', object: { metadata: { name: 'p', namespace: 'n' } } })],
  ['no type', JSON.stringify({ object: { metadata: { name: 'p', namespace: 'n' } } })],
  ['type not a string', JSON.stringify({ type: 1, object: {} })],
  ['name not a string', meta({ name: 5, namespace: 'n' })],
  ['label value not a string', meta({ name: 'p', namespace: 'n', labels: { a: 1, b: 'x' } })],
  ['labels an array', meta({ name: 'p', namespace: 'n', labels: ['a'] })],
  ['metadata null', JSON.stringify({ type: 'ADDED', object: { metadata: null } })],
  ['object null', JSON.stringify({ type: 'ADDED', object: null })],
  ['resourceVersion a number', meta({ name: 'p', namespace: 'n', resourceVersion: 12 })],
  ['"__proto__" label', `{"type":"ADDED","object":{"metadata":{"name":"p","namespace":"n","labels":{"__proto__":"x","a":"b"}}}}`],
  ['null line', 'null'],
  ['an array', '[1]'],
  ['truncated', '{"type":"ADDED","object":{"metadata":{"name":"p"'],
  ['trailing data', `${meta({ name: 'p', namespace: 'n' })} {}`],
  ['two events on one line', `${meta({ name: 'p', namespace: 'n' })}${meta({ name: 'q', namespace: 'n' })}`],
  ['bad escape', '{"type":"ADDED","object":{"metadata":{"name":"p\\x","namespace":"n"}}}'],
  ['control character in a string', '{"type":"ADDED","object":{"metadata":{"name":"p\u0001","namespace":"n"}}}'],
  ['single quotes', "{'type':'ADDED'}"],
  ['blank', '   '],
];

t.test('reads ADDED, MODIFIED, DELETED and BOOKMARK lines exactly as JSON.parse and decodePodMetadata do', async (t) => {
  for (const [what, line] of read) {
    const got = decode(line);
    t.not(got, undefined, `${what}: read from the bytes`);
    t.same(got, viaJsonParse(line), what);
    if (got?.decoded) t.same(Object.keys(got.decoded.item.labels), Object.keys((viaJsonParse(line) as WatchEvent<PodMeta>).decoded!.item.labels), `${what}: label order`);
  }
  t.same(decode(read[0]![1]), {
    type: 'ADDED',
    decoded: { key: 'default/web-1', item: { namespace: 'default', name: 'web-1', labels: { app: 'web', tier: 'front' } } },
    resourceVersion: '1001',
  });
  t.equal(decode(read[7]![1])?.decoded?.item.name, 'pA/x', 'escapes decoded');
});

t.test('leaves errors, unknown types, odd field types and malformed JSON to JSON.parse', async (t) => {
  for (const [what, line] of leftAlone) t.equal(decode(line), undefined, what);
});

t.test('invalid UTF-8 in a label value reads as U+FFFD, as toString and JSON.parse make it', async (t) => {
  const line = Buffer.concat([Buffer.from('{"type":"ADDED","object":{"metadata":{"name":"p","namespace":"n","labels":{"a":"x'), Buffer.from([0xff, 0xc3]), Buffer.from('"}}}}')]);
  const got = decoder.decode(line);
  t.same(got, viaJsonParse(line.toString('utf8')));
  t.equal(got?.decoded?.item.labels['a'], 'x\ufffd\ufffd');
});

t.test('strings held across many events stay right as the string table turns over', async (t) => {
  const d = new PodMetadataEventDecoder();
  // Enough events for the table to drop unread strings several times over.
  for (let i = 0; i < 20_000; i++) {
    const ns = `ns-${i % 7}`;
    const labels = { app: `app-${i % 13}`, [`k${i % 3}`]: `v${i}` };
    const line = meta({ name: `p-${i}`, namespace: ns, resourceVersion: String(i), labels });
    const got = d.decode(Buffer.from(line));
    if (got?.decoded?.item.namespace !== ns || JSON.stringify(got.decoded.item.labels) !== JSON.stringify(labels) || got.resourceVersion !== String(i)) {
      t.fail(`event ${i}: ${JSON.stringify(got)}`);
      return;
    }
  }
  t.pass('20,000 events read right');
});

t.test('mutated lines: read as JSON.parse reads them, or left to it', async (t) => {
  // Bytes flipped, grammar inserted, runs deleted, copied or upper-cased, lines cut: whatever
  // the byte decoder reads must be what the reflector's JSON.parse path makes of the line.
  const r = random(9);
  const GRAMMAR = ['{', '}', '[', ']', '"', ',', ':', '\\', '\\u00', 'null', 'true', '-', '0', '1e5', ' ', '\n', '\u0001', 'é', '\ud800', '"type"', '"object"', '"metadata"', '"name"', '"namespace"', '"labels"', '"resourceVersion"', '"ADDED"', '"BOOKMARK"', '"__proto__"'];
  const seeds = [...read.map(([, line]) => line), ...leftAlone.map(([, line]) => line)];
  const mutate = (line: string): Buffer => {
    let b = Buffer.from(line, 'utf8');
    for (let k = 1 + r.int(4); k > 0; k--) {
      const at = r.int(b.length + 1);
      const from = r.int(b.length + 1);
      switch (r.int(6)) {
        case 0:
          if (b.length > 0) b[r.int(b.length)] = r.int(256);
          break;
        case 1:
          b = Buffer.concat([b.subarray(0, at), Buffer.from(GRAMMAR[r.int(GRAMMAR.length)]!), b.subarray(at)]);
          break;
        case 2:
          b = Buffer.concat([b.subarray(0, at), b.subarray(Math.min(b.length, at + 1 + r.int(8)))]);
          break;
        case 3:
          b = Buffer.concat([b.subarray(0, at), b.subarray(from, from + r.int(40)), b.subarray(at)]);
          break;
        case 4:
          b = b.subarray(0, at);
          break;
        default:
          b = Buffer.concat([b.subarray(0, at), Buffer.from(b.subarray(from, from + r.int(20)).toString('latin1').toUpperCase(), 'latin1'), b.subarray(at + r.int(20))]);
      }
    }
    return b;
  };
  const d = new PodMetadataEventDecoder();
  let readHere = 0;
  for (let i = 0; i < 30_000; i++) {
    const line = mutate(seeds[r.int(seeds.length)]!);
    const got = d.decode(line);
    if (got === undefined) continue;
    readHere++;
    const want = viaJsonParse(line.toString('utf8'));
    const keys = (e: WatchEvent<PodMeta> | 'throws') => (e === 'throws' ? [] : Object.keys(e.decoded?.item.labels ?? {}));
    if (want === 'throws' || !isDeepStrictEqual(got, want) || !isDeepStrictEqual(keys(got), keys(want))) {
      t.fail(`line ${i}: ${JSON.stringify(line.toString('utf8'))} read as ${JSON.stringify(got)}, JSON.parse: ${JSON.stringify(want)}`);
      return;
    }
  }
  t.ok(readHere > 1_000, `${readHere} of 30,000 read from the bytes, each as JSON.parse reads it`);
});
