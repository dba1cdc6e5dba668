// Requests that reach the metrics server directly, not through the aggregator:
// forged identity headers must never be believed, and the server's own delegated
// authentication (front proxy, x509, TokenReview) and authorization (SAR) decide.
import t from 'tap';
import https from 'node:https';
import type { OutgoingHttpHeaders } from 'node:http';
import { issueCert } from '../../src/util/pki.js';
import { h2Once } from '../helpers/h2-client.js';
import { e2eSkipReason, startE2E } from '../helpers/sim-e2e.js';

const skip = await e2eSkipReason();

t.test('direct requests to the metrics server', { skip }, async (t) => {
  if (skip) return;
  const e = await startE2E({ kubeletSource: 'resource' });
  t.teardown(() => e.stop());
  const c = e.cluster;

  const direct = (path: string, opts: { cert?: { cert: string; key: string }; headers?: OutgoingHttpHeaders } = {}) =>
    new Promise<{ status: number; body: string; type: string | undefined }>((resolve, reject) => {
      const req = https.request(
        {
          host: '127.0.0.1',
          port: e.ms.port,
          path,
          ca: c.pki.clusterCa.cert,
          ...(opts.cert ?? {}),
          headers: { accept: 'application/json', ...opts.headers },
          agent: false,
          timeout: 10_000,
        },
        (res) => {
          let body = '';
          res.on('data', (d: Buffer) => (body += d.toString('utf8')));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body, type: res.headers['content-type'] }));
        },
      );
      req.on('timeout', () => req.destroy(new Error('timeout')));
      req.on('error', reject);
      req.end();
    });

  const frontProxy = { cert: c.pki.frontProxyClient.cert, key: c.pki.frontProxyClient.key };
  const nodes = '/apis/metrics.k8s.io/v1beta1/nodes';

  t.test('forged X-Remote-User without the front-proxy certificate is ignored', async (t) => {
    const r = await direct(nodes, { headers: { 'x-remote-user': 'kubernetes-admin', 'x-remote-group': 'system:masters' } });
    // Anonymous, not the forged admin: this server refuses anonymous API requests with 401
    // (upstream would authorize system:anonymous by SAR and answer 403); either way, no data.
    t.ok(r.status === 401 || r.status === 403, `refused with ${r.status}`);
    t.match(r.body, /"kind":"Status"/);
    t.notMatch(r.body, /NodeMetricsList|kubernetes-admin/);
  });

  t.test('forged X-Remote-User next to a cluster client certificate: the certificate decides', async (t) => {
    const viewerCert = await issueCert(c.pki.clusterCa, { cn: 'viewer', o: ['team-a-viewers'], clientAuth: true });
    const r = await direct(nodes, { cert: viewerCert, headers: { 'x-remote-user': 'kubernetes-admin', 'x-remote-group': 'system:masters' } });
    t.equal(r.status, 403);
    t.match(r.body, /User \\?"viewer\\?"/);
  });

  t.test('a front-proxy-CA certificate with a CN outside requestheader-allowed-names is refused', async (t) => {
    const evil = await issueCert(c.pki.frontProxyCa, { cn: 'evil-proxy', clientAuth: true });
    const r = await direct(nodes, { cert: evil, headers: { 'x-remote-user': 'kubernetes-admin', 'x-remote-group': 'system:masters' } });
    t.equal(r.status, 401);
    t.notMatch(r.body, /NodeMetricsList/);
  });

  t.test('the real front proxy: the user in the headers is authorized by SubjectAccessReview', async (t) => {
    const asViewer = { 'x-remote-user': 'viewer', 'x-remote-group': ['team-a-viewers', 'system:authenticated'] };
    const ok = await direct('/apis/metrics.k8s.io/v1beta1/namespaces/team-a/pods', { cert: frontProxy, headers: asViewer });
    t.equal(ok.status, 200);
    t.match(ok.body, /PodMetricsList/);
    const denied = await direct('/apis/metrics.k8s.io/v1beta1/namespaces/default/pods', { cert: frontProxy, headers: asViewer });
    t.equal(denied.status, 403);
    t.match(denied.body, /viewer/);
    const admin = await direct(nodes, { cert: frontProxy, headers: { 'x-remote-user': 'someone', 'x-remote-group': 'system:masters' } });
    t.equal(admin.status, 200, 'system:masters is always allowed');
  });

  t.test('bearer tokens are checked with TokenReview', async (t) => {
    const ok = await direct('/apis/metrics.k8s.io/v1beta1/namespaces/team-a/pods', { headers: { authorization: `Bearer ${c.pki.tokens.viewer}` } });
    t.equal(ok.status, 200);
    const denied = await direct(nodes, { headers: { authorization: `Bearer ${c.pki.tokens.viewer}` } });
    t.equal(denied.status, 403);
    const forged = await direct(nodes, { headers: { authorization: 'Bearer not-a-token' } });
    t.equal(forged.status, 401);
  });

  t.test('the cluster admin certificate (client-ca-file) works directly', async (t) => {
    const r = await direct(nodes, { cert: { cert: c.pki.adminClient.cert, key: c.pki.adminClient.key } });
    t.equal(r.status, 200);
    t.match(r.body, /"sim-node-1"/);
  });

  t.test('a request not answered within its ?timeout= gets the 504 Timeout Status', async (t) => {
    // A user the server has not authorized yet, while SubjectAccessReviews take 2 s.
    const slow = await issueCert(c.pki.clusterCa, { cn: 'slow-reviewed', o: ['team-a-viewers'], clientAuth: true });
    c.apiserver.reviewDelayMs = 2_000;
    t.teardown(() => (c.apiserver.reviewDelayMs = 0));
    const started = performance.now();
    const r = await direct('/apis/metrics.k8s.io/v1beta1/namespaces/team-a/pods?timeout=300ms', { cert: slow });
    const ms = performance.now() - started;
    t.equal(r.status, 504);
    t.same(JSON.parse(r.body), { metadata: {}, status: 'Failure', message: 'Timeout: request did not complete within the allotted timeout', reason: 'Timeout', details: {}, code: 504 });
    t.ok(ms >= 290 && ms < 1_900, `answered at the deadline, not after the review (${ms.toFixed(0)} ms)`);
    c.apiserver.reviewDelayMs = 0;
    await new Promise((res) => setTimeout(res, 2_000)); // the late review lands and is cached
    const after = await direct('/apis/metrics.k8s.io/v1beta1/namespaces/team-a/pods?timeout=300ms', { cert: slow });
    t.equal(after.status, 403, "the server carried on: the late review's decision (the policy binds user viewer only)");
    t.match(after.body, /slow-reviewed/);
  });

  t.test('a malformed ?timeout= is refused before authentication, as GAS refuses it', async (t) => {
    const bad = await direct(`${nodes}?timeout=soon`);
    t.equal(bad.status, 400);
    t.match(JSON.parse(bad.body), { kind: 'Status', reason: 'BadRequest', message: 'invalid timeout specified in the request URL - time: invalid duration "soon"' });
    t.equal((await direct(`${nodes}?timeout=5s`)).status, 401, 'a valid one: on to authentication');
    const admin = { cert: c.pki.adminClient.cert, key: c.pki.adminClient.key };
    t.equal((await direct(`${nodes}?timeout=5s`, { cert: admin })).status, 200);
    t.equal((await direct(`${nodes}?watch=true&timeout=soon`, { cert: admin })).status, 405, 'a watch reads timeoutSeconds, not timeout');
  });

  t.test('over HTTP/2: the same decisions and the same answers', async (t) => {
    const h2 = (path: string, opts: { cert?: { cert: string; key: string }; headers?: OutgoingHttpHeaders } = {}) =>
      h2Once(e.ms.port, path, { accept: 'application/json', ...opts.headers }, { ca: c.pki.clusterCa.cert, ...opts.cert }).then((r) => ({ status: r.status, body: r.body.toString('utf8'), type: r.headers.find(([n]) => n === 'content-type')?.[1] }));
    const forged = await h2(nodes, { headers: { 'x-remote-user': 'kubernetes-admin', 'x-remote-group': 'system:masters' } });
    t.equal(forged.status, 401, 'forged X-Remote-* without the front-proxy certificate');
    t.notMatch(forged.body, /NodeMetricsList/);
    const evil = await issueCert(c.pki.frontProxyCa, { cn: 'evil-proxy', clientAuth: true });
    t.equal((await h2(nodes, { cert: evil, headers: { 'x-remote-user': 'kubernetes-admin' } })).status, 401, 'a front-proxy-CA certificate outside the allowed names');
    const asViewer = { 'x-remote-user': 'viewer', 'x-remote-group': ['team-a-viewers', 'system:authenticated'] };
    const ok = await h2('/apis/metrics.k8s.io/v1beta1/namespaces/team-a/pods', { cert: frontProxy, headers: asViewer });
    t.equal(ok.status, 200, 'the real front proxy');
    t.match(ok.body, /PodMetricsList/);
    t.equal((await h2('/apis/metrics.k8s.io/v1beta1/namespaces/default/pods', { cert: frontProxy, headers: asViewer })).status, 403);
    t.equal((await h2(nodes, { headers: { authorization: `Bearer ${c.pki.tokens.viewer}` } })).status, 403, 'TokenReview, then SubjectAccessReview');
    t.equal((await h2(nodes, { headers: { authorization: 'Bearer not-a-token' } })).status, 401);
    t.equal((await h2(`${nodes}?timeout=soon`)).status, 400);

    // Answers that do not change between two requests: byte for byte as over HTTP/1.1.
    const admin = { cert: c.pki.adminClient.cert, key: c.pki.adminClient.key };
    for (const [path, accept] of [
      ['/healthz', 'text/plain'], ['/readyz?verbose', 'text/plain'], ['/livez', 'text/plain'], ['/version', 'application/json'],
      ['/apis', 'application/json'], ['/apis/metrics.k8s.io/v1beta1', 'application/json'], ['/apis/metrics.k8s.io/v1beta1', 'application/vnd.kubernetes.protobuf'],
      ['/openapi/v2', 'application/json'], ['/openapi/v3/apis/metrics.k8s.io/v1beta1', 'application/json'],
      ['/apis/metrics.k8s.io/v1beta1/namespaces/default/pods/nope', 'application/json'],
    ] as const) {
      const one = await direct(path, { cert: admin, headers: { accept } });
      const two = await h2(path, { cert: admin, headers: { accept } });
      t.same([two.status, two.body], [one.status, one.body], `${path} (${accept})`);
    }
    // Answers that move with the ticks: the same status and type, in every encoding.
    for (const [path, accept] of [
      ['/metrics', 'text/plain'], [nodes, 'application/json'], [nodes, 'application/vnd.kubernetes.protobuf'], [nodes, 'application/yaml'],
      [nodes, 'application/json;as=Table;v=v1;g=meta.k8s.io'], ['/apis/metrics.k8s.io/v1beta1/nodes/sim-node-1', 'application/vnd.kubernetes.protobuf'],
    ] as const) {
      const one = await direct(path, { cert: admin, headers: { accept } });
      const two = await h2(path, { cert: admin, headers: { accept } });
      t.same([two.status, two.type], [one.status, one.type], `${path} (${accept}): ${two.status} ${two.type}`);
    }
  });

  t.test('the metrics server asked the apiserver, not the headers', async (t) => {
    const reviews = c.apiserver.log.filter((l) => l.path === '/apis/authorization.k8s.io/v1/subjectaccessreviews');
    t.ok(reviews.length > 0, 'SubjectAccessReviews were created');
    t.ok(reviews.every((l) => l.user === 'system:serviceaccount:kube-system:metrics-server'));
  });
});
