// The resource GET fast path answers exactly as the generic Koa path: the same
// status line, headers in the same order, the same bytes, the same questions to
// TokenReview and SubjectAccessReview, the same freshness observations; and it
// lets nothing through that the generic path would stop.
import t, { type Test } from 'tap';
import { parseLabelSelector } from '../../src/api/selectors/index.js';
import type { PodUsage } from '../../src/api/sources.js';
import { FakeMetrics, FakeNodes, FakePods } from '../api/fakes.js';
import { createPki, fetchRaw, serve, tempDir, type Policy, type RawRequest } from './resource-get-harness.js';

const API = '/apis/metrics.k8s.io/v1beta1';
const PB = 'application/vnd.kubernetes.protobuf';
const POD = `${API}/namespaces/default/pods/web-1`;

function podUsage(ts: string, cpu: number): PodUsage {
  return { timestampMs: Date.parse(ts), windowNs: 14_987_000_000, containers: [{ name: 'app', usage: { cpuNanocores: cpu, memoryBytes: 12_345_678 } }, { name: 'sidecar', usage: { cpuNanocores: 50_000_000, memoryBytes: 12_230_656 } }] };
}

const policy: Policy = {
  token: (token) => ({ 'viewer-token': { username: 'viewer', uid: 'v-1', groups: ['viewers'] }, 'admin-token': { username: 'root', groups: ['system:masters'] } })[token],
  decide: (spec) => {
    if (spec.user === 'boom') throw new Error('connection refused');
    const ra = spec.resourceAttributes;
    if ((spec.user === 'viewer' || spec.user === 'hpa') && ra?.resource === 'pods' && ra.namespace === 'default' && ra.verb === 'get') return { allowed: true, reason: 'RBAC: allowed' };
    if (ra?.resource === 'nodes' && spec.user !== 'alice') return { allowed: false, denied: true, reason: 'denied by policy' };
    return spec.user === 'alice' ? { allowed: true } : { allowed: false };
  },
};

t.test('resource GET fast path', async (t) => {
  const pki = await createPki();
  const dir = tempDir();
  let nowMs = Date.parse('2024-05-01T10:00:05.678Z');
  const metrics = new FakeMetrics(
    new Map([['node-1', { timestampMs: Date.parse('2024-05-01T09:59:58.500Z'), windowNs: 15_000_000_000, usage: { cpuNanocores: 50_000_000, memoryBytes: 1000 } }], ['node-2', { timestampMs: Date.parse('2024-05-01T09:59:58Z'), windowNs: 15_000_000_000, usage: { cpuNanocores: 1, memoryBytes: 1 } }]]),
    new Map([
      ['default/web-1', podUsage('2024-05-01T09:59:58.250Z', 4_735_432)],
      ['kube-system/coredns-1', podUsage('2024-05-01T10:00:00Z', 2_147_218)],
    ]),
  );
  const deps = {
    metrics,
    nodes: new FakeNodes([{ name: 'node-1', labels: { zone: 'a' } }, { name: 'node-2', labels: { zone: 'b' } }, { name: 'node-3', labels: { zone: 'a' } }]),
    pods: new FakePods([
      { namespace: 'default', name: 'web-1', labels: { app: 'web', 'pod-template-hash': 'abc' } },
      { namespace: 'default', name: 'idle-0', labels: {} },
      { namespace: 'kube-system', name: 'coredns-1', labels: { 'k8s-app': 'kube-dns' } },
    ]),
    nodeSelector: parseLabelSelector('zone=a'),
    securePort: 443,
    now: () => nowMs,
  };
  const generic = await serve(pki, policy, deps, false, dir);
  const fast = await serve(pki, policy, deps, true, dir);
  t.teardown(async () => {
    await Promise.all([generic.close(), fast.close()]);
    dir.remove();
  });

  /** Sends r to both servers; the answers and the questions asked must be the same. */
  const same = async (t: Test, r: RawRequest, via: 'fast' | 'koa' = 'fast') => {
    const before = { koa: fast.koaRequests, reviews: fast.recorder.accessReviews.length, tokens: fast.recorder.tokenReviews.length };
    const g = await fetchRaw(generic.port, r);
    const f = await fetchRaw(fast.port, r);
    t.equal(f.status, g.status, 'status');
    t.equal(f.statusMessage, g.statusMessage, 'status text');
    t.same(f.headers, g.headers, 'headers, in order');
    t.equal(f.body.toString('base64'), g.body.toString('base64'), 'body bytes');
    t.same(fast.recorder.accessReviews, generic.recorder.accessReviews, 'the same SubjectAccessReviews');
    t.same(fast.recorder.tokenReviews, generic.recorder.tokenReviews, 'the same TokenReviews');
    t.same([fast.recorder.hits, fast.recorder.misses], [generic.recorder.hits, generic.recorder.misses], 'the same cache hits and misses');
    t.equal(fast.recorder.freshness, generic.recorder.freshness, 'the same freshness observations');
    t.equal(fast.koaRequests - before.koa, via === 'koa' ? 1 : 0, via === 'koa' ? 'handed to Koa' : 'served before Koa');
    return { g, f, newReviews: fast.recorder.accessReviews.slice(before.reviews), newTokens: fast.recorder.tokenReviews.slice(before.tokens) };
  };

  const admin = pki.admin;
  const audit = { 'Audit-Id': 'a2f3c1d0-0000-4000-8000-000000000001' };

  t.test('negotiated encodings of a pod', async (t) => {
    for (const accept of [PB, 'application/json', 'application/yaml', '*/*', 'application/json;as=Table;v=v1;g=meta.k8s.io', 'application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json', `${PB};as=PartialObjectMetadata;v=v1;g=meta.k8s.io`, 'application/json;as=PartialObjectMetadataList;v=v1;g=meta.k8s.io', `${PB};as=Table;v=v1;g=meta.k8s.io`, 'application/json;pretty=1', `${PB};q=0,application/json;q=0.5`, 'text/html', 'application/json;stream=watch']) {
      const { f } = await same(t, { path: POD, cert: admin, headers: { Accept: accept, ...audit } });
      t.ok([200, 406].includes(f.status), `${accept}: ${f.status}`);
    }
    await same(t, { path: POD, cert: admin, headers: { ...audit } });
    await same(t, { path: POD, cert: admin, headers: { 'User-Agent': 'curl/8.5.0', ...audit } });
    await same(t, { path: POD, cert: admin, headers: { Accept: PB, 'Accept-Encoding': 'gzip', ...audit } });
  });

  t.test('repeated and mixed-case header fields read as Koa reads them', async (t) => {
    // Both paths must read what Koa's ctx.get gives: repeated fields joined with ", " (text/html
    // alone is 406, its repetition with application/json is not), User-Agent's first only.
    const cases: Record<string, string | string[]>[] = [
      { Accept: ['application/json;q=0.5', PB], ...audit },
      { Accept: ['text/html', 'application/json'], ...audit },
      { accept: 'application/json', 'USER-AGENT': ['curl/8.5.0', 'kubectl/v1.35.0'], ...audit },
      { Accept: 'application/json', 'User-Agent': ['kubectl/v1.35.0', 'curl/8.5.0'], ...audit },
      { Accept: 'application/json', 'Accept-Encoding': ['identity', 'gzip'], ...audit },
      { Accept: PB, 'Audit-Id': ['first', 'second'] },
      { Accept: PB, 'AUDIT-ID': 'upper-case' },
    ];
    for (const headers of cases) {
      const { f } = await same(t, { path: POD, cert: admin, headers });
      t.equal(f.status, 200, JSON.stringify(headers));
    }
    const pretty = await same(t, { path: POD, cert: admin, headers: { Accept: 'application/json', 'User-Agent': ['curl/8.5.0', 'kubectl/v1.35.0'], ...audit } });
    t.match(pretty.f.body.toString(), /^\{\n {2}"kind"/, 'the first User-Agent (curl) asks for pretty JSON');
    const joined = await same(t, { path: POD, cert: admin, headers: { Accept: PB, 'Audit-Id': ['first', 'second'] } });
    t.equal(joined.f.auditId, 'first, second');
  });

  t.test('not found and nodes', async (t) => {
    for (const path of [`${API}/namespaces/default/pods/missing`, `${API}/namespaces/default/pods/idle-0`, `${API}/nodes/node-1`, `${API}/nodes/node-2`, `${API}/nodes/node-3`, `${API}/nodes/node-9`]) {
      for (const accept of [PB, 'application/json']) await same(t, { path, cert: admin, headers: { Accept: accept, ...audit } });
    }
  });

  t.test('Audit-Id: echoed when sent, made when not', async (t) => {
    const { f, g } = await same(t, { path: POD, cert: admin, headers: { Accept: PB } });
    const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
    t.match(f.auditId, uuid);
    t.match(g.auditId, uuid);
    t.not(f.auditId, g.auditId);
    const echoed = await same(t, { path: POD, cert: admin, headers: audit });
    t.equal(echoed.f.auditId, audit['Audit-Id']);
  });

  t.test('bearer tokens', async (t) => {
    const ok = await same(t, { path: POD, headers: { Authorization: 'Bearer viewer-token', ...audit } });
    t.equal(ok.f.status, 200);
    t.same(ok.newReviews.map((s) => [s.user, s.groups, s.uid, s.resourceAttributes]), [['viewer', ['viewers', 'system:authenticated'], 'v-1', { verb: 'get', group: 'metrics.k8s.io', version: 'v1beta1', resource: 'pods', namespace: 'default', name: 'web-1' }]]);
    const cached = await same(t, { path: POD, headers: { Authorization: 'Bearer viewer-token', ...audit } });
    t.same(cached.newReviews, [], 'a repeated decision comes from the cache');
    const denied = await same(t, { path: `${API}/namespaces/kube-system/pods/coredns-1`, headers: { Authorization: 'Bearer viewer-token', ...audit } });
    t.equal(denied.f.status, 403);
    t.match(denied.f.body.toString(), /pods\.metrics\.k8s\.io \\"coredns-1\\" is forbidden: User \\"viewer\\" cannot get resource \\"pods\\" in API group \\"metrics.k8s.io\\" in the namespace \\"kube-system\\"/);
    const deniedNode = await same(t, { path: `${API}/nodes/node-1`, headers: { Authorization: 'Bearer viewer-token', Accept: PB, ...audit } });
    t.equal(deniedNode.f.status, 403);
    const bad = await same(t, { path: POD, headers: { Authorization: 'Bearer nope', ...audit } });
    t.equal(bad.f.status, 401);
    const masters = await same(t, { path: POD, headers: { Authorization: 'Bearer admin-token', ...audit } });
    t.equal(masters.f.status, 200);
    t.same(masters.newReviews, [], 'system:masters needs no SubjectAccessReview');
  });

  t.test('front proxy', async (t) => {
    const ok = await same(t, { path: POD, cert: pki.proxy, headers: { 'X-Remote-User': 'hpa', 'X-Remote-Group': ['system:serviceaccounts', 'team'], 'X-Remote-Extra-Scopes': ['a', 'b'], 'X-Remote-Uid': 'u-1', Accept: PB, ...audit } });
    t.equal(ok.f.status, 200);
    t.same(ok.newReviews, [{ resourceAttributes: { verb: 'get', group: 'metrics.k8s.io', version: 'v1beta1', resource: 'pods', namespace: 'default', name: 'web-1' }, user: 'hpa', groups: ['system:serviceaccounts', 'team', 'system:authenticated'], extra: { scopes: ['a', 'b'] }, uid: 'u-1' }]);
    const denied = await same(t, { path: `${API}/nodes/node-1`, cert: pki.proxy, headers: { 'X-Remote-User': 'hpa', Accept: PB, ...audit } });
    t.equal(denied.f.status, 403);
    const unreachable = await same(t, { path: POD, cert: pki.proxy, headers: { 'X-Remote-User': 'boom', ...audit } });
    t.equal(unreachable.f.status, 500, 'authorizer unreachable: 500, never allowed');
    const noUser = await same(t, { path: POD, cert: pki.proxy, headers: { ...audit } });
    t.equal(noUser.f.status, 401, 'a proxy certificate without a user is no identity');
  });

  t.test('forged identity headers are never honoured', async (t) => {
    const forged = { 'X-Remote-User': 'root', 'X-Remote-Group': 'system:masters', ...audit };
    for (const cert of [undefined, pki.rogue, pki.otherCN]) {
      const r = await same(t, { path: POD, cert, headers: forged });
      t.equal(r.f.status, 401, cert ? 'certificate not from the front-proxy CA or not an allowed name' : 'no certificate');
      t.same(r.newReviews, []);
    }
    const asAlice = await same(t, { path: POD, cert: pki.alice, headers: forged });
    t.equal(asAlice.f.status, 200);
    t.same(asAlice.newReviews.map((s) => [s.user, s.groups]), [['alice', ['devs', 'system:authenticated']]], 'the certificate names the user, not the headers');
    const forgedToken = await same(t, { path: POD, headers: { ...forged, Authorization: 'Bearer viewer-token' } });
    t.equal(forgedToken.f.status, 200);
    t.equal(forgedToken.newReviews.length, 0, 'cached decision for viewer');
  });

  t.test('anything but a plain single-object GET goes to Koa', async (t) => {
    for (const r of [
      { path: POD, method: 'HEAD' },
      { path: POD, method: 'POST' },
      { path: `${POD}/` },
      { path: `${POD}?pretty=true` },
      { path: `${API}/namespaces/default/pods/web%2D1` },
      { path: `${API}/namespaces/default/pods/web%2F1` },
      { path: `${API}/namespaces/default/pods` },
      { path: `${API}/namespaces/default/pods//` },
      { path: `${API}/namespaces//pods/web-1` },
      { path: `${API}/nodes` },
      { path: `${API}/nodes/` },
      { path: `${API}/nodes/node-1/x` },
      { path: `${API}/namespaces/default/pods/web-1/x` },
      { path: `/apis/metrics.k8s.io/v1beta2/nodes/node-1` },
    ]) {
      await same(t, { ...r, cert: admin, headers: { Accept: PB, ...audit } }, 'koa');
    }
  });

  t.test('answers follow the store, the caches and the clock', async (t) => {
    const first = await same(t, { path: POD, cert: admin, headers: { Accept: 'application/json', ...audit } });
    metrics.podUsage.set('default/web-1', podUsage('2024-05-01T10:00:04Z', 1_000_000));
    metrics.revision++;
    const changed = await same(t, { path: POD, cert: admin, headers: { Accept: 'application/json', ...audit } });
    t.not(changed.f.body.toString(), first.f.body.toString());
    t.match(changed.f.body.toString(), /"cpu":"1m"/);
    nowMs += 1000;
    const later = await same(t, { path: POD, cert: admin, headers: { Accept: 'application/json', ...audit } });
    t.match(later.f.body.toString(), /"creationTimestamp":"2024-05-01T10:00:06Z"/);
    deps.pods.pods = deps.pods.pods.filter((p) => p.name !== 'web-1');
    deps.pods.revision++;
    const gone = await same(t, { path: POD, cert: admin, headers: { Accept: 'application/json', ...audit } });
    t.equal(gone.f.status, 404);
  });
});

t.test('a GET still waiting for its SubjectAccessReview at the request timeout: the same 504 as Koa', async (t) => {
  const pki = await createPki();
  const dir = tempDir();
  const stalled: Policy = { ...policy, stall: (spec) => spec.user === 'viewer' };
  const deps = {
    metrics: new FakeMetrics(new Map(), new Map([['default/web-1', podUsage('2024-05-01T09:59:58.250Z', 4_735_432)]])),
    nodes: new FakeNodes([]),
    pods: new FakePods([{ namespace: 'default', name: 'web-1', labels: {} }]),
    securePort: 443,
  };
  const generic = await serve(pki, stalled, deps, false, dir, 300);
  const fast = await serve(pki, stalled, deps, true, dir, 300);
  t.teardown(async () => {
    await Promise.all([generic.close(), fast.close()]);
    dir.remove();
  });
  const r: RawRequest = { path: POD, headers: { Authorization: 'Bearer viewer-token', Accept: PB, 'Audit-Id': 'a2f3c1d0-0000-4000-8000-000000000002' } };
  const [g, f] = await Promise.all([fetchRaw(generic.port, r), fetchRaw(fast.port, r)]);
  t.equal(f.status, 504);
  t.equal(f.status, g.status);
  t.same(f.headers, g.headers, 'headers, in order');
  t.ok(f.headers.includes('Cache-Control: no-cache, private'), 'Cache-Control set before the wait');
  t.equal(f.auditId, 'a2f3c1d0-0000-4000-8000-000000000002', 'the request\'s Audit-Id, set before the wait');
  t.equal(f.body.toString(), g.body.toString());
  t.equal(fast.koaRequests, 0, 'served before Koa');
  t.equal(fast.recorder.accessReviews.length, 1, 'the review was asked, and never answered');
});
