import t from 'tap';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { startSimCluster } from '../../src/sim/cluster.js';
import { escapeExtraKey, goEncodeQuery } from '../../src/sim/aggregator.js';
import { simRequest } from '../helpers/sim-client.js';

interface Echo {
  method: string;
  url: string;
  peerCN: string | null;
  peerVerified: boolean;
  headers: Record<string, string[]>;
}

t.test('Go query encoding and extra-key escaping', async (t) => {
  t.equal(goEncodeQuery(new URLSearchParams('labelSelector=app%3Dweb,tier!%3Dx&b=1&a=2&a=1')), 'a=2&a=1&b=1&labelSelector=app%3Dweb%2Ctier%21%3Dx');
  t.equal(goEncodeQuery(new URLSearchParams('q=a b+c~')), 'q=a+b+c~', '+ decodes to space, space encodes as +');
  t.equal(escapeExtraKey('authentication.kubernetes.io/pod-name'), 'authentication.kubernetes.io%2Fpod-name');
  t.equal(escapeExtraKey('a%b é'), 'a%25b%20%C3%A9');
});

t.test('kube-aggregator proxy to an echo backend', async (t) => {
  const c = await startSimCluster({ nodes: 1, podsPerNode: 2 });
  t.teardown(() => c.stop());

  // The backend trusts only the front-proxy CA, as a metrics server's requestheader authenticator does.
  const backend = https.createServer(
    { cert: c.pki.metricsServerServing.cert, key: c.pki.metricsServerServing.key, ca: c.pki.frontProxyCa.cert, requestCert: true, rejectUnauthorized: false },
    (req, res) => {
      const sock = req.socket as TLSSocket;
      if (req.url?.startsWith('/apis/metrics.k8s.io/v1beta1/teapot')) {
        res.writeHead(418, { 'content-type': 'application/vnd.kubernetes.protobuf', 'x-backend': 'yes' });
        res.write(Buffer.from([0x6b, 0x38, 0x73, 0x00, 0xff]));
        setTimeout(() => res.end(Buffer.from([0x01, 0x02])), 20);
        return;
      }
      const echo: Echo = {
        method: req.method ?? '',
        url: req.url ?? '',
        peerCN: sock.authorized ? ((sock.getPeerCertificate().subject?.CN as string | undefined) ?? null) : null,
        peerVerified: sock.authorized,
        headers: Object.fromEntries(Object.entries(req.headersDistinct).map(([k, v]) => [k, v ?? []])),
      };
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(echo));
    },
  );
  await new Promise<void>((r) => backend.listen(0, '127.0.0.1', () => r()));
  const port = (backend.address() as AddressInfo).port;
  t.teardown(() => new Promise<void>((r) => { backend.closeAllConnections(); backend.close(() => r()); }));
  c.setMetricsServer({ url: `https://127.0.0.1:${port}`, caBundle: c.pki.clusterCa.cert });

  const via = (path: string, opts: Parameters<typeof simRequest>[3] = {}) => simRequest(c, c.url, path, opts);

  t.test('user identity travels in X-Remote-* over the front-proxy certificate', async (t) => {
    const r = await via('/apis/metrics.k8s.io/v1beta1/namespaces/team-a/pods?labelSelector=app%3Dweb,tier!%3Dx&z=1', {
      as: 'viewer',
      accept: 'application/vnd.kubernetes.protobuf, */*',
      headers: {
        'x-remote-user': 'system:admin',
        'X-Remote-Group': 'system:masters',
        'x-remote-extra-scopes': 'forged',
        'user-agent': 'kubectl/v1.35.2 (test)',
      },
    });
    t.equal(r.status, 200);
    const echo = r.json<Echo>();
    t.equal(echo.peerVerified, true, 'client certificate chains to the front-proxy CA');
    t.equal(echo.peerCN, 'front-proxy-client');
    t.equal(echo.url, '/apis/metrics.k8s.io/v1beta1/namespaces/team-a/pods?labelSelector=app%3Dweb%2Ctier%21%3Dx&z=1', 'query re-encoded as url.Values.Encode()');
    t.same(echo.headers['x-remote-user'], ['viewer'], 'forged user replaced');
    t.same(echo.headers['x-remote-group'], ['team-a-viewers', 'system:authenticated'], 'one header line per group, forged group gone');
    t.same(echo.headers['x-remote-uid'], ['viewer-uid-1']);
    t.same(echo.headers['x-remote-extra-authentication.kubernetes.io%2fcredential-id'], ['JTI=viewer-token']);
    t.notOk(echo.headers['x-remote-extra-scopes'], 'forged extra removed');
    t.notOk(echo.headers.authorization, "the client's bearer token is not forwarded");
    t.same(echo.headers.accept, ['application/vnd.kubernetes.protobuf, */*'], 'other headers pass through');
    t.same(echo.headers['user-agent'], ['kubectl/v1.35.2 (test)']);
    t.ok(echo.headers['audit-id']?.[0]);
  });

  t.test('admin by client certificate gets system:masters', async (t) => {
    const echo = (await via('/apis/metrics.k8s.io/v1beta1/nodes')).json<Echo>();
    t.same(echo.headers['x-remote-user'], ['kubernetes-admin']);
    t.same(echo.headers['x-remote-group'], ['system:masters', 'system:authenticated']);
  });

  t.test('the apiserver authorizes before proxying', async (t) => {
    const before = c.apiserver.log.length;
    const r = await via('/apis/metrics.k8s.io/v1beta1/namespaces/default/pods', { as: 'viewer' });
    t.equal(r.status, 403);
    t.match(r.json(), { reason: 'Forbidden', message: 'pods.metrics.k8s.io is forbidden: User "viewer" cannot list resource "pods" in API group "metrics.k8s.io" in the namespace "default"' });
    t.equal((await via('/apis/metrics.k8s.io/v1beta1/nodes', { as: 'viewer' })).status, 403);
    t.equal((await via('/apis/metrics.k8s.io/v1beta1/nodes', { as: { token: 'forged' } })).status, 401);
    t.equal((await via('/apis/metrics.k8s.io/v1beta1/nodes', { as: 'anonymous' })).status, 403);
    t.ok(c.apiserver.log.length > before);
  });

  t.test('discovery of the group version is proxied for any authenticated user', async (t) => {
    const r = await via('/apis/metrics.k8s.io/v1beta1', { as: 'viewer' });
    t.equal(r.json<Echo>().url, '/apis/metrics.k8s.io/v1beta1');
  });

  t.test('responses stream back unchanged', async (t) => {
    const r = await new Promise<{ status: number; type: string | undefined; extra: string | undefined; body: Buffer }>((resolve, reject) => {
      https
        .get({ host: '127.0.0.1', port: new URL(c.url).port, path: '/apis/metrics.k8s.io/v1beta1/teapot', ca: c.pki.clusterCa.cert, cert: c.pki.adminClient.cert, key: c.pki.adminClient.key }, (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (d: Buffer) => chunks.push(d));
          res.on('end', () => resolve({ status: res.statusCode!, type: res.headers['content-type'], extra: res.headers['x-backend'] as string | undefined, body: Buffer.concat(chunks) }));
        })
        .on('error', reject);
    });
    t.equal(r.status, 418);
    t.equal(r.type, 'application/vnd.kubernetes.protobuf');
    t.equal(r.extra, 'yes');
    t.same([...r.body], [0x6b, 0x38, 0x73, 0x00, 0xff, 0x01, 0x02]);
  });

  t.test('a serving certificate the CA bundle does not vouch for is refused', async (t) => {
    c.setMetricsServer({ url: `https://127.0.0.1:${port}`, caBundle: c.pki.frontProxyCa.cert });
    const r = await via('/apis/metrics.k8s.io/v1beta1/nodes');
    t.equal(r.status, 503);
    c.setMetricsServer({ url: `https://127.0.0.1:${port}`, insecureSkipTLSVerify: true });
    t.equal((await via('/apis/metrics.k8s.io/v1beta1/nodes')).status, 200, 'insecureSkipTLSVerify as the stock APIService');
  });

  t.test('503 service unavailable when the backend is down or unset', async (t) => {
    c.setMetricsServer({ url: 'https://127.0.0.1:1', insecureSkipTLSVerify: true });
    const r = await via('/apis/metrics.k8s.io/v1beta1/nodes');
    t.equal(r.status, 503);
    t.equal(r.body, 'service unavailable\n');
    c.setMetricsServer(undefined);
    t.equal((await via('/apis/metrics.k8s.io/v1beta1/nodes')).status, 503);
  });
});
