import t, { type Test } from 'tap';
import { silentLogger } from '../../src/log.js';
import type { WatchObserver } from '../../src/observers.js';
import { PodCache, POD_LIST_ACCEPT, POD_WATCH_ACCEPT, decodePodMetadata } from '../../src/kube/pod-cache.js';
import { RestClient } from '../../src/kube/rest-client.js';
import { FakeApiServer, waitFor } from './fake-apiserver.js';

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
