import t, { type Test } from 'tap';
import { KubeConfig } from '@kubernetes/client-node';
import { silentLogger } from '../../src/log.js';
import type { WatchObserver } from '../../src/observers.js';
import { PodCache, POD_LIST_ACCEPT, POD_WATCH_ACCEPT, decodePodMetadata } from '../../src/kube/pod-cache.js';
import { RestClient } from '../../src/kube/rest-client.js';
import type { PodMeta } from '../../src/api/sources.js';
import { SORT_RUN } from '../../src/util/sort-sliced.js';
import { CountingSlicer } from '../helpers/counting-slicer.js';
import { FakeApiServer, waitFor } from './fake-apiserver.js';
import { random } from '../helpers/random.js';

const fastBackoff = { initialMs: 10, maxMs: 50, resetMs: 60_000, jitter: 0 };

function pod(ns: string, name: string, labels: Record<string, string> = { app: name.split('-')[0]! }) {
  return { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: { name, namespace: ns, labels, uid: `${ns}-${name}` } };
}

function recordingObserver() {
  const events: string[] = [];
  const obs: WatchObserver = {
    watchOpened: (r) => events.push(`open:${r}`),
    watchClosed: (r) => events.push(`close:${r}`),
    relist: (r, cause) => events.push(`relist:${r}:${cause}`),
  };
  return { events, obs };
}

/** The cache holds exactly the server's objects: same keys and labels, nothing twice. */
function assertMirrors(t: Test, cache: PodCache, server: FakeApiServer): void {
  const listed = cache.list().map((p) => `${p.namespace}/${p.name}`);
  t.equal(new Set(listed).size, listed.length, 'no entry duplicated');
  t.equal(cache.size, listed.length, 'size agrees with list()');
  t.same([...listed].sort(), [...server.objects.keys()].sort(), 'no entry lost, none stale');
  for (const [k, o] of server.objects) {
    const [ns, name] = k.split('/');
    t.same(cache.get(ns!, name!)?.labels, (o.metadata as { labels?: object }).labels ?? {}, `labels of ${k}`);
  }
}

function mirrors(cache: PodCache, server: FakeApiServer): boolean {
  if (cache.size !== server.objects.size) return false;
  for (const k of server.objects.keys()) {
    const [ns, name] = k.split('/');
    const c = cache.get(ns!, name!);
    const want = JSON.stringify((server.objects.get(k)!.metadata as { labels?: object }).labels ?? {});
    if (!c || JSON.stringify(c.labels) !== want) return false;
  }
  return true;
}

async function setup(t: Test, podsAtStart = 30) {
  const server = new FakeApiServer('/api/v1/pods');
  await server.listen();
  for (let i = 0; i < podsAtStart; i++) server.put(pod(i % 3 ? 'default' : 'kube-system', `web-${i}`));
  const client = new RestClient(server.kubeConfig());
  const { events, obs } = recordingObserver();
  const cache = new PodCache({ client, log: silentLogger(), observer: obs, backoff: fastBackoff, pageSize: 7, watchTimeoutSec: () => 30 });
  t.teardown(async () => {
    await cache.stop();
    await client.close();
    await server.close();
  });
  cache.start();
  await cache.waitForSync();
  await waitFor(() => server.openWatches === 1, 'the watch to open');
  return { server, cache, client, events };
}

t.test('lists metadata-only Running pods page by page, then watches from the list resourceVersion', async (t) => {
  const { server, cache } = await setup(t);
  assertMirrors(t, cache, server);
  const lists = server.requests.filter((r) => r.query.get('watch') !== 'true');
  t.ok(lists.length >= 5, 'paged: 30 pods at limit 7');
  const first = lists[0]!;
  t.equal(first.accept, POD_LIST_ACCEPT, 'PartialObjectMetadataList Accept header');
  t.equal(first.query.get('fieldSelector'), 'status.phase=Running', 'server-side Running filter');
  t.equal(first.query.get('limit'), '7');
  t.equal(first.query.get('resourceVersion'), '0', 'first list may be served from the watch cache');
  for (const r of lists.slice(1)) {
    t.ok(r.query.get('continue'), 'later pages follow the continue token');
    t.equal(r.query.get('resourceVersion'), null, 'no resourceVersion with continue');
  }
  t.equal(first.authorization, `Bearer ${server.token}`, 'bearer token from the kubeconfig');
  const watch = server.requests.find((r) => r.query.get('watch') === 'true')!;
  t.equal(watch.accept, POD_WATCH_ACCEPT, 'PartialObjectMetadata Accept header on the watch');
  t.equal(watch.query.get('fieldSelector'), 'status.phase=Running');
  t.equal(watch.query.get('allowWatchBookmarks'), 'true');
  t.equal(watch.query.get('resourceVersion'), '1030', 'watch starts at the list resourceVersion');
  t.equal(watch.query.get('timeoutSeconds'), '30');
});

t.test('applies ADDED, MODIFIED and DELETED events and bumps the revision', async (t) => {
  const { server, cache } = await setup(t, 3);
  const rev0 = cache.revision;
  server.put(pod('default', 'api-1', { app: 'api', tier: 'backend' }));
  server.put(pod('default', 'web-1', { app: 'web', version: 'v2' }));
  server.delete('default/web-2');
  await waitFor(() => mirrors(cache, server), 'events applied');
  assertMirrors(t, cache, server);
  t.ok(cache.revision >= rev0 + 3, 'revision bumped per change');
  t.same(cache.list('default').map((p) => p.name).sort(), ['api-1', 'web-1']);
  t.same(cache.list('kube-system').map((p) => p.name), ['web-0']);
  t.same(cache.list('nowhere'), []);
});

t.test('watch lines split across writes, blank lines, and lines only JSON.parse reads all apply in order', async (t) => {
  const { server, cache, events } = await setup(t, 0);
  const line = (type: string, name: string, rv: number, labels: object | number = { app: 'x' }) =>
    JSON.stringify({ type, object: { metadata: { name, namespace: 'default', resourceVersion: String(rv), labels } } }) + '\n';
  const added = line('ADDED', 'split-1', 2001);
  server.writeWatches(added.slice(0, 17));
  await new Promise((r) => setTimeout(r, 20));
  server.writeWatches(added.slice(17, 40));
  await new Promise((r) => setTimeout(r, 20));
  // The rest of split-1, a blank line, then (in one write) a pod whose label is not a string and one that is fine.
  server.writeWatches(added.slice(40) + '\r\n' + line('ADDED', 'odd-labels', 2002, { app: 1, tier: 'web' }) + line('ADDED', 'plain', 2003));
  await waitFor(() => cache.size === 3, 'three pods');
  t.same(cache.get('default', 'split-1')?.labels, { app: 'x' });
  t.same(cache.get('default', 'odd-labels')?.labels, { tier: 'web' }, 'non-string label values dropped, as from a list');
  server.writeWatches(line('DELETED', 'split-1', 2004) + '\n\n' + line('MODIFIED', 'plain', 2005, { app: 'y' }));
  await waitFor(() => cache.size === 2 && cache.get('default', 'plain')?.labels['app'] === 'y', 'delete and modify applied');
  server.endWatches();
  await waitFor(() => server.openWatches === 1, 'watch reopened');
  t.equal(server.requests.filter((r) => r.query.get('watch') === 'true').at(-1)!.query.get('resourceVersion'), '2005', 'resumes after the last event');
  t.notOk(events.some((e) => e.startsWith('relist:pods:error')), 'no error relist');
});

t.test('a cleanly ended watch resumes from the last resourceVersion without relisting', async (t) => {
  const { server, cache, events } = await setup(t, 5);
  server.put(pod('default', 'late-1'));
  await waitFor(() => mirrors(cache, server), 'event applied');
  server.bookmark();
  const listsBefore = server.requests.filter((r) => r.query.get('watch') !== 'true').length;
  const rvAtEnd = server.rv;
  server.endWatches();
  server.put(pod('default', 'during-gap')); // happens while no watch is open
  await waitFor(() => mirrors(cache, server), 'gap event replayed');
  const watches = server.requests.filter((r) => r.query.get('watch') === 'true');
  t.equal(watches.at(-1)!.query.get('resourceVersion'), String(rvAtEnd), 'resumed at the last seen resourceVersion');
  t.equal(server.requests.filter((r) => r.query.get('watch') !== 'true').length, listsBefore, 'no relist');
  t.ok(events.includes('close:pods'), 'watch close observed');
  t.equal(events.filter((e) => e === 'open:pods').length, 2, 'watch reopened');
  assertMirrors(t, cache, server);
});

t.test('a bookmark moves the resume point', async (t) => {
  const { server, cache } = await setup(t, 2);
  server.put(pod('other', 'x-1')); // rv 1003
  await waitFor(() => mirrors(cache, server), 'event applied');
  // Changes outside our field selector advance the resourceVersion; the server tells us via a bookmark.
  server.rv += 50;
  server.bookmark();
  await new Promise((r) => setTimeout(r, 50));
  server.endWatches();
  await waitFor(() => server.openWatches === 1, 'watch reopened');
  t.equal(server.requests.filter((r) => r.query.get('watch') === 'true').at(-1)!.query.get('resourceVersion'), String(server.rv));
});

t.test('a broken watch stream relists and loses or duplicates nothing', async (t) => {
  const { server, cache, events } = await setup(t, 40);
  server.put(pod('default', 'new-1'));
  server.delete('default/web-1');
  await waitFor(() => mirrors(cache, server), 'events applied');
  server.breakWatches();
  // Changes while disconnected: adds, relabels, deletes.
  server.put(pod('default', 'new-2'));
  server.put(pod('default', 'web-4', { app: 'web', relabelled: 'yes' }));
  server.delete('kube-system/web-3');
  server.delete('default/new-1');
  await waitFor(() => mirrors(cache, server) && server.openWatches === 1, 'cache caught up after the break');
  assertMirrors(t, cache, server);
  t.ok(events.includes('relist:pods:error'), 'relist after a broken stream');
  const lastList = server.requests.filter((r) => r.query.get('watch') !== 'true' && !r.query.get('continue')).at(-1)!;
  t.equal(lastList.query.get('resourceVersionMatch'), 'NotOlderThan', 'relist never goes back in time');
  // And the cache keeps following events after the relist.
  server.put(pod('default', 'after-1'));
  await waitFor(() => mirrors(cache, server), 'post-relist event applied');
  assertMirrors(t, cache, server);
});

for (const goneAs of ['event', 'http'] as const) {
  t.test(`410 Gone (${goneAs === 'event' ? 'ERROR event' : 'HTTP status'}) relists; changes lost with the compacted history are still reflected`, async (t) => {
    const { server, cache, events } = await setup(t, 40);
    server.goneAs = goneAs;
    // One event first: a watch that ends with none within a second counts as broken (client-go's "very short watch").
    server.put(pod('default', 'pre-gap'));
    await waitFor(() => mirrors(cache, server), 'event applied');
    const revBefore = cache.revision;
    server.endWatches();
    // While no watch is open: changes, then compaction drops their events.
    for (let i = 0; i < 5; i++) server.delete(`default/web-${i * 3 + 1}`);
    server.put(pod('default', 'born-in-gap'));
    server.put(pod('kube-system', 'web-0', { app: 'web', moved: 'no' }));
    server.compact();
    await waitFor(() => mirrors(cache, server) && server.openWatches === 1, 'cache caught up after 410');
    assertMirrors(t, cache, server);
    t.ok(events.includes('relist:pods:gone'), 'relist recorded with cause gone');
    t.notOk(events.includes('relist:pods:error'), 'no error relist');
    const relist = server.requests.filter((r) => r.query.get('watch') !== 'true' && !r.query.get('continue')).at(-1)!;
    t.equal(relist.query.get('resourceVersion'), null, 'after 410 the relist reads the latest state');
    t.ok(cache.revision > revBefore, 'revision bumped by the relist');
    // Events after the relist still apply.
    server.put(pod('default', 'after-gone'));
    await waitFor(() => mirrors(cache, server), 'post-relist event applied');
    assertMirrors(t, cache, server);
  });
}

t.test('a relist that changes nothing keeps the revision and the list() snapshot', async (t) => {
  const { server, cache } = await setup(t, 10);
  server.bookmark();
  await new Promise((r) => setTimeout(r, 50));
  const rev = cache.revision;
  const snap = cache.list();
  server.rv += 5; // changes outside the field selector, then compaction
  server.compact();
  server.endWatches();
  await waitFor(() => server.openWatches === 1 && server.requests.filter((r) => r.query.get('watch') !== 'true').length > 2, 'relisted');
  t.equal(cache.revision, rev);
  t.equal(cache.list(), snap, 'same array');
});

t.test('a relist that only finds pods gone drops them and bumps the revision', async (t) => {
  const { server, cache } = await setup(t, 10);
  const rev = cache.revision;
  server.breakWatches();
  server.delete('default/web-1');
  server.delete('default/web-2');
  await waitFor(() => mirrors(cache, server) && server.openWatches === 1, 'relisted');
  assertMirrors(t, cache, server);
  t.ok(cache.revision > rev, 'revision bumped');
});

t.test('a wrong token never syncs and stops cleanly', async (t) => {
  const server = new FakeApiServer('/api/v1/pods');
  await server.listen();
  const client = new RestClient(server.kubeConfig('wrong'));
  const cache = new PodCache({ client, log: silentLogger(), backoff: fastBackoff });
  cache.start();
  await waitFor(() => server.requests.length >= 2, 'retries with backoff');
  t.equal(cache.synced, false);
  const waiting = cache.waitForSync();
  await cache.stop();
  await t.rejects(waiting, /stopped/);
  await client.close();
  await server.close();
});

t.test('decodePodMetadata keeps namespace, name and string labels only', async (t) => {
  const d = decodePodMetadata({ metadata: { name: 'a', namespace: 'ns', labels: { x: '1', bad: 2 }, annotations: { big: 'y' }, managedFields: [{}] } });
  t.same(d, { key: 'ns/a', item: { namespace: 'ns', name: 'a', labels: { x: '1' } } });
  t.equal(decodePodMetadata({ metadata: { name: 'a' } }), undefined, 'no namespace');
  t.equal(decodePodMetadata(null), undefined);
  t.equal(decodePodMetadata({ metadata: 'x' }), undefined);
});

t.test('a watch closed at once without events counts as broken and relists after backoff', async (t) => {
  const { server, events } = await setup(t, 3);
  server.endWatches();
  await waitFor(() => events.includes('relist:pods:error') && server.openWatches === 1, 'relisted');
  t.pass('very short watch handled as an error');
});

t.test('identically labelled pods share one labels object; deleted pods release theirs', async (t) => {
  const { server, cache } = await setup(t, 0);
  for (let i = 0; i < 20; i++) server.put(pod('default', `rs-${i}`, { app: 'web', 'pod-template-hash': 'abc' }));
  for (let i = 0; i < 3; i++) server.put(pod('default', `sts-${i}`, { app: 'db', 'statefulset.kubernetes.io/pod-name': `sts-${i}` }));
  await waitFor(() => mirrors(cache, server), 'pods added');
  t.equal(cache.labelSets, 4, 'one set for the 20 replicas, one per StatefulSet pod');
  t.equal(cache.get('default', 'rs-0')!.labels, cache.get('default', 'rs-19')!.labels, 'shared object');
  for (let i = 0; i < 3; i++) server.delete(`default/sts-${i}`);
  for (let i = 0; i < 19; i++) server.delete(`default/rs-${i}`);
  await waitFor(() => mirrors(cache, server), 'pods deleted');
  t.equal(cache.labelSets, 1, 'released with their last pod');
  // A relist that drops the last replica releases its set too.
  server.endWatches();
  server.rv += 1;
  server.compact();
  server.delete('default/rs-19');
  await waitFor(() => mirrors(cache, server) && server.openWatches === 1, 'relisted');
  t.equal(cache.labelSets, 0);
  t.equal(cache.size, 0);
});

t.test('lists come sorted by namespace, then name, whatever order the pods arrived in', async (t) => {
  const { server, cache } = await setup(t, 0);
  const key = (p: { namespace: string; name: string }) => `${p.namespace}/${p.name}`;
  const sorted = (keys: string[]) => [...keys].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  for (const [ns, name] of [['team-b', 'web-2'], ['default', 'zeta'], ['team-b', 'api-10'], ['default', 'alpha'], ['kube-system', 'dns'], ['team-b', 'api-9'], ['default', 'Mixed']]) server.put(pod(ns!, name!));
  await waitFor(() => mirrors(cache, server), 'pods added');
  const all = cache.list().map(key);
  t.same(all, sorted(all), 'every namespace');
  t.same(all[0], 'default/Mixed', 'bytewise, as Go sorts: upper case first');
  t.same(cache.list('team-b').map((p) => p.name), ['api-10', 'api-9', 'web-2'], 'one namespace');
  // Changes made later keep the order (the snapshots are rebuilt, not appended to).
  server.put(pod('default', 'beta'));
  server.put(pod('aaa', 'first'));
  server.delete('default/alpha');
  await waitFor(() => mirrors(cache, server), 'changes applied');
  const after = cache.list().map(key);
  t.same(after, sorted(after));
  t.same(after.slice(0, 3), ['aaa/first', 'default/Mixed', 'default/beta']);
});

t.test('lists stay sorted and complete through adds, removals, relabels and re-adds between lists (merged, not re-sorted)', async (t) => {
  const server = new FakeApiServer('/api/v1/pods');
  await server.listen();
  const client = new RestClient(server.kubeConfig());
  const cache = new PodCache({ client, log: silentLogger(), observer: recordingObserver().obs, backoff: fastBackoff, pageSize: 7, watchTimeoutSec: () => 30 });
  t.teardown(async () => {
    await client.close();
    await server.close();
  });
  // The events a watch would deliver, applied directly; a seeded generator so a failure repeats.
  let seed = 12345;
  const rand = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed % n);
  const truth = new Map<string, { namespace: string; name: string; labels: Record<string, string> }>();
  const namespaces = ['a', 'b', 'big', 'c'];
  const expected = (ns?: string) =>
    [...truth.values()]
      .filter((p) => ns === undefined || p.namespace === ns)
      .map((p) => `${p.namespace}/${p.name}/${p.labels['v']}`)
      .sort((x, y) => {
        const [xn, xp] = x.split('/');
        const [yn, yp] = y.split('/');
        return xn! < yn! ? -1 : xn! > yn! ? 1 : xp! < yp! ? -1 : xp! > yp! ? 1 : 0;
      });
  const listed = (ns?: string) => cache.list(ns).map((p) => `${p.namespace}/${p.name}/${p.labels['v']}`);
  for (let round = 0; round < 60; round++) {
    const ops = round === 0 ? 400 : 1 + rand(40);
    for (let i = 0; i < ops; i++) {
      const ns = namespaces[rand(namespaces.length)]!;
      const name = `p-${rand(ns === 'big' ? 300 : 30)}`;
      const key = `${ns}/${name}`;
      const what = rand(4);
      if (what === 0 && truth.has(key)) {
        truth.delete(key);
        cache.remove(key);
      } else {
        // A new pod, a relabel (v changes) or the same labels again.
        const p = { namespace: ns, name, labels: { v: String(rand(3)) } };
        truth.set(key, p);
        cache.upsert(key, p);
      }
    }
    t.same(listed(), expected(), `round ${round}: every namespace`);
    const ns = namespaces[rand(namespaces.length)]!;
    t.same(listed(ns), expected(ns), `round ${round}: namespace ${ns}`);
    t.equal(cache.size, truth.size, `round ${round}: count`);
  }
  // Remove and add back the same pod before the next list: listed once.
  const key = [...truth.keys()].find((k) => k.startsWith('big/'))!;
  const p = truth.get(key)!;
  cache.remove(key);
  cache.upsert(key, p);
  t.same(listed('big'), expected('big'), 'removed and added back: once');
  // A namespace emptied and filled again.
  for (const k of [...truth.keys()].filter((k) => k.startsWith('c/'))) {
    truth.delete(k);
    cache.remove(k);
  }
  t.same(listed('c'), [], 'emptied');
  truth.set('c/z', { namespace: 'c', name: 'z', labels: { v: '1' } });
  cache.upsert('c/z', truth.get('c/z')!);
  t.same(listed(), expected(), 'filled again');
  // Changes while nobody lists pods (an HPA asks for single pods only) are not remembered without bound.
  for (let i = 0; i < 5_000; i++) {
    const k = `big/churn-${i}`;
    truth.set(k, { namespace: 'big', name: `churn-${i}`, labels: { v: '0' } });
    cache.upsert(k, truth.get(k)!);
    if (i % 2) {
      truth.delete(k);
      cache.remove(k);
    }
  }
  const remembered = (cache as unknown as { stale: Map<string, Set<string>> }).stale;
  t.ok([...remembered.values()].every((names) => names.size <= 300), 'changed names held: at most an eighth of a list');
  t.same(listed(), expected(), 'and the list is right');
});

// listSliced(): a namespace sorted afresh is sorted a slice at a time, while
// watch events and relists land between slices.

/** A cache that is never started: the tests apply what a watch or a relist would deliver directly. */
function bareCache(): PodCache {
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'none', server: 'https://127.0.0.1:9' }],
    users: [{ name: 'tester' }],
    contexts: [{ name: 'none', cluster: 'none', user: 'tester' }],
    currentContext: 'none',
  });
  return new PodCache({ client: new RestClient(kc), log: silentLogger() });
}

/** The pods the API server holds, kept beside a cache; changes go to both as a watch would deliver them, or to the server only until a relist. */
class Pods {
  private readonly held = new Map<string, PodMeta>();
  /** Keys by namespace, and each key's place there: a pod picked at random in constant time. */
  private readonly keys = new Map<string, string[]>();
  private readonly at = new Map<string, number>();
  private seed: number;

  constructor(
    readonly cache: PodCache,
    seed: number,
  ) {
    this.seed = seed;
  }

  get truth(): ReadonlyMap<string, PodMeta> {
    return this.held;
  }

  /** Seeded, so a failure repeats: a full-period 32-bit generator, read from its high bits (its low bits repeat soon). */
  rand(n: number): number {
    this.seed = (Math.imul(this.seed, 1103515245) + 12345) >>> 0;
    return Math.floor((this.seed / 2 ** 32) * n);
  }

  /** A ReplicaSet pod's name: web-7f9c4-<hex>, never the same twice (the generator's state is the name). */
  name(): string {
    return `web-7f9c4-${this.rand(2 ** 32).toString(16)}`;
  }

  /** The API server now holds this pod; no event told the cache. */
  serverPut(namespace: string, name: string, v: string): PodMeta {
    const key = `${namespace}/${name}`;
    const p = { namespace, name, labels: { app: 'web', v } };
    if (!this.held.has(key)) {
      let keys = this.keys.get(namespace);
      if (!keys) this.keys.set(namespace, (keys = []));
      this.at.set(key, keys.length);
      keys.push(key);
    }
    this.held.set(key, p);
    return p;
  }

  /** The API server no longer holds this pod; no event told the cache. */
  serverDelete(key: string): void {
    const i = this.at.get(key);
    if (i === undefined) return;
    const keys = this.keys.get(key.slice(0, key.indexOf('/')))!;
    const last = keys.pop()!;
    if (last !== key) {
      keys[i] = last;
      this.at.set(last, i);
    }
    this.at.delete(key);
    this.held.delete(key);
  }

  put(namespace: string, name = this.name(), v = String(this.rand(3))): void {
    this.cache.upsert(`${namespace}/${name}`, this.serverPut(namespace, name, v));
  }

  remove(key: string): void {
    this.serverDelete(key);
    this.cache.remove(key);
  }

  /** A pod of the namespace, picked at random. */
  some(namespace: string): string | undefined {
    const keys = this.keys.get(namespace) ?? [];
    return keys[this.rand(keys.length)];
  }

  /** Adds, removes, relabels, and removes then adds back, as a watch delivers them. */
  churn(namespace: string, ops: number): void {
    for (let i = 0; i < ops; i++) {
      const key = this.some(namespace);
      const what = key ? this.rand(4) : 0;
      if (what === 0) this.put(namespace);
      else if (what === 1) this.remove(key!);
      else if (what === 2) this.put(namespace, key!.slice(namespace.length + 1), String(3 + this.rand(3)));
      else {
        const p = this.held.get(key!)!;
        this.remove(key!);
        this.put(namespace, p.name, p.labels['v']);
      }
    }
  }

  /** A relist: the cache replaced with what the API server now holds. */
  relist(): void {
    this.cache.replace(new Map(this.held));
  }

  /** What a fresh cache holding the same pods lists. */
  expected(namespace?: string): string[] {
    const fresh = bareCache();
    fresh.replace(new Map(this.held));
    return shown(fresh.list(namespace));
  }
}

const shown = (list: readonly PodMeta[]) => list.map((p) => `${p.namespace}/${p.name}/${p.labels['v']}`);

/** Namespaces being sorted: none once every listSliced() has ended. */
const sorting = (cache: PodCache) => [...(cache as unknown as { sorting: Map<string, unknown> }).sorting.keys()];
const sortsInFlight = (cache: PodCache) => sorting(cache).length;

function seeded(seed: number, sizes: Record<string, number>): Pods {
  const pods = new Pods(bareCache(), seed);
  for (const [ns, n] of Object.entries(sizes)) for (let i = 0; i < n; i++) pods.put(ns);
  if (pods.cache.size !== pods.truth.size || pods.truth.size !== Object.values(sizes).reduce((a, b) => a + b)) throw new Error('names repeated');
  return pods;
}

const BIG = 3 * SORT_RUN + 100;

t.test('listSliced lists what list() does, sorting a large namespace a slice at a time', async (t) => {
  const sizes = { big: BIG, a: 30, b: SORT_RUN, c: SORT_RUN + 1, 'kube-system': 5 };
  const all = seeded(1, sizes);
  const sorted = new Set<string>();
  const slicer = new CountingSlicer(() => sorting(all.cache).forEach((ns) => sorted.add(ns)));
  const listed = await all.cache.listSliced(undefined, slicer);
  t.same(shown(listed), all.expected(), 'every namespace');
  t.same([...sorted].sort(), ['big', 'c'], 'the namespaces larger than a run sorted a slice at a time');
  t.equal(all.cache.list(), listed, 'kept: list() returns the same array');
  for (const ns of Object.keys(sizes)) t.same(shown(all.cache.list(ns)), all.expected(ns), `then namespace ${ns}`);

  const one = seeded(1, sizes);
  const big = new CountingSlicer();
  const listedBig = await one.cache.listSliced('big', big);
  t.same(shown(listedBig), one.expected('big'), 'one namespace');
  t.ok(big.yields >= 4, `yielded while sorting its four runs (${big.yields} yields)`);
  t.equal(one.cache.list('big'), listedBig, 'kept');
  const again = new CountingSlicer();
  t.equal(await one.cache.listSliced('big', again), listedBig, 'a later list sorts nothing');
  t.equal(again.yields, 0);
  for (const ns of ['a', 'c', 'nowhere']) t.same(shown(await one.cache.listSliced(ns, new CountingSlicer())), one.expected(ns), `namespace ${ns}`);
  t.equal(sortsInFlight(one.cache) + sortsInFlight(all.cache), 0, 'no sort left in flight');
});

t.test('pods added, removed and relabelled between slices are in the list, and in the lists after it', async (t) => {
  const pods = seeded(2, { big: BIG, small: 40 });
  const slicer = new CountingSlicer(() => {
    pods.churn('big', 7);
    pods.churn('small', 2);
  });
  const listed = await pods.cache.listSliced('big', slicer);
  t.ok(slicer.yields >= 4, `changes made at ${slicer.yields} yields`);
  t.same(shown(listed), pods.expected('big'), 'the list as the cache stands at its end');
  t.same(shown(pods.cache.list()), pods.expected(), 'every namespace');
  pods.churn('big', 50);
  t.same(shown(pods.cache.list('big')), pods.expected('big'), 'later changes merged into the sorted list');

  // Every namespace at once: the first sorted takes changes while the others are.
  const all = seeded(3, { big: BIG, other: BIG, small: 40 });
  const each = new CountingSlicer(() => {
    for (const ns of ['big', 'other', 'small']) all.churn(ns, 5);
  });
  t.same(shown(await all.cache.listSliced(undefined, each)), all.expected(), 'every namespace, changed between slices');
  t.equal(sortsInFlight(pods.cache) + sortsInFlight(all.cache), 0, 'no sort left in flight');
});

t.test('a relist during the sort discards it; the list is of the relisted pods', async (t) => {
  // The yields of the sort the relist comes in.
  const unchanged = new CountingSlicer();
  await seeded(4, { big: BIG, small: 10 }).cache.listSliced('big', unchanged);
  const pods = seeded(4, { big: BIG, small: 10 });
  const slicer = new CountingSlicer((n) => {
    if (n !== 2) return;
    // What the API server holds now: some pods gone, some relabelled, some new.
    for (let i = 0; i < 300; i++) pods.serverDelete(pods.some('big')!);
    for (let i = 0; i < 300; i++) pods.serverPut('big', pods.truth.get(pods.some('big')!)!.name, 'relisted');
    for (let i = 0; i < 300; i++) pods.serverPut('big', pods.name(), 'new');
    pods.relist();
  });
  const listed = await pods.cache.listSliced('big', slicer);
  t.same(shown(listed), pods.expected('big'), 'the relisted pods, sorted');
  t.ok(slicer.yields >= unchanged.yields + 4, `sorted again, a slice at a time (${unchanged.yields} → ${slicer.yields} yields)`);
  t.equal(pods.cache.list('big'), listed, 'and kept as the namespace list');
  pods.churn('big', 20);
  t.same(shown(pods.cache.list('big')), pods.expected('big'), 'later changes merged into it');
  t.equal(sortsInFlight(pods.cache), 0);

  // The namespace emptied and filled again meanwhile.
  const emptied = seeded(5, { big: BIG });
  const refill = new CountingSlicer((n) => {
    if (n !== 1) return;
    const kept = [...emptied.truth.values()].slice(0, 3);
    for (const k of [...emptied.truth.keys()]) emptied.remove(k);
    for (const p of kept) emptied.put('big', p.name, 'back');
    emptied.put('big');
  });
  t.same(shown(await emptied.cache.listSliced('big', refill)), emptied.expected('big'), 'emptied and filled again');
});

t.test('a list() while the sort runs is kept: the sort is dropped, later changes merged into that list', async (t) => {
  const pods = seeded(6, { big: BIG });
  const slicer = new CountingSlicer((n) => {
    pods.churn('big', 5);
    if (n === 2) t.same(shown(pods.cache.list('big')), pods.expected('big'), 'list() meanwhile');
  });
  t.same(shown(await pods.cache.listSliced('big', slicer)), pods.expected('big'), 'listSliced() at its end');

  // Nothing changed after that list(): the same array, as list() promises until the namespace changes.
  const still = seeded(6, { big: BIG });
  let during: readonly PodMeta[] = [];
  const quiet = new CountingSlicer((n) => {
    if (n === 2) during = still.cache.list('big');
  });
  const listed = await still.cache.listSliced('big', quiet);
  t.ok(during.length > 0);
  t.equal(listed, during, 'the list() snapshot, not the sort');
  t.equal(still.cache.list('big'), during);
});

t.test('lists that need the same namespace sorted at once share one sort', async (t) => {
  const pods = seeded(7, { big: BIG, small: 3 });
  const first = new CountingSlicer(() => pods.churn('big', 3));
  const second = new CountingSlicer();
  const [a, b] = await Promise.all([pods.cache.listSliced('big', first), pods.cache.listSliced('big', second)]);
  t.ok(first.yields > 0, 'the first list sorted, a slice at a time');
  t.equal(second.yields, 0, 'the second waited for it instead of sorting too');
  t.equal(a, b, 'the same list');
  t.same(shown(a), pods.expected('big'));
  t.equal(sortsInFlight(pods.cache), 0, 'no sort left in flight');
});

t.test('a sort that fails leaves nothing behind: the next list sorts afresh', async (t) => {
  const pods = seeded(8, { big: BIG });
  const failing = new CountingSlicer(() => {
    throw new Error('connection reset');
  });
  await t.rejects(pods.cache.listSliced('big', failing), /connection reset/);
  t.equal(sortsInFlight(pods.cache), 0, 'no sort left in flight');
  t.same(shown(await pods.cache.listSliced('big', new CountingSlicer())), pods.expected('big'));
});

t.test('random changes, relists and lists, some at once, between slices: each list as the cache stood when it ended', async (t) => {
  const pods = seeded(9, { big: 2 * SORT_RUN + 300, mid: SORT_RUN + 500, a: 50, b: 5 });
  const namespaces = ['big', 'mid', 'a', 'b', 'c'];
  const pick = () => namespaces[pods.rand(namespaces.length)]!;
  /** What changed on the API server while no watch was open, then a relist. */
  const relist = () => {
    for (let i = 0; i < 5; i++) pods.serverPut(pick(), pods.name(), 'relisted');
    pods.serverDelete(pods.some('big')!);
    pods.relist();
  };
  for (let round = 0; round < 30; round++) {
    // Few changes (merged), or more than an eighth of the namespace (the next list sorts afresh); now and then a relist.
    const ns = pick();
    pods.churn(ns, pods.rand(3) === 0 ? 1500 : 1 + pods.rand(30));
    if (pods.rand(6) === 0) relist();
    // Events arrive on the event loop between slices, as a watch's do.
    const slicer = () =>
      new CountingSlicer(() =>
        setImmediate(() => {
          pods.churn(pick(), pods.rand(20));
          if (pods.rand(25) === 0) relist();
        }),
      );
    const asked = [undefined, pick(), 'big', 'big'];
    await Promise.all(
      asked.map(async (ns) => {
        const listed = await pods.cache.listSliced(ns, slicer());
        t.same(shown(listed), pods.expected(ns), `round ${round}: ${ns ?? 'every namespace'}`);
      }),
    );
    t.same(shown(pods.cache.list()), pods.expected(), `round ${round}: list() after`);
    t.equal(sortsInFlight(pods.cache), 0, `round ${round}: no sort left in flight`);
  }
});

t.test('random changes through broken, ended and compacted watches: the cache mirrors the server at every sync point', async (t) => {
  const { server, cache } = await setup(t, 20);
  const r = random(5);
  const names = () => `p-${r.int(40)}`;
  const namespaces = ['default', 'kube-system', 'team-a'];
  let syncs = 0;
  const sync = async (what: string) => {
    await waitFor(() => mirrors(cache, server), what, 10_000);
    syncs++;
  };
  const deleteSome = (n: number) => {
    for (let i = 0; i < n; i++) {
      const keys = [...server.objects.keys()];
      if (keys.length > 0) server.delete(keys[r.int(keys.length)]!);
    }
  };
  for (let step = 0; step < 150; step++) {
    const ns = namespaces[r.int(namespaces.length)]!;
    switch (r.int(12)) {
      case 0:
        server.breakWatches();
        // Now and then the only changes the relist finds are pods gone.
        if (r.int(2) === 0) {
          deleteSome(1 + r.int(3));
          await sync(`step ${step}: a relist that only finds pods gone`);
        }
        break;
      case 1:
        server.endWatches();
        break;
      case 2:
        server.goneAs = r.int(2) === 0 ? 'event' : 'http';
        server.compact();
        break;
      case 3:
        server.bookmark();
        break;
      case 4:
      case 5:
        deleteSome(1);
        break;
      default:
        // A new pod, or an existing one relabelled (labels removed, changed or added).
        server.put(pod(ns, names(), r.int(4) === 0 ? {} : { app: `a${r.int(3)}`, ...(r.int(2) === 0 ? { tier: `t${r.int(2)}` } : {}) }));
    }
    if (r.int(8) === 0) {
      await sync(`step ${step}: the cache to catch up`);
    } else if (r.int(3) === 0) {
      // Let some of it reach the cache before the next change.
      await new Promise((resolve) => setTimeout(resolve, r.int(15)));
    }
  }
  await waitFor(() => mirrors(cache, server) && server.openWatches === 1, 'the cache to catch up at the end', 10_000);
  assertMirrors(t, cache, server);
  t.ok(syncs > 10, `${syncs} sync points on the way`);
});
