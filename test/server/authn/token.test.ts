// Bearer tokens reviewed by a stand-in kube-apiserver (TokenReview over HTTPS).
import t, { type Test } from 'tap';
import { authenticationMiddleware, createAuthenticator } from '../../../src/server/authn/index.js';
import { bearerToken } from '../../../src/server/authn/token.js';
import { createSecureServer } from '../../../src/server/https-server.js';
import { KubeTokenReviewer } from '../../../src/kube/token-review.js';
import type { IncomingMessage } from 'node:http';
import { appWith, closeServer, listen, send, sleep, StandInApiServer, tempDir, tokenReviewResponse, type Json } from './harness.js';

const TOKEN_REVIEW = '/apis/authentication.k8s.io/v1/tokenreviews';

async function setup(t: Test, ttlMs: number, reviewerApi?: StandInApiServer) {
  const dir = tempDir();
  const api = await StandInApiServer.start();
  api.on(`POST ${TOKEN_REVIEW}`, (req: Json) =>
    req.spec.token === 'good'
      ? tokenReviewResponse(req, { authenticated: true, user: { username: 'bob', uid: 'b-1', groups: ['team'], extra: { scopes: ['a', 'b'] } } })
      : tokenReviewResponse(req, { authenticated: false, error: 'token expired' }),
  );
  const hits: string[] = [];
  const misses: string[] = [];
  const authn = await createAuthenticator(
    {
      requestheaderAllowedNames: [],
      requestheaderUsernameHeaders: ['x-remote-user'],
      requestheaderGroupHeaders: ['x-remote-group'],
      requestheaderExtraHeadersPrefix: ['x-remote-extra-'],
      requestheaderUidHeaders: [],
      authenticationSkipLookup: true,
      authenticationTolerateLookupFailure: false,
      authenticationTokenWebhookCacheTtlNs: ttlMs * 1e6,
    },
    { tokenReviewer: new KubeTokenReviewer((reviewerApi ?? api).kubeConfig(), 2000), observer: { cacheHit: (c) => hits.push(c), cacheMiss: (c) => misses.push(c) } },
  );
  const app = appWith(authenticationMiddleware(authn, ['/healthz']), (ctx) => {
    ctx.body = { user: ctx.state.user, authorization: ctx.get('authorization') };
  });
  const server = await createSecureServer({ certDir: dir.path, tlsMinVersion: 'VersionTLS12', tlsCipherSuites: [] }, app.callback());
  const port = await listen(server);
  t.teardown(async () => {
    await closeServer(server);
    authn.close();
    await api.close();
    dir.remove();
  });
  const get = (token: string, path = '/metrics') => send({ port, path, headers: { Authorization: `Bearer ${token}` } });
  return { api, hits, misses, get };
}

t.test('bearerToken reads the header as GAS does', async (t) => {
  const req = (authorization?: string) => ({ headers: authorization === undefined ? {} : { authorization } }) as IncomingMessage;
  t.equal(bearerToken(req('Bearer abc')), 'abc');
  t.equal(bearerToken(req('bearer abc')), 'abc', 'scheme is case-insensitive');
  t.equal(bearerToken(req('Basic abc')), undefined);
  t.equal(bearerToken(req('Bearer')), undefined);
  t.equal(bearerToken(req('Bearer ')), undefined, 'empty tokens are not credentials');
  t.equal(bearerToken(req()), undefined);
});

t.test('accepted and rejected tokens', async (t) => {
  const { api, get } = await setup(t, 10_000);
  const ok = await get('good');
  t.equal(ok.status, 200);
  t.same(ok.json.user, { name: 'bob', uid: 'b-1', groups: ['team', 'system:authenticated'], extra: { scopes: ['a', 'b'] } });
  t.equal(ok.json.authorization, '', 'the Authorization header is removed after authentication');
  const call = api.callsTo(TOKEN_REVIEW)[0]!;
  t.same(call.body, { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenReview', spec: { token: 'good' } });
  t.equal(call.headers.authorization, 'Bearer metrics-server-token', 'reviewed with the authentication kubeconfig credentials');

  const bad = await get('bad');
  t.equal(bad.status, 401);
  t.same(bad.json, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'Unauthorized', reason: 'Unauthorized', code: 401 });
  const onHealth = await get('bad', '/healthz');
  t.equal(onHealth.status, 401, 'a rejected token is 401 even on always-allowed paths, as upstream');
});

t.test('results are cached for the TTL, successes and rejections alike', async (t) => {
  const { api, hits, misses, get } = await setup(t, 300);
  const reviews = () => api.callsTo(TOKEN_REVIEW).length;
  await get('good');
  await get('good');
  await get('bad');
  await get('bad');
  t.equal(reviews(), 2);
  t.same(hits, ['token', 'token']);
  t.same(misses, ['token', 'token']);
  await sleep(400);
  t.equal((await get('good')).status, 200);
  t.equal(reviews(), 3, 'expired entry reviewed again');
});

t.test('TokenReview outage fails closed and is not cached', async (t) => {
  const gone = await StandInApiServer.start();
  await gone.close();
  const { get } = await setup(t, 10_000, gone);
  const r = await get('good');
  t.equal(r.status, 401);
  t.equal(r.json.reason, 'Unauthorized');

  const { api, get: get2 } = await setup(t, 10_000);
  api.on(`POST ${TOKEN_REVIEW}`, () => ({ status: 503, body: { kind: 'Status', apiVersion: 'v1', status: 'Failure', code: 503 } }));
  t.equal((await get2('good')).status, 401);
  api.on(`POST ${TOKEN_REVIEW}`, (req: Json) => tokenReviewResponse(req, { authenticated: true, user: { username: 'bob' } }));
  t.equal((await get2('good')).status, 200, 'recovers at the next request');
});
