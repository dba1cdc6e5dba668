import t from 'tap';
import { startSimCluster } from '../../src/sim/cluster.js';
import { simRequest, simWatch } from '../helpers/sim-client.js';

type List = { kind: string; apiVersion: string; metadata: { resourceVersion: string }; items: { kind?: string; metadata: { name: string; namespace?: string; resourceVersion: string; labels?: Record<string, string> }; spec?: Record<string, unknown>; status?: Record<string, unknown> }[] };

const PARTIAL_LIST = 'application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1,application/json';
const PARTIAL = 'application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1,application/json';
const V2 = 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json';

t.test('stand-in kube-apiserver', async (t) => {
  const c = await startSimCluster({ nodes: 3, podsPerNode: 4, containersPerPod: 2, watchHistory: 20, bookmarkIntervalMs: 100 });
  t.teardown(() => c.stop());
  const get = (path: string, opts?: Parameters<typeof simRequest>[3]) => simRequest(c, c.url, path, opts);

  t.test('/version reports 1.32 to anyone', async (t) => {
    const r = await get('/version', { as: 'anonymous' });
    t.equal(r.status, 200);
    t.match(r.json(), { major: '1', minor: '32', gitVersion: /^v1\.32\./ });
  });

  t.test('authentication: unknown token 401, anonymous forbidden on resources', async (t) => {
    const bad = await get('/api/v1/nodes', { as: { token: 'forged' } });
    t.equal(bad.status, 401);
    t.match(bad.json(), { kind: 'Status', reason: 'Unauthorized', code: 401 });
    const anon = await get('/api/v1/nodes', { as: 'anonymous' });
    t.equal(anon.status, 403);
    t.match(anon.json(), { reason: 'Forbidden', message: /User "system:anonymous" cannot list resource "nodes"/ });
  });

  t.test('client certificate of another CA is not trusted', async (t) => {
    const r = await get('/api/v1/nodes', { as: { cert: c.pki.frontProxyClient.cert, key: c.pki.frontProxyClient.key } });
    t.equal(r.status, 403, 'front-proxy cert is anonymous here, not a user');
  });

  t.test('nodes carry what metrics-server and kubectl top read', async (t) => {
    const r = await get('/api/v1/nodes');
    t.equal(r.status, 200);
    const list = r.json<List>();
    t.equal(list.kind, 'NodeList');
    t.equal(list.items.length, 3);
    t.notOk(list.items[0]!.kind, 'list items omit kind as kube-apiserver does');
    const n = list.items[0]!;
    const node = c.model.node(n.metadata.name)!;
    t.match(n.status, {
      addresses: [{ type: 'InternalIP', address: '127.0.0.1' }, { type: 'Hostname', address: node.name }],
      daemonEndpoints: { kubeletEndpoint: { Port: node.kubeletPort } },
      allocatable: { cpu: '8', memory: '32Gi' },
      capacity: { cpu: '8' },
      conditions: [{ type: 'MemoryPressure' }, { type: 'Ready', status: 'True' }],
    });
    t.ok(node.kubeletPort > 0);
  });

  t.test('label and field selectors', async (t) => {
    const web = (await get('/api/v1/pods?labelSelector=app%3Dweb')).json<List>();
    t.ok(web.items.length > 0);
    t.ok(web.items.every((p) => p.metadata.labels?.app === 'web'));
    const notWeb = (await get('/api/v1/pods?labelSelector=app!%3Dweb,app')).json<List>();
    t.equal(notWeb.items.length + web.items.length, 12);
    const inSet = (await get('/api/v1/pods?labelSelector=' + encodeURIComponent('app in (web,db)'))).json<List>();
    t.ok(inSet.items.every((p) => ['web', 'db'].includes(p.metadata.labels!.app!)));
    const onNode = (await get('/api/v1/pods?fieldSelector=spec.nodeName%3Dsim-node-2')).json<List>();
    t.equal(onNode.items.length, 4);
    t.ok(onNode.items.every((p) => p.spec!.nodeName === 'sim-node-2'));
    const running = (await get('/api/v1/pods?fieldSelector=status.phase%3DRunning,metadata.namespace%3Dteam-a')).json<List>();
    t.ok(running.items.length > 0 && running.items.every((p) => p.metadata.namespace === 'team-a'));
    const nsPath = (await get('/api/v1/namespaces/team-a/pods')).json<List>();
    t.same(nsPath.items.map((p) => p.metadata.name), running.items.map((p) => p.metadata.name));
    const byName = (await get('/api/v1/nodes?fieldSelector=metadata.name%3Dsim-node-3')).json<List>();
    t.same(byName.items.map((n) => n.metadata.name), ['sim-node-3']);
    const badField = await get('/api/v1/pods?fieldSelector=spec.foo%3Dx');
    t.equal(badField.status, 400);
    t.match(badField.json(), { reason: 'BadRequest', message: /field label not supported: spec.foo/ });
    const badLabel = await get('/api/v1/pods?labelSelector=' + encodeURIComponent('app in (web'));
    t.equal(badLabel.status, 400);
  });

  t.test('get one object, 404 for a missing one', async (t) => {
    const p = [...c.model.allPods()][0]!;
    const r = await get(`/api/v1/namespaces/${p.namespace}/pods/${p.name}`);
    t.equal(r.status, 200);
    t.match(r.json(), { kind: 'Pod', apiVersion: 'v1', metadata: { name: p.name, uid: p.uid }, spec: { nodeName: p.nodeName }, status: { phase: 'Running' } });
    const missing = await get('/api/v1/namespaces/default/pods/nope');
    t.equal(missing.status, 404);
    t.match(missing.json(), { reason: 'NotFound', message: 'pods "nope" not found', details: { name: 'nope', kind: 'pods' } });
  });

  t.test('metadata-only forms', async (t) => {
    const r = await get('/api/v1/pods', { accept: PARTIAL_LIST });
    t.equal(r.status, 200);
    t.match(r.headers['content-type'], /as=PartialObjectMetadataList/);
    const list = r.json<List>();
    t.equal(list.kind, 'PartialObjectMetadataList');
    t.equal(list.apiVersion, 'meta.k8s.io/v1');
    t.equal(list.items.length, 12);
    t.notOk(list.items[0]!.spec, 'no spec in metadata-only items');
    t.ok(list.items[0]!.metadata.labels);
    const one = await get('/api/v1/nodes/sim-node-1', { accept: PARTIAL });
    t.match(one.json(), { kind: 'PartialObjectMetadata', metadata: { name: 'sim-node-1' } });
    t.notOk((one.json() as Record<string, unknown>).status);
    const proto = await get('/api/v1/pods', { accept: 'application/vnd.kubernetes.protobuf' });
    t.equal(proto.status, 406);
  });

  t.test('Table for kubectl get', async (t) => {
    const r = await get('/api/v1/nodes', { accept: 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json' });
    const table = r.json<{ kind: string; columnDefinitions: { name: string }[]; rows: { cells: unknown[]; object: { kind: string } }[] }>();
    t.equal(table.kind, 'Table');
    t.same(table.columnDefinitions.slice(0, 5).map((x) => x.name), ['Name', 'Status', 'Roles', 'Age', 'Version']);
    t.equal(table.rows.length, 3);
    t.equal(table.rows[0]!.object.kind, 'PartialObjectMetadata');
  });

  t.test('limit and continue page through a list', async (t) => {
    const all = (await get('/api/v1/pods')).json<List>().items.map((p) => p.metadata.name);
    const seen: string[] = [];
    let cont = '';
    let pages = 0;
    do {
      const page = (await get(`/api/v1/pods?limit=5${cont ? `&continue=${encodeURIComponent(cont)}` : ''}`)).json<List & { metadata: { continue?: string; remainingItemCount?: number } }>();
      t.ok(page.items.length <= 5);
      seen.push(...page.items.map((p) => p.metadata.name));
      if (page.metadata.continue) t.equal(page.metadata.remainingItemCount, all.length - seen.length);
      cont = page.metadata.continue ?? '';
      pages++;
    } while (cont && pages < 10);
    t.same(seen, all, 'pages add up to the whole list');
    t.equal(pages, Math.ceil(all.length / 5));
    const table = (await get('/api/v1/pods?limit=4', { accept: 'application/json;as=Table;v=v1;g=meta.k8s.io' })).json<{ rows: unknown[]; metadata: { continue?: string } }>();
    t.equal(table.rows.length, 4);
    t.ok(table.metadata.continue, 'tables page too (kubectl get uses limit=500)');
    t.equal((await get('/api/v1/pods?limit=2&continue=garbage')).status, 400);
    t.equal((await get('/api/v1/pods?limit=-1')).status, 400);
    const first = (await get('/api/v1/pods?limit=2')).json<List & { metadata: { continue: string } }>();
    for (let i = 0; i < 22; i++) c.model.labelNode('sim-node-1', { churn: i % 2 === 0 ? 'yes' : null });
    const expired = await get(`/api/v1/pods?limit=2&continue=${encodeURIComponent(first.metadata.continue)}`);
    t.equal(expired.status, 410, 'a continue token older than the history is expired');
    t.match(expired.json(), { reason: 'Expired' });
  });

  t.test('discovery, legacy and aggregated', async (t) => {
    const apis = (await get('/apis')).json<{ kind: string; groups: { name: string }[] }>();
    t.equal(apis.kind, 'APIGroupList');
    t.same(apis.groups.map((g) => g.name).sort(), ['authentication.k8s.io', 'authorization.k8s.io', 'metrics.k8s.io']);
    const v2 = await get('/apis', { accept: V2 });
    t.equal(v2.headers['content-type'], 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList');
    const doc = v2.json<{ items: { metadata: { name: string }; versions: { version: string; resources: { resource: string; responseKind: { kind: string }; scope: string; verbs: string[] }[] }[] }[] }>();
    const metrics = doc.items.find((i) => i.metadata.name === 'metrics.k8s.io')!;
    t.match(metrics.versions[0], { version: 'v1beta1', resources: [{ resource: 'nodes', responseKind: { kind: 'NodeMetrics' }, scope: 'Cluster', verbs: ['get', 'list'] }, { resource: 'pods', scope: 'Namespaced' }] });
    const core = (await get('/api', { accept: V2 })).json<typeof doc>();
    t.same(core.items[0]!.versions[0]!.resources.map((r) => r.resource), ['configmaps', 'nodes', 'pods']);
    t.match((await get('/api')).json(), { kind: 'APIVersions', versions: ['v1'] });
    t.match((await get('/api/v1')).json(), { kind: 'APIResourceList', groupVersion: 'v1' });
    t.match((await get('/apis/metrics.k8s.io')).json(), { kind: 'APIGroup', name: 'metrics.k8s.io', preferredVersion: { groupVersion: 'metrics.k8s.io/v1beta1' } });
    t.equal((await get('/apis/nope.example.com')).status, 404);
  });

  t.test('the viewer reads pods in team-a only', async (t) => {
    t.equal((await get('/api/v1/namespaces/team-a/pods', { as: 'viewer' })).status, 200);
    const other = await get('/api/v1/namespaces/default/pods', { as: 'viewer' });
    t.equal(other.status, 403);
    t.equal(other.json<{ message: string }>().message, 'pods is forbidden: User "viewer" cannot list resource "pods" in API group "" in the namespace "default"');
    t.equal((await get('/api/v1/pods', { as: 'viewer' })).status, 403);
    t.equal((await get('/api/v1/nodes', { as: 'viewer' })).status, 403);
    t.equal((await get('/apis', { as: 'viewer' })).status, 200, 'discovery is open to authenticated users');
  });

  t.test('extension-apiserver-authentication ConfigMap', async (t) => {
    const r = await get('/api/v1/namespaces/kube-system/configmaps/extension-apiserver-authentication', { as: 'metrics-server' });
    t.equal(r.status, 200);
    const data = r.json<{ data: Record<string, string> }>().data;
    t.equal(data['client-ca-file'], c.pki.clusterCa.cert);
    t.equal(data['requestheader-client-ca-file'], c.pki.frontProxyCa.cert);
    t.same(JSON.parse(data['requestheader-allowed-names']!), ['front-proxy-client']);
    t.same(JSON.parse(data['requestheader-username-headers']!), ['X-Remote-User']);
    t.same(JSON.parse(data['requestheader-group-headers']!), ['X-Remote-Group']);
    t.same(JSON.parse(data['requestheader-extra-headers-prefix']!), ['X-Remote-Extra-']);
    const w = await simWatch(c, '/api/v1/namespaces/kube-system/configmaps?watch=true&fieldSelector=metadata.name%3Dextension-apiserver-authentication', { as: 'metrics-server' });
    const [ev] = await w.waitFor(1);
    w.close();
    t.equal(ev!.type, 'ADDED');
    t.equal((await get('/api/v1/namespaces/default/configmaps', { as: 'metrics-server' })).status, 403);
  });

  t.test('TokenReview', async (t) => {
    const body = (token: string) => ({ apiVersion: 'authentication.k8s.io/v1', kind: 'TokenReview', spec: { token } });
    const ok = await get('/apis/authentication.k8s.io/v1/tokenreviews', { as: 'metrics-server', body: body(c.pki.tokens.viewer) });
    t.equal(ok.status, 201);
    t.match(ok.json(), { kind: 'TokenReview', status: { authenticated: true, user: { username: 'viewer', groups: ['team-a-viewers', 'system:authenticated'] } } });
    const bad = await get('/apis/authentication.k8s.io/v1/tokenreviews', { as: 'metrics-server', body: body('nope') });
    t.equal(bad.json<{ status: { authenticated?: boolean } }>().status.authenticated, undefined);
    t.equal((await get('/apis/authentication.k8s.io/v1/tokenreviews', { as: 'viewer', body: body('x') })).status, 403, 'creating reviews needs RBAC');
    const garbage = await get('/apis/authentication.k8s.io/v1/tokenreviews', { as: 'metrics-server', body: '{not json' });
    t.equal(garbage.status, 400);
    const wrongKind = await get('/apis/authentication.k8s.io/v1/tokenreviews', { as: 'metrics-server', body: { kind: 'Pod', apiVersion: 'v1', spec: {} } });
    t.equal(wrongKind.status, 400);
  });

  t.test('SubjectAccessReview against the policy', async (t) => {
    const sar = (spec: Record<string, unknown>) =>
      get('/apis/authorization.k8s.io/v1/subjectaccessreviews', { as: 'metrics-server', body: { apiVersion: 'authorization.k8s.io/v1', kind: 'SubjectAccessReview', spec } });
    const allowed = await sar({ user: 'viewer', groups: ['system:authenticated'], resourceAttributes: { namespace: 'team-a', verb: 'list', group: 'metrics.k8s.io', version: 'v1beta1', resource: 'pods' } });
    t.equal(allowed.status, 201);
    t.equal(allowed.json<{ status: { allowed: boolean } }>().status.allowed, true);
    const denied = await sar({ user: 'viewer', resourceAttributes: { namespace: 'default', verb: 'list', group: 'metrics.k8s.io', resource: 'pods' } });
    t.equal(denied.json<{ status: { allowed: boolean } }>().status.allowed, false);
    const cluster = await sar({ user: 'viewer', resourceAttributes: { verb: 'list', group: 'metrics.k8s.io', resource: 'pods' } });
    t.equal(cluster.json<{ status: { allowed: boolean } }>().status.allowed, false, 'all-namespaces list is not team-a');
    const masters = await sar({ user: 'someone', groups: ['system:masters'], resourceAttributes: { verb: 'list', group: 'metrics.k8s.io', resource: 'nodes' } });
    t.equal(masters.json<{ status: { allowed: boolean } }>().status.allowed, true);
    const nonResource = await sar({ user: 'viewer', groups: ['system:authenticated'], nonResourceAttributes: { path: '/metrics', verb: 'get' } });
    t.equal(nonResource.json<{ status: { allowed: boolean } }>().status.allowed, false);
    t.equal((await sar({ user: 'viewer' })).status, 400, 'neither attribute kind is a bad request');
  });

  t.test('watch: initial state, changes with selectors, bookmarks', async (t) => {
    const list = (await get('/api/v1/pods?labelSelector=app%3Dweb')).json<List>();
    const rv = list.metadata.resourceVersion;
    const w = await simWatch(c, `/api/v1/pods?watch=true&labelSelector=app%3Dweb&resourceVersion=${rv}&allowWatchBookmarks=true`);
    t.equal(w.status, 200);
    const added = c.model.addPod('sim-node-1', { namespace: 'default', name: 'web-new', labels: { app: 'web' } });
    c.model.addPod('sim-node-1', { namespace: 'default', name: 'db-new', labels: { app: 'db' } });
    c.model.restartContainer('default', 'web-new', 'main');
    c.model.removePod('default', 'web-new');
    const evs = (await w.waitFor(5)).filter((e) => e.type !== 'BOOKMARK');
    await w.waitFor(w.events.length + 1, 2000); // at least one bookmark after the changes
    w.close();
    const types = w.events.filter((e) => e.type !== 'BOOKMARK').map((e) => `${e.type} ${(e.object.metadata as { name: string }).name}`);
    t.same(types.slice(0, 3), ['ADDED web-new', 'MODIFIED web-new', 'DELETED web-new'], 'db-new is filtered out by the selector');
    t.ok(evs.length <= 3);
    const rvs = w.events.filter((e) => e.type !== 'BOOKMARK').map((e) => Number((e.object.metadata as { resourceVersion: string }).resourceVersion));
    t.ok(rvs.every((x, i) => i === 0 || x > rvs[i - 1]!), 'resourceVersions increase');
    t.ok(rvs[0]! > Number(rv));
    const bookmark = w.events.find((e) => e.type === 'BOOKMARK')!;
    t.match(bookmark.object, { kind: 'Pod', apiVersion: 'v1', metadata: { resourceVersion: /^\d+$/ } });
    t.equal(added.uid.length, 36);

    const fresh = await simWatch(c, '/api/v1/nodes?watch=true');
    const initial = await fresh.waitFor(3);
    fresh.close();
    t.same(initial.map((e) => e.type), ['ADDED', 'ADDED', 'ADDED'], 'no resourceVersion: current state first');
  });

  t.test('watch: a node label change moves it in and out of a selector', async (t) => {
    const rv = (await get('/api/v1/nodes')).json<List>().metadata.resourceVersion;
    const w = await simWatch(c, `/api/v1/nodes?watch=true&labelSelector=pool%3Dgpu&resourceVersion=${rv}`);
    c.model.labelNode('sim-node-2', { pool: 'gpu' });
    c.model.labelNode('sim-node-2', { pool: null });
    const evs = await w.waitFor(2);
    w.close();
    t.same(evs.map((e) => `${e.type} ${(e.object.metadata as { name: string }).name}`), ['ADDED sim-node-2', 'DELETED sim-node-2']);
  });

  t.test('watch: metadata-only events', async (t) => {
    const w = await simWatch(c, '/api/v1/nodes?watch=true&fieldSelector=metadata.name%3Dsim-node-1', { accept: PARTIAL });
    const [ev] = await w.waitFor(1);
    w.close();
    t.match(ev, { type: 'ADDED', object: { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: { name: 'sim-node-1' } } });
    t.notOk(ev!.object.status);
  });

  t.test('watch: a compacted resourceVersion is 410 Expired', async (t) => {
    const old = (await get('/api/v1/pods')).json<List>().metadata.resourceVersion;
    for (let i = 0; i < 25; i++) c.model.addPod('sim-node-3', { namespace: 'team-b', name: `churn-${i}` });
    const w = await simWatch(c, `/api/v1/pods?watch=true&resourceVersion=${old}`);
    const [ev] = await w.waitFor(1);
    await w.ended;
    t.equal(ev!.type, 'ERROR');
    t.match(ev!.object, { kind: 'Status', code: 410, reason: 'Expired', message: /too old resource version/ });
    const exact = await get(`/api/v1/pods?resourceVersion=${old}&resourceVersionMatch=Exact`);
    t.equal(exact.status, 410);
    const bad = await get('/api/v1/pods?watch=true&resourceVersion=abc');
    t.equal(bad.status, 400);
  });

  t.test('watch: timeoutSeconds ends the stream', async (t) => {
    const w = await simWatch(c, '/api/v1/nodes?watch=true&timeoutSeconds=1');
    await w.ended;
    t.equal(w.events.length, 3);
  });

  t.test('watch: a timed-out stream with bookmarks ends cleanly; changes right after it write nothing', async (t) => {
    const w = await simWatch(c, '/api/v1/pods?watch=true&allowWatchBookmarks=true&timeoutSeconds=1');
    await w.ended;
    c.model.addPod('sim-node-1', { namespace: 'default', name: 'after-the-watch' });
    await new Promise((r) => setTimeout(r, 250));
    t.ok(w.events.some((e) => e.type === 'BOOKMARK'), 'bookmarks were sent while it lasted');
    t.notOk(w.events.some((e) => (e.object.metadata as { name?: string }).name === 'after-the-watch'), 'nothing after the end');
    t.equal((await get('/api/v1/namespaces/default/pods/after-the-watch')).status, 200, 'the apiserver is still serving');
  });

  t.test('nodes join and leave', async (t) => {
    const rv = (await get('/api/v1/nodes')).json<List>().metadata.resourceVersion;
    const w = await simWatch(c, `/api/v1/nodes?watch=true&resourceVersion=${rv}`);
    const name = await c.addNode();
    t.equal(name, 'sim-node-4');
    const [added, modified] = await w.waitFor(2);
    t.equal(added!.type, 'ADDED');
    t.equal(modified!.type, 'MODIFIED');
    const port = ((modified!.object.status as { daemonEndpoints: { kubeletEndpoint: { Port: number } } }).daemonEndpoints.kubeletEndpoint.Port);
    t.ok(port > 0, 'the kubelet port is published once it listens');
    t.equal((await simRequest(c, `https://127.0.0.1:${port}`, '/metrics/resource', { as: 'metrics-server' })).status, 200);
    c.model.addPod(name, { namespace: 'team-b', name: 'on-new-node' });
    await c.removeNode(name);
    const evs = await w.waitFor(3);
    w.close();
    t.same(evs.slice(2).map((e) => `${e.type} ${(e.object.metadata as { name: string }).name}`), ['DELETED sim-node-4']);
    t.equal((await get('/api/v1/nodes/sim-node-4')).status, 404);
    t.equal((await get('/api/v1/namespaces/team-b/pods/on-new-node')).status, 404, "the node's pods go with it");
    await t.rejects(simRequest(c, `https://127.0.0.1:${port}`, '/metrics/resource', { as: 'metrics-server' }), 'its kubelet stops listening');
  });

  t.test('request log records users', async (t) => {
    t.ok(c.apiserver.log.some((r) => r.user === 'viewer' && r.status === 403));
  });
});
