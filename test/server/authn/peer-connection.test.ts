// The client certificate chain is read once per connection: over HTTP/2 that is
// the session (every stream of the aggregator's connection), not the per-stream
// socket proxy a request's req.socket is there.
import t from 'tap';
import type { IncomingMessage } from 'node:http';
import { peerChain, type PeerChain } from '../../../src/server/authn/peer-certificates.js';
import { createSecureServer } from '../../../src/server/https-server.js';
import { createCA, issueCert } from '../../../src/util/pki.js';
import { h2Connect, h2Request } from '../../helpers/h2-client.js';
import { closeServer, listen, send, tempDir } from './harness.js';

t.test('one chain per connection, HTTP/2 and HTTP/1.1', async (t) => {
  const dir = tempDir();
  const ca = await createCA('front-proxy-ca');
  const proxy = await issueCert(ca, { cn: 'front-proxy-client', clientAuth: true });
  const seen: (PeerChain | undefined)[] = [];
  const server = await createSecureServer({ certDir: dir.path, tlsMinVersion: 'VersionTLS12', tlsCipherSuites: [] }, (req: IncomingMessage, res) => {
    seen.push(peerChain(req));
    res.end(req.httpVersion);
  });
  const port = await listen(server);
  t.teardown(async () => {
    await closeServer(server);
    dir.remove();
  });

  const a = h2Connect(port, { cert: proxy.cert, key: proxy.key });
  await Promise.all([h2Request(a, '/'), h2Request(a, '/'), h2Request(a, '/')]);
  t.ok(seen[0], 'the certificate is read over HTTP/2');
  t.equal(seen[0]!.leaf.subject, 'CN=front-proxy-client');
  t.ok(seen[1] === seen[0] && seen[2] === seen[0], 'every stream of a session gets the same chain object');
  const b = h2Connect(port, { cert: proxy.cert, key: proxy.key });
  await h2Request(b, '/');
  t.not(seen[3], seen[0], 'another session reads its own');
  await Promise.all([a.close(), b.close()]);

  const anonymous = h2Connect(port);
  await h2Request(anonymous, '/');
  t.equal(seen[4], undefined, 'no certificate, no chain');
  await anonymous.close();

  t.equal((await send({ port, path: '/', cert: proxy.cert, key: proxy.key })).text, '1.1');
  t.equal(seen[5]!.leaf.subject, 'CN=front-proxy-client', 'HTTP/1.1 as before');
});
