// The aggregator speaks HTTP/2 to a service that offers it, as kube-aggregator's
// client-go transport does: every proxied request a stream of one connection,
// the same X-Remote-* identity (a header field per group), the response
// streamed back unchanged. It falls back to HTTP/1.1 for a service that offers
// only that, and stays on HTTP/1.1 when told to (client-go's DISABLE_HTTP2).
import t from 'tap';
import http2 from 'node:http2';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { startSimCluster, type SimCluster } from '../../src/sim/cluster.js';
import { simRequest } from '../helpers/sim-client.js';

interface Echo {
  version: string;
  url: string;
  peerCN: string | null;
  headers: Record<string, string[]>;
}

/** An echo service offering h2 and http/1.1, counting its connections. */
async function echoBackend(c: SimCluster) {
  let connections = 0;
  const server = http2.createSecureServer(
    { cert: c.pki.metricsServerServing.cert, key: c.pki.metricsServerServing.key, ca: c.pki.frontProxyCa.cert, requestCert: true, rejectUnauthorized: false, allowHTTP1: true },
    (req, res) => {
      if (req.url.endsWith('/teapot')) {
        res.writeHead(418, { 'content-type': 'application/vnd.kubernetes.protobuf', 'x-backend': 'yes' });
        res.write(Buffer.from([0x6b, 0x38, 0x73, 0x00]));
        setTimeout(() => res.end(Buffer.from([0x01, 0x02])), 20);
        return;
      }
      const raw = req.rawHeaders;
      const headers: Record<string, string[]> = {};
      for (let i = 0; i < raw.length; i += 2) if (!raw[i]!.startsWith(':')) (headers[raw[i]!.toLowerCase()] ??= []).push(raw[i + 1]!);
      const sock = (req.httpVersionMajor === 2 ? req.stream.session!.socket : req.socket) as TLSSocket;
      const echo: Echo = { version: req.httpVersion, url: req.url, peerCN: sock.authorized ? ((sock.getPeerCertificate().subject?.CN as string | undefined) ?? null) : null, headers };
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(echo));
    },
  );
  server.on('secureConnection', () => connections++);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return { port: (server.address() as AddressInfo).port, connections: () => connections, close: () => new Promise<void>((r) => server.close(() => r())) };
}

t.test('an HTTP/2 service', async (t) => {
  const c = await startSimCluster({ nodes: 1, podsPerNode: 2 });
  const backend = await echoBackend(c);
  t.teardown(async () => {
    await c.stop();
    await backend.close();
  });
  c.setMetricsServer({ url: `https://127.0.0.1:${backend.port}`, caBundle: c.pki.clusterCa.cert });
  const via = (path: string, opts: Parameters<typeof simRequest>[3] = {}) => simRequest(c, c.url, path, opts);

  const r = await via('/apis/metrics.k8s.io/v1beta1/namespaces/team-a/pods?labelSelector=app%3Dweb&z=1', { as: 'viewer', headers: { 'x-remote-user': 'system:admin', 'X-Remote-Group': 'system:masters' } });
  t.equal(r.status, 200);
  const echo = r.json<Echo>();
  t.equal(echo.version, '2.0', 'proxied over HTTP/2');
  t.equal(echo.peerCN, 'front-proxy-client', 'with the front-proxy certificate');
  t.equal(echo.url, '/apis/metrics.k8s.io/v1beta1/namespaces/team-a/pods?labelSelector=app%3Dweb&z=1');
  t.same(echo.headers['x-remote-user'], ['viewer']);
  t.same(echo.headers['x-remote-group'], ['team-a-viewers', 'system:authenticated'], 'a header field per group');
  t.notOk(echo.headers.authorization);
  t.notOk(echo.headers.host, 'the authority travels as :authority');

  const before = backend.connections();
  const many = await Promise.all(Array.from({ length: 30 }, () => via('/apis/metrics.k8s.io/v1beta1/nodes')));
  t.same(many.map((m) => m.json<Echo>().version), many.map(() => '2.0'));
  t.equal(backend.connections() - before, 0, 'all multiplexed on the open connection');
  t.ok(c.aggregator.sent.h2 >= 31);
  t.equal(c.aggregator.sent['http/1.1'], 0);

  const teapot = await via('/apis/metrics.k8s.io/v1beta1/teapot');
  t.equal(teapot.status, 418);
  t.equal(teapot.headers['x-backend'], 'yes');
  t.same([...Buffer.from(teapot.body, 'utf8')], [0x6b, 0x38, 0x73, 0x00, 0x01, 0x02], 'streamed back unchanged');

  c.setMetricsServer({ url: `https://127.0.0.1:${backend.port}`, caBundle: c.pki.frontProxyCa.cert });
  t.equal((await via('/apis/metrics.k8s.io/v1beta1/nodes')).status, 503, 'a serving certificate the CA bundle does not vouch for');
  await backend.close();
  c.setMetricsServer({ url: `https://127.0.0.1:${backend.port}`, caBundle: c.pki.clusterCa.cert });
  t.equal((await via('/apis/metrics.k8s.io/v1beta1/nodes')).status, 503, 'a service that is down');
});

t.test('HTTP/1.1 when told to, though the service offers HTTP/2', async (t) => {
  const c = await startSimCluster({ nodes: 1, podsPerNode: 2, aggregatorHttp2: false });
  const backend = await echoBackend(c);
  t.teardown(async () => {
    await c.stop();
    await backend.close();
  });
  c.setMetricsServer({ url: `https://127.0.0.1:${backend.port}`, caBundle: c.pki.clusterCa.cert });
  const echo = (await simRequest(c, c.url, '/apis/metrics.k8s.io/v1beta1/nodes')).json<Echo>();
  t.equal(echo.version, '1.1');
  t.same(echo.headers['x-remote-group'], ['system:masters', 'system:authenticated']);
  t.same(c.aggregator.sent, { h2: 0, 'http/1.1': 1 });
});
