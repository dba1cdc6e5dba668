// Encode-once list cache: a cached list is byte-identical to a fresh one, whatever
// the second (creationTimestamp patched in compact JSON and protobuf, re-encoded
// otherwise), and is dropped when the store or a cache changes revision.
import t from 'tap';
import '../helpers/yaml-as-served.js';
import { CountingSlicer } from '../helpers/counting-slicer.js';
import { encodeYaml } from '../../src/api/codec/yaml.js';
import { get as httpGet, type IncomingMessage } from 'node:http';
import { gunzipSync } from 'node:zlib';
import { bodyInUse, useBody } from '../../src/api/codec/body-use.js';
import { compressed } from '../../src/api/codec/gzip.js';
import { encodeProtobuf } from '../../src/api/codec/index.js';
import { encodeJson } from '../../src/api/codec/json.js';
import type { Encoded } from '../../src/api/codec/index.js';
import { ListCache, patchFor, TimestampTally } from '../../src/api/list-cache.js';
import { podMetrics, podMetricsList } from '../../src/api/objects.js';
import type { PodMeta, PodUsage } from '../../src/api/sources.js';
import { FakeMetrics, FakeNodes, FakePods, startApi } from './fakes.js';

const T0 = Date.parse('2026-11-22T05:00:00.250Z');

function pods(n: number): PodMeta[] {
  const out: PodMeta[] = [];
  for (let i = 0; i < n; i++) out.push({ namespace: `ns-${i % 3}`, name: `pod-${String(i).padStart(4, '0')}`, labels: { app: `a${i % 5}`, tier: 'x' } });
  return out;
}

const usage = (i: number): PodUsage => ({
  timestampMs: T0 - 2000 - (i % 2) * 1000,
  windowNs: 15_000_000_000 + i,
  containers: [{ name: 'main', usage: { cpuNanocores: 1_000_000 + i * 1000, memoryBytes: 1024 * (1000 + i) } }],
});

function list(nowMs: number, meta: PodMeta[]) {
  return podMetricsList(meta.map((p, i) => podMetrics(p, usage(i), nowMs)));
}

/** Whether two buffers are the same memory (small bodies share Node's Buffer pool: offsets count). */
const sameMemory = (a: Buffer, b: Buffer) => a.buffer === b.buffer && a.byteOffset === b.byteOffset;

const enc = (body: Buffer): Encoded => ({ status: 200, contentType: 'x', body, headers: {} });

t.test('patching creationTimestamp gives the bytes of a fresh encoding', async (t) => {
  const meta = pods(50);
  for (const [media, encode] of [
    ['json', (o: object) => Buffer.from(encodeJson(o))],
    ['yaml', (o: object) => Buffer.from(encodeYaml(o))],
    ['protobuf', (o: object) => encodeProtobuf(o)],
  ] as const) {
    const cache = new ListCache();
    const s0 = Math.floor(T0 / 1000);
    const e0 = enc(encode(list(T0, meta)));
    const patch = await patchFor(e0, media, s0, meta.length);
    t.ok(patch, `${media}: offsets found`);
    cache.set('k', 'r1', s0, e0, patch, new TimestampTally());
    t.equal(cache.get('k', 'r1', s0)?.enc.body, e0.body, `${media}: same second, same buffer`);
    // As a response writing it would: a body in use is never rewritten.
    const release = useBody(e0.body);
    for (const later of [1, 7, 3600]) {
      const got = cache.get('k', 'r1', s0 + later)!;
      t.ok(got, `${media}: served ${later}s later`);
      t.same(got.enc.body, encode(list(T0 + later * 1000, meta)), `${media}: +${later}s equals a fresh encoding`);
    }
    t.same(e0.body, encode(list(T0, meta)), `${media}: the first body, still in use, was not modified`);
    release();
    t.equal(cache.get('k', 'r2', s0), undefined, `${media}: another revision misses`);
    t.equal(cache.size, 0, `${media}: and drops the entry`);
  }
});

t.test('a new second rewrites the body before last in place once nothing reads it, else copies', async (t) => {
  const meta = pods(30);
  const s0 = Math.floor(T0 / 1000);
  const fresh = (s: number) => Buffer.from(encodeJson(list(s * 1000 + 250, meta)));
  const cache = new ListCache();
  const e0 = enc(fresh(s0));
  cache.set('k', 'r', s0, e0, await patchFor(e0, 'json', s0, meta.length), new TimestampTally());
  const b0 = e0.body;
  const b1 = cache.get('k', 'r', s0 + 1)!.enc.body;
  t.notOk(sameMemory(b1, b0), 'no earlier body to rewrite yet: a copy');
  const b2 = cache.get('k', 'r', s0 + 2)!.enc.body;
  t.ok(sameMemory(b2, b0), 'the body before last, unused: its memory rewritten');
  t.not(b2, b0, 'handed out as a new Buffer object');
  t.same(b2, fresh(s0 + 2), 'with the bytes of a fresh encoding');
  t.same(b1, fresh(s0 + 1), 'the last body untouched');

  // The last-but-one body is read (a response or a compression): a copy instead.
  const release = useBody(b1);
  const b3 = cache.get('k', 'r', s0 + 3)!.enc.body;
  t.notOk(sameMemory(b3, b1), 'in use: not rewritten');
  t.same(b1, fresh(s0 + 1), 'and its bytes unchanged');
  t.same(b3, fresh(s0 + 3));
  release();
  t.notOk(bodyInUse(b1), 'released');
  const b4 = cache.get('k', 'r', s0 + 4)!.enc.body;
  t.ok(sameMemory(b4, b2), 'the body before last (b2) rewritten');
  t.same(b4, fresh(s0 + 4));

  // A compression under way keeps its body; a rewritten body never gets the old gzip form.
  const z3 = compressed(b3);
  t.ok(bodyInUse(b3), 'compressing: in use');
  const b5 = cache.get('k', 'r', s0 + 5)!.enc.body;
  t.notOk(sameMemory(b5, b3), 'not rewritten while compressing');
  t.same(gunzipSync(await z3), fresh(s0 + 3), 'the compression read the bytes of its own second');
  t.notOk(bodyInUse(b3), 'compression done: released');
  const b6 = cache.get('k', 'r', s0 + 6)!.enc.body;
  t.same(b6, fresh(s0 + 6));
  t.same(gunzipSync(await compressed(b6)), fresh(s0 + 6), 'b6 compressed (and done) before its memory is rewritten');
  const b7 = cache.get('k', 'r', s0 + 7)!.enc.body;
  t.ok(sameMemory(b7, b5));
  t.same(gunzipSync(await compressed(b7)), fresh(s0 + 7), 'gzip of a rewritten body is of its new bytes');
  const b8 = cache.get('k', 'r', s0 + 8)!.enc.body;
  t.ok(sameMemory(b8, b6));
  t.same(gunzipSync(await compressed(b8)), fresh(s0 + 8), 'not the gzip form of b6');
});

t.test('an earlier second\'s body is kept for rewriting only briefly', async (t) => {
  const meta = pods(30);
  const s0 = Math.floor(T0 / 1000);
  const cache = new ListCache({ spareMs: 20 });
  const e0 = enc(Buffer.from(encodeJson(list(T0, meta))));
  cache.set('k', 'r', s0, e0, await patchFor(e0, 'json', s0, meta.length), new TimestampTally());
  cache.get('k', 'r', s0 + 1);
  await new Promise((resolve) => setTimeout(resolve, 60));
  const b2 = cache.get('k', 'r', s0 + 2)!.enc.body;
  t.notOk(sameMemory(b2, e0.body), 'the body of two seconds before was let go: a copy');
  t.same(b2, Buffer.from(encodeJson(list((s0 + 2) * 1000 + 250, meta))));
  const b3 = cache.get('k', 'r', s0 + 3)!.enc.body;
  t.notOk(sameMemory(b3, e0.body));
  const b4 = cache.get('k', 'r', s0 + 4)!.enc.body;
  t.ok(sameMemory(b4, b2), 'within the time: rewritten');
});

t.test('useBody counts readers; a release is idempotent', async (t) => {
  const b = Buffer.alloc(4);
  const r1 = useBody(b);
  const r2 = useBody(b);
  r1();
  r1();
  t.ok(bodyInUse(b), 'one reader left');
  r2();
  t.notOk(bodyInUse(b));
});

t.test('routes: a body still queued on a slow connection is not patched for later seconds', async (t) => {
  let now = T0;
  const meta = pods(40_000); // ~12 MB of JSON: more than the loopback socket buffers take at once
  const metrics = new FakeMetrics(new Map(), new Map(meta.map((p, i) => [`${p.namespace}/${p.name}`, usage(i)])));
  const h = await startApi({ metrics, nodes: new FakeNodes([]), pods: new FakePods(meta), securePort: 443, now: () => now });
  t.teardown(() => h.close());
  const url = `${h.url}/apis/metrics.k8s.io/v1beta1/pods`;
  // A reader that takes the headers, then stops reading.
  const slow = await new Promise<IncomingMessage>((resolve, reject) => httpGet(url, { headers: { accept: 'application/json' } }, resolve).on('error', reject));
  slow.pause();
  // Later seconds: the first copies, then the bodies of fetches already read are rewritten in place.
  for (let i = 1; i <= 4; i++) {
    now = T0 + i * 1000;
    const r = await fetch(url, { headers: { accept: 'application/json' } });
    t.equal(r.status, 200);
    const got = JSON.parse(Buffer.from(await r.arrayBuffer()).toString('utf8')) as { items: { metadata: { creationTimestamp: string } }[] };
    t.same([...new Set(got.items.map((it) => it.metadata.creationTimestamp))], [new Date(now).toISOString().replace(/\.\d+Z$/, 'Z')], `+${i}s: its own second`);
  }
  const chunks: Buffer[] = [];
  slow.on('data', (c: Buffer) => chunks.push(c));
  slow.resume();
  await new Promise((resolve) => slow.on('end', resolve));
  const items = (JSON.parse(Buffer.concat(chunks).toString('utf8')) as { items: { metadata: { creationTimestamp: string } }[] }).items;
  t.equal(items.length, meta.length);
  t.same([...new Set(items.map((it) => it.metadata.creationTimestamp))], ['2026-11-22T05:00:00Z'], 'the slow response holds its own second to the end');
});

t.test('a label key spelled creationTimestamp disables patching', async (t) => {
  const meta = pods(3);
  meta[1] = { ...meta[1]!, labels: { creationTimestamp: '2026-11-22T05:00:00Z' } };
  const body = Buffer.from(encodeJson(list(T0, meta)));
  t.equal(await patchFor(enc(body), 'json', Math.floor(T0 / 1000), 3), undefined);
  const cache = new ListCache();
  cache.set('k', 'r', Math.floor(T0 / 1000), enc(body), undefined, new TimestampTally());
  t.equal(cache.get('k', 'r', Math.floor(T0 / 1000) + 1), undefined, 'not patchable: per second');
});

t.test('bounded by bytes and entries', async (t) => {
  const cache = new ListCache({ maxBytes: 100, maxEntries: 2 });
  const b = (n: number) => enc(Buffer.alloc(n));
  cache.set('a', 'r', 1, b(40), undefined, new TimestampTally());
  cache.set('b', 'r', 1, b(40), undefined, new TimestampTally());
  cache.set('c', 'r', 1, b(40), undefined, new TimestampTally());
  t.equal(cache.size, 2);
  t.equal(cache.get('a', 'r', 1), undefined, 'oldest evicted');
  cache.set('d', 'r', 1, b(101), undefined, new TimestampTally());
  t.equal(cache.get('d', 'r', 1), undefined, 'larger than the budget: not kept');
  cache.set('e', 'r2', 1, b(10), undefined, new TimestampTally());
  t.equal(cache.size, 1, 'older revisions dropped on insert');
});

t.test('entries of an older revision are let go soon after it moves on, not at the next list', async (t) => {
  let revision = 'r1';
  const cache = new ListCache({ currentRevision: () => revision, pruneMs: 10 });
  const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
  cache.set('a', 'r1', 1, enc(Buffer.alloc(40)), undefined, new TimestampTally());
  cache.set('b', 'r1', 1, enc(Buffer.alloc(40)), undefined, new TimestampTally());
  await wait(40);
  t.equal(cache.size, 2, 'kept while their revision is current');
  t.ok(cache.get('a', 'r1', 1), 'and served');
  revision = 'r2';
  await wait(40);
  t.equal(cache.size, 0, 'dropped once it moved on, with no list asked for');
  // Checking stops with nothing held and starts again with the next entry.
  cache.set('c', 'r2', 1, enc(Buffer.alloc(40)), undefined, new TimestampTally());
  revision = 'r3';
  await wait(40);
  t.equal(cache.size, 0, 'the next entry is checked too');
  const untimed = new ListCache();
  untimed.set('d', 'r1', 1, enc(Buffer.alloc(40)), undefined, new TimestampTally());
  await wait(40);
  t.equal(untimed.size, 1, 'without currentRevision: dropped only at the next get or set, as before');
});

t.test('routes: repeated lists are served from the cache until a revision moves; freshness observed per item', async (t) => {
  let now = T0;
  const meta = pods(20);
  const nodes = new FakeNodes([]);
  const podLister = new FakePods(meta);
  const metrics = new FakeMetrics(new Map(), new Map(meta.map((p, i) => [`${p.namespace}/${p.name}`, usage(i)])));
  let reads = 0;
  const getPodUsage = metrics.getPodUsage.bind(metrics);
  metrics.getPodUsage = (keys) => {
    reads++;
    return getPodUsage(keys);
  };
  let observed = 0;
  const h = await startApi({ metrics, nodes, pods: podLister, securePort: 443, now: () => now, observer: { freshness: (_s, n = 1) => void (observed += n) } });
  t.teardown(() => h.close());
  const get = async (path: string, accept = 'application/json') => {
    const r = await fetch(h.url + path, { headers: { accept } });
    return Buffer.from(await r.arrayBuffer());
  };
  const path = '/apis/metrics.k8s.io/v1beta1/pods?labelSelector=tier%3Dx';
  for (const accept of [
    'application/json',
    'application/vnd.kubernetes.protobuf',
    'application/yaml',
    // kubectl get podmetrics -A; its rows' objects carry creationTimestamp.
    'application/json;as=Table;v=v1;g=meta.k8s.io,application/json',
    'application/yaml;as=Table;v=v1;g=meta.k8s.io',
    'application/json;as=PartialObjectMetadataList;v=v1;g=meta.k8s.io',
    'application/vnd.kubernetes.protobuf;as=PartialObjectMetadataList;v=v1;g=meta.k8s.io',
    'application/json;pretty=1',
    'application/json;as=Table;v=v1;g=meta.k8s.io;pretty=1',
  ]) {
    reads = 0;
    observed = 0;
    now = T0;
    const first = await get(path, accept);
    const again = await get(path, accept);
    t.same(again, first, `${accept}: repeat is identical`);
    t.equal(reads, 1, `${accept}: store read once`);
    t.equal(observed, 40, `${accept}: freshness observed for every item of both responses`);
    now = T0 + 2000;
    const later = await get(path, accept);
    t.equal(reads, 1, `${accept}: patched for a new second`);
    t.not(later.toString('latin1'), first.toString('latin1'), `${accept}: the new second's creationTimestamp`);
    metrics.revision++;
    const fresh = await get(path, accept);
    t.equal(later.toString('latin1'), fresh.toString('latin1'), `${accept}: the body served 2 s later equals a fresh encoding`);
    t.equal(reads, 2, `${accept}: a new store revision re-reads`);
    podLister.revision++;
    await get(path, accept);
    t.equal(reads, 3, `${accept}: a new pod cache revision re-reads`);
  }
});

t.test('a large body is searched for its creationTimestamps a time slice at a time, finding the same', async (t) => {
  const meta = pods(3000);
  const s0 = Math.floor(T0 / 1000);
  for (const [media, body] of [
    ['json', Buffer.from(encodeJson(list(T0, meta)))],
    ['yaml', Buffer.from(encodeYaml(list(T0, meta)))],
  ] as const) {
    const whole = await patchFor(enc(body), media, s0, meta.length);
    const slicer = new CountingSlicer();
    const sliced = await patchFor(enc(body), media, s0, meta.length, slicer);
    t.ok(whole && sliced, `${media}: found`);
    t.same(sliced!.offsets, whole!.offsets, `${media}: the same offsets`);
    t.equal(slicer.yields, 2, `${media}: yielded after every 1,024 found`);
  }
});
