// A resumed TLS session carries no client certificates on the wire: the leaf is
// known from the session, the intermediates from the earlier full handshake.
import t from 'tap';
import { request, type RequestOptions } from 'node:https';
import type { ConnectionOptions, TLSSocket } from 'node:tls';
import { authenticationMiddleware, createAuthenticator } from '../../../src/server/authn/index.js';
import { createSecureServer } from '../../../src/server/https-server.js';
import { createCA, issueCert } from '../../../src/util/pki.js';
import { appWith, closeServer, listen, tempDir } from './harness.js';
import { issueIntermediate } from './x509-helpers.js';

t.test('front-proxy certificate with an intermediate, on a resumed session', async (t) => {
  const dir = tempDir();
  const root = await createCA('front-proxy-root');
  const intermediate = await issueIntermediate(root, 'front-proxy-intermediate');
  const leaf = await issueCert(intermediate, { cn: 'front-proxy-client', clientAuth: true });
  const authn = await createAuthenticator({
    requestheaderClientCaFile: dir.file('root.crt', root.cert),
    requestheaderAllowedNames: ['front-proxy-client'],
    requestheaderUsernameHeaders: ['x-remote-user'],
    requestheaderGroupHeaders: ['x-remote-group'],
    requestheaderExtraHeadersPrefix: ['x-remote-extra-'],
    requestheaderUidHeaders: [],
    authenticationSkipLookup: true,
    authenticationTolerateLookupFailure: false,
    authenticationTokenWebhookCacheTtlNs: 0,
  });
  const app = appWith(authenticationMiddleware(authn, []), (ctx) => {
    ctx.body = ctx.state.user.name;
  });
  const server = await createSecureServer({ certDir: dir.path, tlsMinVersion: 'VersionTLS12', tlsCipherSuites: [] }, app.callback());
  const port = await listen(server);
  t.teardown(async () => {
    await closeServer(server);
    authn.close();
    dir.remove();
  });

  let session: Buffer | undefined;
  const get = () =>
    new Promise<{ status: number; body: string; reused: boolean }>((resolve, reject) => {
      // https.RequestOptions lacks the tls "session" option that Node.js passes through.
      const opts: RequestOptions & ConnectionOptions = { host: '127.0.0.1', port, path: '/metrics', headers: { 'X-Remote-User': 'viewer' }, cert: leaf.cert + intermediate.cert, key: leaf.key, rejectUnauthorized: false, agent: false, session };
      const req = request(
        opts,
        (res) => {
          const sock = res.socket as TLSSocket;
          let body = '';
          res.on('data', (c: Buffer) => (body += c.toString()));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body, reused: sock.isSessionReused() }));
        },
      );
      req.on('socket', (s) => s.on('session', (b: Buffer) => (session = b)));
      req.on('error', reject);
      req.end();
    });

  const first = await get();
  t.same([first.status, first.body, first.reused], [200, 'viewer', false]);
  t.ok(session, 'the server issued a session ticket');
  const resumed = await get();
  t.ok(resumed.reused, 'the second connection resumed the session');
  t.same([resumed.status, resumed.body], [200, 'viewer'], 'and is still authenticated through the intermediate');
});
