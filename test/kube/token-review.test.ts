import t from 'tap';
import { KubeTokenReviewer } from '../../src/kube/token-review.js';
import { StandInApiServer, tokenReviewResponse, type Json } from '../server/authn/harness.js';

const PATH = '/apis/authentication.k8s.io/v1/tokenreviews';

t.test('TokenReview over the wire', async (t) => {
  const api = await StandInApiServer.start();
  t.teardown(() => api.close());
  api.on(`POST ${PATH}`, (req: Json) =>
    req.spec.token === 't1'
      ? tokenReviewResponse(req, { authenticated: true, user: { username: 'bob', uid: 'u', groups: ['g'], extra: { k: ['v'] } }, audiences: ['https://kubernetes.default.svc'] })
      : tokenReviewResponse(req, { error: 'token not found' }),
  );
  const reviewer = new KubeTokenReviewer(api.kubeConfig(), 300, { steps: 3, initialMs: 10, factor: 2, jitter: 0.2 });
  t.same(await reviewer.review('t1'), { authenticated: true, user: { username: 'bob', uid: 'u', groups: ['g'], extra: { k: ['v'] } } });
  t.same(await reviewer.review('nope'), { authenticated: false, error: 'token not found' }, 'status without authenticated reads as false');
  const call = api.callsTo(PATH)[0]!;
  t.equal(call.method, 'POST');
  t.same(call.body, { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenReview', spec: { token: 't1' } });
  t.match(call.headers['content-type'], /application\/json/);

  api.on(`POST ${PATH}`, () => ({ status: 403, body: { kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'Forbidden', code: 403 } }));
  await t.rejects(reviewer.review('t1'), /403/, 'HTTP errors reject');
  let failures = 1;
  api.on(`POST ${PATH}`, (req: Json) => (failures-- > 0 ? { status: 504, body: { kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'Timeout', code: 504 } } : tokenReviewResponse(req, { authenticated: true, user: { username: 'bob' } })));
  t.same(await reviewer.review('t1'), { authenticated: true, user: { username: 'bob' } }, 'a 504 is retried');
  api.on(`POST ${PATH}`, () => ({ hang: true }));
  const started = Date.now();
  await t.rejects(reviewer.review('t1'), { name: 'TimeoutError' }, 'a stuck API server times out');
  t.ok(Date.now() - started < 3000, 'within the request timeout');
});
