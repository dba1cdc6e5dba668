// Delegated authorization end to end: identities from TokenReview, decisions from
// SubjectAccessReview, both answered by a stand-in kube-apiserver over HTTPS.
import t, { type Test } from 'tap';
import { authenticationMiddleware, createAuthenticator } from '../../../src/server/authn/index.js';
import { authorizationMiddleware, createAuthorizer } from '../../../src/server/authz/index.js';
import { createSecureServer } from '../../../src/server/https-server.js';
import { KubeSubjectAccessReviewer } from '../../../src/kube/subject-access-review.js';
import { KubeTokenReviewer } from '../../../src/kube/token-review.js';
import type { AuthObserver } from '../../../src/observers.js';
import { appWith, closeServer, listen, send, sleep, StandInApiServer, subjectAccessReviewResponse, tempDir, tokenReviewResponse, type Json } from '../authn/harness.js';

const FAST_RETRY = { steps: 3, initialMs: 10, factor: 1.5, jitter: 0 };
const SAR = '/apis/authorization.k8s.io/v1/subjectaccessreviews';
const TOKEN_REVIEW = '/apis/authentication.k8s.io/v1/tokenreviews';

const USERS: Record<string, object> = {
  'viewer-token': { username: 'viewer', uid: 'v-1', groups: ['viewers'] },
  'admin-token': { username: 'root', groups: ['system:masters'] },
};

class CountingObserver implements AuthObserver {
  hits = { token: 0, authorization: 0 };
  misses = { token: 0, authorization: 0 };
  cacheHit(c: 'token' | 'authorization') {
    this.hits[c]++;
  }
  cacheMiss(c: 'token' | 'authorization') {
    this.misses[c]++;
  }
}

// RBAC stand-in: viewer may list pods in "default", nothing else.
function decide(spec: Json): object {
  const ra = spec.resourceAttributes;
  if (spec.user === 'viewer' && ra?.resource === 'pods' && ra.namespace === 'default' && ra.verb === 'list') return { allowed: true, reason: 'RBAC: allowed by RoleBinding "view/default"' };
  if (ra?.resource === 'nodes') return { allowed: false, denied: true, reason: 'denied by policy' };
  return { allowed: false };
}

async function setup(t: Test, ttl: { authorized: number; unauthorized: number }, apiUrlOverride?: StandInApiServer) {
  const dir = tempDir();
  const api = await StandInApiServer.start();
  api.on(`POST ${TOKEN_REVIEW}`, (req) => {
    const user = USERS[req.spec.token];
    return tokenReviewResponse(req, user ? { authenticated: true, user } : { authenticated: false, error: 'invalid token' });
  });
  api.on(`POST ${SAR}`, (req) => subjectAccessReviewResponse(req, decide(req.spec)));
  const sarApi = apiUrlOverride ?? api;
  const observer = new CountingObserver();
  const authn = await createAuthenticator(
    {
      requestheaderAllowedNames: [],
      requestheaderUsernameHeaders: ['x-remote-user'],
      requestheaderGroupHeaders: ['x-remote-group'],
      requestheaderExtraHeadersPrefix: ['x-remote-extra-'],
      requestheaderUidHeaders: [],
      authenticationSkipLookup: true,
      authenticationTolerateLookupFailure: false,
      authenticationTokenWebhookCacheTtlNs: 10e9,
    },
    { tokenReviewer: new KubeTokenReviewer(api.kubeConfig()), observer },
  );
  const authz = createAuthorizer(
    { authorizationAlwaysAllowPaths: ['/healthz', '/readyz', '/livez'], authorizationWebhookCacheAuthorizedTtlNs: ttl.authorized * 1e6, authorizationWebhookCacheUnauthorizedTtlNs: ttl.unauthorized * 1e6 },
    { subjectAccessReviewer: new KubeSubjectAccessReviewer(sarApi.kubeConfig(), 2000, FAST_RETRY), observer },
  );
  const app = appWith(authenticationMiddleware(authn, ['/healthz', '/readyz', '/livez']), authorizationMiddleware(authz), (ctx) => {
    ctx.body = { ok: true };
  });
  // No --tls-cert-file: a self-signed certificate is generated into the cert dir.
  const server = await createSecureServer({ certDir: dir.path, tlsMinVersion: 'VersionTLS12', tlsCipherSuites: [] }, app.callback());
  const port = await listen(server);
  t.teardown(async () => {
    await closeServer(server);
    authn.close();
    await api.close();
    dir.remove();
  });
  const get = (path: string, token = 'viewer-token') => send({ port, path, headers: { Authorization: `Bearer ${token}` } });
  return { api, sarApi, observer, get };
}

t.test('allow, deny with upstream messages, system:masters', async (t) => {
  const { api, get } = await setup(t, { authorized: 10_000, unauthorized: 10_000 });

  const ok = await get('/apis/metrics.k8s.io/v1beta1/namespaces/default/pods');
  t.equal(ok.status, 200);
  t.same(ok.json, { ok: true });

  const denied = await get('/apis/metrics.k8s.io/v1beta1/namespaces/kube-system/pods');
  t.equal(denied.status, 403);
  t.same(denied.json, {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message: 'pods.metrics.k8s.io is forbidden: User "viewer" cannot list resource "pods" in API group "metrics.k8s.io" in the namespace "kube-system"',
    reason: 'Forbidden',
    details: { group: 'metrics.k8s.io', kind: 'pods' },
    code: 403,
  });

  const named = await get('/apis/metrics.k8s.io/v1beta1/namespaces/default/pods/web-1');
  t.equal(named.json.message, 'pods.metrics.k8s.io "web-1" is forbidden: User "viewer" cannot get resource "pods" in API group "metrics.k8s.io" in the namespace "default"');
  t.same(named.json.details, { name: 'web-1', group: 'metrics.k8s.io', kind: 'pods' });

  const nodes = await get('/apis/metrics.k8s.io/v1beta1/nodes');
  t.equal(nodes.json.message, 'nodes.metrics.k8s.io is forbidden: User "viewer" cannot list resource "nodes" in API group "metrics.k8s.io" at the cluster scope: denied by policy', 'SAR reason appended');

  const byField = await get('/apis/metrics.k8s.io/v1beta1/nodes?fieldSelector=metadata.name%3Dnode-1');
  t.equal(byField.json.message, 'nodes.metrics.k8s.io "node-1" is forbidden: User "viewer" cannot list resource "nodes" in API group "metrics.k8s.io" at the cluster scope: denied by policy');
  const lastSpec = (api.callsTo(SAR).at(-1)!.body as Json).spec;
  t.same(lastSpec.resourceAttributes, {
    verb: 'list',
    group: 'metrics.k8s.io',
    version: 'v1beta1',
    resource: 'nodes',
    name: 'node-1',
    fieldSelector: { requirements: [{ key: 'metadata.name', operator: 'In', values: ['node-1'] }] },
  });
  t.same(lastSpec.user, 'viewer');
  t.same(lastSpec.uid, 'v-1');
  t.same(lastSpec.groups, ['viewers', 'system:authenticated']);

  const metrics = await get('/metrics');
  t.equal(metrics.status, 403);
  t.equal(metrics.json.message, 'forbidden: User "viewer" cannot get path "/metrics"');
  t.same(metrics.json.details, {});

  const sarCalls = api.callsTo(SAR).length;
  const admin = await get('/apis/metrics.k8s.io/v1beta1/nodes', 'admin-token');
  t.equal(admin.status, 200, 'system:masters is allowed');
  t.equal(api.callsTo(SAR).length, sarCalls, 'without asking kube-apiserver');

  const health = await get('/healthz');
  t.equal(health.status, 200, 'always-allowed path');
  t.equal(api.callsTo(SAR).length, sarCalls, 'without asking kube-apiserver');

  const badToken = await get('/apis/metrics.k8s.io/v1beta1/nodes', 'stolen');
  t.equal(badToken.status, 401);
  t.equal(badToken.json.reason, 'Unauthorized');
});

t.test('decisions are cached with separate authorized and unauthorized TTLs', async (t) => {
  const { api, observer, get } = await setup(t, { authorized: 5_000, unauthorized: 300 });
  const allowedPath = '/apis/metrics.k8s.io/v1beta1/namespaces/default/pods';
  const deniedPath = '/apis/metrics.k8s.io/v1beta1/nodes';
  const sar = () => api.callsTo(SAR).length;

  t.equal((await get(allowedPath)).status, 200);
  t.equal((await get(allowedPath)).status, 200);
  t.equal(sar(), 1, 'second allowed request served from the cache');
  t.equal(observer.hits.authorization, 1);
  t.equal(observer.misses.authorization, 1);

  t.equal((await get(deniedPath)).status, 403);
  t.equal((await get(deniedPath)).status, 403);
  t.equal(sar(), 2, 'second denied request served from the cache');
  t.equal(observer.hits.authorization, 2);

  t.equal((await get('/apis/metrics.k8s.io/v1beta1/namespaces/other/pods')).status, 403);
  t.equal(sar(), 3, 'a different namespace is a different SubjectAccessReview');

  await sleep(400);
  t.equal((await get(deniedPath)).status, 403);
  t.equal(sar(), 4, 'denied decision expired after the unauthorized TTL');
  t.equal((await get(allowedPath)).status, 200);
  t.equal(sar(), 4, 'allowed decision still cached under the authorized TTL');

  t.equal(api.callsTo(TOKEN_REVIEW).length, 1, 'the token was reviewed once and then cached');
  t.equal(observer.misses.token, 1);
  t.equal(observer.hits.token, 6, 'token cache hits counted');
});

t.test('a zero TTL disables caching', async (t) => {
  const { api, get } = await setup(t, { authorized: 0, unauthorized: 0 });
  await get('/apis/metrics.k8s.io/v1beta1/namespaces/default/pods');
  await get('/apis/metrics.k8s.io/v1beta1/namespaces/default/pods');
  t.equal(api.callsTo(SAR).length, 2);
});

t.test('authorizer outage fails closed', async (t) => {
  t.test('SubjectAccessReview answers 500', async (t) => {
    const { api, get } = await setup(t, { authorized: 10_000, unauthorized: 10_000 });
    api.on(`POST ${SAR}`, () => ({ status: 500, body: { kind: 'Status', apiVersion: 'v1', status: 'Failure', message: 'etcd down', code: 500 } }));
    const r = await get('/apis/metrics.k8s.io/v1beta1/namespaces/default/pods');
    t.equal(r.status, 500);
    t.same(r.json, {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: 'Internal Server Error: "/apis/metrics.k8s.io/v1beta1/namespaces/default/pods": authorization is unavailable',
      code: 500,
    });
    t.notMatch(r.text, /etcd/, 'the upstream error is not leaked');
    t.equal(api.callsTo(SAR).length, 3, 'a 500 is retried on the backoff schedule before failing');
    // Errors are not cached: once kube-apiserver recovers, the next request is allowed.
    api.on(`POST ${SAR}`, (req) => subjectAccessReviewResponse(req, decide(req.spec)));
    t.equal((await get('/apis/metrics.k8s.io/v1beta1/namespaces/default/pods')).status, 200);
  });

  t.test('kube-apiserver unreachable', async (t) => {
    const gone = await StandInApiServer.start();
    await gone.close();
    const { get } = await setup(t, { authorized: 10_000, unauthorized: 10_000 }, gone);
    const r = await get('/apis/metrics.k8s.io/v1beta1/namespaces/default/pods');
    t.equal(r.status, 500);
    t.equal(r.json.kind, 'Status');
  });
});
