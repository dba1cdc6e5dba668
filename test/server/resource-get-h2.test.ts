// Over HTTP/2 the server answers as over HTTP/1.1, on the fast path and through
// Koa alike: the same status, header fields in the same order (less HTTP/1's
// connection headers, which HTTP/2 forbids), the same bytes, the same questions
// to TokenReview and SubjectAccessReview. Front-proxy identity is taken only
// from a verified proxy, per stream on a shared connection; anonymous and
// unauthenticated clients get GOAWAY after their request, as GAS sends them.
import t, { type Test } from 'tap';
import { parseLabelSelector } from '../../src/api/selectors/index.js';
import type { PodUsage } from '../../src/api/sources.js';
import { FakeMetrics, FakeNodes, FakePods } from '../api/fakes.js';
import { h2Connect, h2Once, h2Request, type H2Response } from '../helpers/h2-client.js';
import { createPki, fetchRaw, serve, tempDir, type Policy, type RawRequest, type RawResponse } from './resource-get-harness.js';

const API = '/apis/metrics.k8s.io/v1beta1';
const PB = 'application/vnd.kubernetes.protobuf';
const POD = `${API}/namespaces/default/pods/web-1`;
const HTTP1_ONLY = new Set(['connection', 'keep-alive', 'transfer-encoding']);

function podUsage(ts: string, cpu: number): PodUsage {
  return { timestampMs: Date.parse(ts), windowNs: 14_987_000_000, containers: [{ name: 'app', usage: { cpuNanocores: cpu, memoryBytes: 12_345_678 } }] };
}

const policy: Policy = {
  token: (token) => ({ 'viewer-token': { username: 'viewer', uid: 'v-1', groups: ['viewers'] } })[token],
  decide: (spec) => {
    const ra = spec.resourceAttributes;
    if (ra?.resource === 'pods' && ra.namespace === 'default' && ['viewer', 'hpa'].includes(spec.user ?? '')) return { allowed: true };
    return { allowed: false, reason: 'denied by policy' };
  },
};

/** Header lines as "name: value", lowercased names, HTTP/1's connection headers dropped. */
function h1Lines(r: RawResponse): string[] {
  return r.headers.map((l) => l.replace(/^[^:]+/, (n) => n.toLowerCase())).filter((l) => !HTTP1_ONLY.has(l.slice(0, l.indexOf(':'))));
}

function h2Lines(r: H2Response, keepAuditId: boolean): string[] {
  return r.headers.filter(([n]) => n !== 'date' && (keepAuditId || n !== 'audit-id')).map(([n, v]) => `${n}: ${v}`);
}

t.test('HTTP/2 answers as HTTP/1.1', async (t) => {
  const pki = await createPki();
  const dir = tempDir();
  const deps = {
    metrics: new FakeMetrics(new Map([['node-1', { timestampMs: Date.parse('2024-05-01T09:59:58.500Z'), windowNs: 15e9, usage: { cpuNanocores: 50_000_000, memoryBytes: 1000 } }]]), new Map([['default/web-1', podUsage('2024-05-01T09:59:58.250Z', 4_735_432)]])),
    nodes: new FakeNodes([{ name: 'node-1', labels: { zone: 'a' } }]),
    pods: new FakePods([{ namespace: 'default', name: 'web-1', labels: { app: 'web' } }]),
    nodeSelector: parseLabelSelector('zone=a'),
    securePort: 443,
    now: () => Date.parse('2024-05-01T10:00:05.678Z'),
  };
  const generic = await serve(pki, policy, deps, false, dir);
  const fast = await serve(pki, policy, deps, true, dir);
  t.teardown(async () => {
    await Promise.all([generic.close(), fast.close()]);
    dir.remove();
  });

  /** r over HTTP/1.1 and HTTP/2 to both servers: four equal answers, and both servers asked the same. */
  const same = async (t: Test, r: RawRequest) => {
    const keepAuditId = Object.keys(r.headers ?? {}).some((h) => h.toLowerCase() === 'audit-id');
    const tls = r.cert ? { cert: r.cert.cert, key: r.cert.key } : {};
    const h2 = (port: number) => h2Once(port, r.path, lowerNames(r.headers ?? {}), tls, r.method);
    const g1 = await fetchRaw(generic.port, r);
    const g2 = await h2(generic.port);
    const f1 = await fetchRaw(fast.port, r);
    const f2 = await h2(fast.port);
    for (const [name, a] of [['generic', g2], ['fast', f2]] as const) {
      t.equal(a.status, g1.status, `${name} h2 status`);
      t.same(h2Lines(a, keepAuditId), h1Lines(g1), `${name} h2 header fields, in order`);
      t.equal(a.body.toString('base64'), g1.body.toString('base64'), `${name} h2 body bytes`);
      t.notOk(a.headers.some(([n]) => HTTP1_ONLY.has(n)), `${name}: no HTTP/1 connection headers over h2`);
    }
    t.same(h1Lines(f1), h1Lines(g1), 'h1 fast = h1 generic');
    t.same(fast.recorder.accessReviews, generic.recorder.accessReviews, 'the same SubjectAccessReviews');
    t.same(fast.recorder.tokenReviews, generic.recorder.tokenReviews, 'the same TokenReviews');
    return { status: g1.status, body: g2.body.toString('utf8') };
  };

  const audit = { 'Audit-Id': 'a2f3c1d0-0000-4000-8000-000000000001' };

  t.test('encodings and errors', async (t) => {
    for (const accept of [PB, 'application/json', 'application/yaml', 'application/json;as=Table;v=v1;g=meta.k8s.io', 'text/html']) {
      await same(t, { path: POD, cert: pki.admin, headers: { Accept: accept, ...audit } });
    }
    const gz = await same(t, { path: `${API}/pods`, cert: pki.admin, headers: { Accept: 'application/json', 'Accept-Encoding': 'gzip', ...audit } });
    t.equal(gz.status, 200, 'a list through Koa');
    await same(t, { path: `${API}/namespaces/default/pods/missing`, cert: pki.admin, headers: { Accept: PB, ...audit } });
    await same(t, { path: POD, method: 'HEAD', cert: pki.admin, headers: { Accept: PB, ...audit } });
    await same(t, { path: `${POD}?timeout=soon`, headers: audit });
  });

  t.test('401 and 403 as metav1.Status', async (t) => {
    const unauthenticated = await same(t, { path: POD, headers: { Authorization: 'Bearer nope', Accept: 'application/json', ...audit } });
    t.equal(unauthenticated.status, 401);
    t.match(JSON.parse(unauthenticated.body), { kind: 'Status', reason: 'Unauthorized', code: 401 });
    const forbidden = await same(t, { path: `${API}/nodes/node-1`, headers: { Authorization: 'Bearer viewer-token', Accept: 'application/json', ...audit } });
    t.equal(forbidden.status, 403);
    t.match(JSON.parse(forbidden.body), { kind: 'Status', reason: 'Forbidden', code: 403 });
  });

  t.test('front proxy: a verified proxy names the user; forged headers are refused', async (t) => {
    const asHpa = { 'X-Remote-User': 'hpa', 'X-Remote-Group': ['system:serviceaccounts', 'team'], 'X-Remote-Extra-Scopes': ['a', 'b'], Accept: PB, ...audit };
    const before = fast.recorder.accessReviews.length;
    const ok = await same(t, { path: POD, cert: pki.proxy, headers: asHpa });
    t.equal(ok.status, 200);
    t.same(fast.recorder.accessReviews.slice(before).map((s) => [s.user, s.groups, s.extra]), [['hpa', ['system:serviceaccounts', 'team', 'system:authenticated'], { scopes: ['a', 'b'] }]], 'repeated fields are separate values');
    for (const cert of [undefined, pki.rogue, pki.otherCN]) {
      const r = await same(t, { path: POD, cert, headers: { 'X-Remote-User': 'root', 'X-Remote-Group': 'system:masters', ...audit } });
      t.equal(r.status, 401, cert ? 'a certificate the front-proxy CA or allowed names do not vouch for' : 'no certificate');
    }
  });

  t.test('many streams on one proxy connection keep their own identities', async (t) => {
    const s = h2Connect(fast.port, { cert: pki.proxy.cert, key: pki.proxy.key });
    t.teardown(() => s.close());
    const users = Array.from({ length: 40 }, (_, i) => (i % 2 === 0 ? 'hpa' : `stranger-${i}`));
    const answers = await Promise.all(users.map((u) => h2Request(s, POD, { 'x-remote-user': u, accept: 'application/json' })));
    t.same(answers.map((a) => a.status), users.map((u) => (u === 'hpa' ? 200 : 403)));
    t.same(s.goaways, [], 'the connection stays open');
  });

  t.test('anonymous and unauthenticated clients get GOAWAY after their request', async (t) => {
    for (const [what, path, headers, status] of [
      ['anonymous, an always-allowed path', '/healthz', {}, 404],
      ['anonymous elsewhere', POD, {}, 401],
      ['a rejected token', POD, { authorization: 'Bearer nope' }, 401],
    ] as const) {
      const s = h2Connect(fast.port);
      const r = await h2Request(s, path, headers);
      t.equal(r.status, status, what);
      await new Promise((resolve) => setTimeout(resolve, 50));
      t.same(s.goaways, [0], `${what}: GOAWAY (NO_ERROR)`);
      await t.rejects(h2Request(s, POD), 'no further requests on it');
      s.session.destroy();
    }
    const s = h2Connect(fast.port, { cert: pki.admin.cert, key: pki.admin.key });
    t.equal((await h2Request(s, POD)).status, 200);
    t.equal((await h2Request(s, POD)).status, 200, 'an authenticated client keeps its connection');
    t.same(s.goaways, []);
    await s.close();
  });
});

function lowerNames(h: Record<string, string | string[]>): Record<string, string | string[]> {
  return Object.fromEntries(Object.entries(h).map(([k, v]) => [k.toLowerCase(), v]));
}
