import t from 'tap';
import { KubeSubjectAccessReviewer } from '../../src/kube/subject-access-review.js';
import { StandInApiServer, subjectAccessReviewResponse, type Json } from '../server/authn/harness.js';

const PATH = '/apis/authorization.k8s.io/v1/subjectaccessreviews';

t.test('SubjectAccessReview over the wire', async (t) => {
  const api = await StandInApiServer.start();
  t.teardown(() => api.close());
  let status: object = { allowed: true, reason: 'RBAC: allowed' };
  api.on(`POST ${PATH}`, (req: Json) => subjectAccessReviewResponse(req, status));
  const reviewer = new KubeSubjectAccessReviewer(api.kubeConfig(), 300, { steps: 3, initialMs: 10, factor: 2, jitter: 0.2 });
  const spec = {
    resourceAttributes: {
      namespace: 'default',
      verb: 'list',
      group: 'metrics.k8s.io',
      version: 'v1beta1',
      resource: 'pods',
      labelSelector: { requirements: [{ key: 'app', operator: 'In' as const, values: ['web'] }] },
      fieldSelector: { requirements: [{ key: 'metadata.name', operator: 'NotIn' as const, values: ['x'] }] },
    },
    user: 'alice',
    groups: ['devs', 'system:authenticated'],
    extra: { 'authentication.kubernetes.io/credential-id': ['X509SHA256=ab'] },
    uid: 'u-1',
  };
  t.same(await reviewer.review(spec), { allowed: true, reason: 'RBAC: allowed' });
  t.same(api.callsTo(PATH)[0]!.body, { apiVersion: 'authorization.k8s.io/v1', kind: 'SubjectAccessReview', spec }, 'spec sent exactly, nothing added');

  await reviewer.review({ nonResourceAttributes: { path: '/metrics', verb: 'get' }, user: 'system:anonymous', groups: ['system:unauthenticated'] });
  t.same((api.callsTo(PATH)[1]!.body as Json).spec, { nonResourceAttributes: { path: '/metrics', verb: 'get' }, user: 'system:anonymous', groups: ['system:unauthenticated'] });

  status = { allowed: false, denied: true, reason: 'nope', evaluationError: 'partial' };
  t.same(await reviewer.review(spec), { allowed: false, denied: true, reason: 'nope', evaluationError: 'partial' });
  status = {};
  t.same(await reviewer.review(spec), { allowed: false }, 'a missing allowed field is a denial');

  api.on(`POST ${PATH}`, () => ({ status: 500, body: { kind: 'Status', apiVersion: 'v1', status: 'Failure', code: 500 } }));
  let before = api.callsTo(PATH).length;
  await t.rejects(reviewer.review(spec), /500/);
  t.equal(api.callsTo(PATH).length - before, 3, 'transient errors retried up to the step limit');

  let failures = 2;
  api.on(`POST ${PATH}`, (req: Json) => (failures-- > 0 ? { status: 429, body: { kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'TooManyRequests', code: 429 } } : subjectAccessReviewResponse(req, { allowed: true })));
  t.same(await reviewer.review(spec), { allowed: true }, 'succeeds once the API server recovers');

  api.on(`POST ${PATH}`, () => ({ status: 403, body: { kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'Forbidden', code: 403 } }));
  before = api.callsTo(PATH).length;
  await t.rejects(reviewer.review(spec), /403/);
  t.equal(api.callsTo(PATH).length - before, 1, 'permanent errors are not retried');
  api.on(`POST ${PATH}`, () => ({ hang: true }));
  await t.rejects(reviewer.review(spec), { name: 'TimeoutError' }, 'times out');
});
