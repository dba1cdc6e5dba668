// Front-proxy authentication end to end over real HTTPS: forged identity headers
// are never honoured, and a verified proxy's identity reaches SubjectAccessReview
// exactly as sent.
import t, { type Test } from 'tap';
import { createSecureServer } from '../../../src/server/https-server.js';
import { authenticationMiddleware, createAuthenticator } from '../../../src/server/authn/index.js';
import { authorizationMiddleware, createAuthorizer } from '../../../src/server/authz/index.js';
import { KubeSubjectAccessReviewer } from '../../../src/kube/subject-access-review.js';
import { headersDistinct } from '../../../src/server/h2-request.js';
import { createCA, issueCert } from '../../../src/util/pki.js';
import { h2Connect, h2Request } from '../../helpers/h2-client.js';
import { appWith, type Json, closeServer, listen, send, StandInApiServer, subjectAccessReviewResponse, tempDir, frontProxyAuthnOptions } from './harness.js';

const SAR = '/apis/authorization.k8s.io/v1/subjectaccessreviews';
const UNAUTHORIZED = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'Unauthorized', reason: 'Unauthorized', code: 401 };

t.test('front-proxy authentication', async (t) => {
  const dir = tempDir();
  const api = await StandInApiServer.start();
  const proxyCA = await createCA('front-proxy-ca');
  const proxy = await issueCert(proxyCA, { cn: 'front-proxy-client', clientAuth: true });
  const rogueCA = await createCA('front-proxy-ca');
  const rogue = await issueCert(rogueCA, { cn: 'front-proxy-client', clientAuth: true });
  const otherCN = await issueCert(proxyCA, { cn: 'someone-else', clientAuth: true });
  const serverOnly = await issueCert(proxyCA, { cn: 'front-proxy-client', serverAuth: true });
  const clientCA = await createCA('client-ca');
  const alice = await issueCert(clientCA, { cn: 'alice', o: ['devs', 'ops'], clientAuth: true });
  const servingCA = await createCA('serving-ca');
  const serving = await issueCert(servingCA, { cn: 'metrics-server', ips: ['127.0.0.1'], serverAuth: true });

  api.on(`POST ${SAR}`, (req) => subjectAccessReviewResponse(req, { allowed: true }));
  const authn = await createAuthenticator(frontProxyAuthnOptions(dir, clientCA.cert, proxyCA.cert));
  const authz = createAuthorizer(
    { authorizationAlwaysAllowPaths: ['/healthz', '/readyz', '/livez'], authorizationWebhookCacheAuthorizedTtlNs: 0, authorizationWebhookCacheUnauthorizedTtlNs: 0 },
    { subjectAccessReviewer: new KubeSubjectAccessReviewer(api.kubeConfig()) },
  );
  const app = appWith(authenticationMiddleware(authn, ['/healthz', '/readyz', '/livez']), authorizationMiddleware(authz), (ctx) => {
    const leftover = Object.keys(ctx.req.headers).filter((h) => h.startsWith('x-remote'));
    const leftoverRaw = ctx.req.rawHeaders.filter((h, i) => i % 2 === 0 && h.toLowerCase().startsWith('x-remote'));
    ctx.body = { user: ctx.state.user, leftover, leftoverRaw, distinct: Object.keys(headersDistinct(ctx.req)).filter((h) => h.startsWith('x-remote')) };
  });
  const server = await createSecureServer(
    { tlsCertFile: dir.file('tls.crt', serving.cert), tlsPrivateKeyFile: dir.file('tls.key', serving.key), certDir: dir.path, tlsMinVersion: 'VersionTLS12', tlsCipherSuites: [] },
    app.callback(),
  );
  const port = await listen(server);
  t.teardown(async () => {
    await closeServer(server);
    authn.close();
    await api.close();
    dir.remove();
  });

  const forged = { 'X-Remote-User': 'admin', 'X-Remote-Group': 'system:masters' };
  const path = '/apis/metrics.k8s.io/v1beta1/namespaces/default/pods';

  t.test('forged headers without a client certificate are not honoured', async (t) => {
    const r = await send({ port, path, headers: forged, ca: servingCA.cert });
    t.equal(r.status, 401);
    t.same(r.json, UNAUTHORIZED);
    t.equal(api.callsTo(SAR).length, 0, 'never reaches authorization');
  });

  t.test('a rogue CA certificate with the allowed CN is not honoured', async (t) => {
    const r = await send({ port, path, headers: forged, cert: rogue.cert, key: rogue.key });
    t.equal(r.status, 401);
    t.same(r.json, UNAUTHORIZED);
  });

  t.test('a valid certificate whose CN is not allowed is not honoured', async (t) => {
    const r = await send({ port, path, headers: forged, cert: otherCN.cert, key: otherCN.key });
    t.equal(r.status, 401);
  });

  t.test('a proxy certificate without the ClientAuth usage is not honoured', async (t) => {
    const r = await send({ port, path, headers: forged, cert: serverOnly.cert, key: serverOnly.key });
    t.equal(r.status, 401);
  });

  t.test('forged headers on the always-allowed paths leave the request anonymous', async (t) => {
    const r = await send({ port, path: '/healthz', headers: forged });
    t.equal(r.status, 200);
    t.same(r.json.user, { name: 'system:anonymous', groups: ['system:unauthenticated'], extra: {} });
    t.same(r.json.leftover, []);
  });

  t.test('a verified proxy identity is passed to SubjectAccessReview exactly', async (t) => {
    const before = api.callsTo(SAR).length;
    const r = await send({
      port,
      path: `${path}?labelSelector=app%3Dweb`,
      cert: proxy.cert,
      key: proxy.key,
      headers: {
        'X-Remote-User': 'viewer',
        'X-Remote-Uid': 'uid-1234',
        'X-Remote-Group': ['devs', 'a,b', 'system:authenticated'],
        'X-Remote-Extra-Authentication.kubernetes.io%2Fpod-name': 'web-0',
        'X-Remote-Extra-Scopes': ['read', 'write'],
      },
    });
    t.equal(r.status, 200, r.text);
    const calls = api.callsTo(SAR).slice(before);
    t.equal(calls.length, 1);
    t.same(calls[0]!.body, {
      apiVersion: 'authorization.k8s.io/v1',
      kind: 'SubjectAccessReview',
      spec: {
        resourceAttributes: {
          namespace: 'default',
          verb: 'list',
          group: 'metrics.k8s.io',
          version: 'v1beta1',
          resource: 'pods',
          labelSelector: { requirements: [{ key: 'app', operator: 'In', values: ['web'] }] },
        },
        user: 'viewer',
        groups: ['devs', 'a,b', 'system:authenticated'],
        extra: { 'authentication.kubernetes.io/pod-name': ['web-0'], scopes: ['read', 'write'] },
        uid: 'uid-1234',
      },
    });
    t.equal(calls[0]!.headers.authorization, 'Bearer metrics-server-token', 'SAR made with the authorization kubeconfig credentials');
    t.same(r.json.user.groups, ['devs', 'a,b', 'system:authenticated'], 'system:authenticated not added twice');
    t.same(r.json.leftover, [], 'identity headers removed from req.headers');
    t.same(r.json.leftoverRaw, [], 'identity headers removed from rawHeaders');
    t.same(r.json.distinct, [], 'identity headers removed from headersDistinct');
  });

  t.test('over HTTP/2: the same identity, per stream, and the identity fields removed', async (t) => {
    const s = h2Connect(port, { cert: proxy.cert, key: proxy.key });
    t.teardown(() => s.close());
    const before = api.callsTo(SAR).length;
    const asViewer = {
      'x-remote-user': 'viewer',
      'x-remote-uid': 'uid-1234',
      'x-remote-group': ['devs', 'a,b', 'system:authenticated'],
      'x-remote-extra-authentication.kubernetes.io%2fpod-name': 'web-0',
      'x-remote-extra-scopes': ['read', 'write'],
    };
    const [r, other] = await Promise.all([h2Request(s, `${path}?labelSelector=app%3Dweb`, asViewer), h2Request(s, path, { 'x-remote-user': 'someone-else', 'x-remote-group': 'ops' })]);
    t.equal(r.status, 200);
    const json = JSON.parse(r.body.toString()) as Json;
    t.same(json.user, { name: 'viewer', uid: 'uid-1234', groups: ['devs', 'a,b', 'system:authenticated'], extra: { 'authentication.kubernetes.io/pod-name': ['web-0'], scopes: ['read', 'write'] } });
    t.same([json.leftover, json.leftoverRaw, json.distinct], [[], [], []], 'identity fields gone from headers, rawHeaders and headersDistinct');
    t.same((JSON.parse(other.body.toString()) as Json).user, { name: 'someone-else', groups: ['ops', 'system:authenticated'], extra: {} }, 'another stream of the connection, its own identity');
    t.same(api.callsTo(SAR).slice(before).map((c) => (c.body as Json).spec.user).sort(), ['someone-else', 'viewer']);
  });

  t.test('malformed extra keys and empty values do not break authentication', async (t) => {
    const r = await send({
      port,
      path: '/metrics',
      cert: proxy.cert,
      key: proxy.key,
      headers: {
        'X-Remote-User': 'viewer',
        'X-Remote-Extra-Bad%ZZkey': 'v',
        'X-Remote-Extra-Trailing%2': 't',
        'X-Remote-Extra-%E2%82%AC': 'euro',
        'X-Remote-Extra-Byte%FF': 'byte',
        'X-Remote-Extra-A+b%2Fc': 'plus',
        'X-Remote-Extra-': 'empty key',
        'X-Remote-Group': ['', 'g'],
      },
    });
    t.equal(r.status, 200, r.text);
    // As Go's url.PathUnescape: %XX is a byte (%FF alone is not UTF-8, sent on as U+FFFD), "+" stays.
    t.same(
      r.json.user.extra,
      { 'bad%zzkey': ['v'], 'trailing%2': ['t'], '€': ['euro'], 'byte\ufffd': ['byte'], 'a+b/c': ['plus'], '': ['empty key'] },
      'undecodable keys stay lowercased and raw; valid escapes decode; an empty key counts',
    );
    t.same(r.json.user.groups, ['g', 'system:authenticated'], 'empty group values are skipped');
  });

  t.test('a proxy naming system:anonymous does not put it in system:authenticated', async (t) => {
    const r = await send({ port, path: '/metrics', cert: proxy.cert, key: proxy.key, headers: { 'X-Remote-User': 'system:anonymous', 'X-Remote-Group': 'devs' } });
    t.equal(r.status, 200, r.text);
    t.same(r.json.user, { name: 'system:anonymous', groups: ['devs'], extra: {} });
    t.same((api.callsTo(SAR).at(-1)!.body as Json).spec.groups, ['devs']);
  });

  t.test('extra keys named like Object.prototype members are plain keys', async (t) => {
    const r = await send({
      port,
      path: '/metrics',
      cert: proxy.cert,
      key: proxy.key,
      headers: { 'X-Remote-User': 'viewer', 'X-Remote-Extra-Constructor': 'a', 'X-Remote-Extra-__proto__': 'b', 'X-Remote-Extra-toString': 'c' },
    });
    t.equal(r.status, 200, r.text);
    t.same(r.json.user.extra, { constructor: ['a'], ['__proto__']: ['b'], tostring: ['c'] });
    t.same(Object.keys(r.json.user.extra).sort(), ['__proto__', 'constructor', 'tostring']);
  });

  /** A second server trusting front-proxy certificates from caFile, answering with the user it authenticated. */
  const proxyServer = async (t: Test, caFile: string, extraPrefixes: string[], certDir: string): Promise<number> => {
    const authn2 = await createAuthenticator({
      requestheaderClientCaFile: caFile,
      requestheaderAllowedNames: [],
      requestheaderUsernameHeaders: ['x-remote-user'],
      requestheaderGroupHeaders: ['x-remote-group'],
      requestheaderExtraHeadersPrefix: extraPrefixes,
      requestheaderUidHeaders: [],
      authenticationSkipLookup: true,
      authenticationTolerateLookupFailure: false,
      authenticationTokenWebhookCacheTtlNs: 0,
    });
    const app2 = appWith(authenticationMiddleware(authn2, []), (ctx) => {
      ctx.body = ctx.state.user;
    });
    const server2 = await createSecureServer(
      { tlsCertFile: dir.path + '/tls.crt', tlsPrivateKeyFile: dir.path + '/tls.key', certDir, tlsMinVersion: 'VersionTLS12', tlsCipherSuites: [] },
      app2.callback(),
    );
    t.teardown(async () => {
      await closeServer(server2);
      authn2.close();
    });
    return listen(server2);
  };

  t.test('the proxy certificate may chain through an intermediate it sends', async (t) => {
    const root = await createCA('front-proxy-root');
    const dir2 = tempDir();
    t.teardown(() => dir2.remove());
    // Chain: root → intermediate (a CA signed by root) → proxy leaf.
    const { issueIntermediate } = await import('./x509-helpers.js');
    const intermediate = await issueIntermediate(root, 'front-proxy-intermediate');
    const leaf = await issueCert(intermediate, { cn: 'front-proxy-client', clientAuth: true });
    const port2 = await proxyServer(t, dir2.file('root.crt', root.cert), ['x-remote-extra-'], dir2.path);
    const ok = await send({ port: port2, path: '/metrics', cert: leaf.cert + intermediate.cert, key: leaf.key, headers: { 'X-Remote-User': 'viewer' } });
    t.equal(ok.status, 200, ok.text);
    t.same(ok.json, { name: 'viewer', groups: ['system:authenticated'], extra: {} });
    const withoutIntermediate = await send({ port: port2, path: '/metrics', cert: leaf.cert, key: leaf.key, headers: { 'X-Remote-User': 'viewer' } });
    t.equal(withoutIntermediate.status, 401, 'the leaf alone does not chain to the root');
  });

  t.test('a header matching two extra prefixes is recorded under both', async (t) => {
    const port2 = await proxyServer(t, dir.file('front-proxy-ca-2.crt', proxyCA.cert), ['X-Remote-Extra-', 'X-Remote-Extra-Scope-'], dir.path);
    const r = await send({ port: port2, path: '/metrics', cert: proxy.cert, key: proxy.key, headers: { 'X-Remote-User': 'viewer', 'X-Remote-Extra-Scope-Read': 'yes', 'X-Remote-Extra-Team': 'a' } });
    t.equal(r.status, 200, r.text);
    t.same(r.json.extra, { 'scope-read': ['yes'], team: ['a'], read: ['yes'] });
  });

  t.test('a proxy certificate without a username header does not authenticate', async (t) => {
    const r = await send({ port, path, cert: proxy.cert, key: proxy.key, headers: { 'X-Remote-Group': 'system:masters' } });
    t.equal(r.status, 401, 'the certificate is not from the client CA either');
  });

  t.test('client certificates from --client-ca-file: user = CN, groups = O; identity headers ignored', async (t) => {
    const r = await send({ port, path: '/metrics', cert: alice.cert, key: alice.key, headers: forged });
    t.equal(r.status, 200, r.text);
    t.equal(r.json.user.name, 'alice');
    t.same(r.json.user.groups, ['devs', 'ops', 'system:authenticated']);
    t.match(r.json.user.extra['authentication.kubernetes.io/credential-id'][0], /^X509SHA256=[0-9a-f]{64}$/);
    t.same(r.json.leftover, []);
    const sar = api.callsTo(SAR).at(-1)!.body as Json;
    t.same(sar.spec.nonResourceAttributes, { path: '/metrics', verb: 'get' });
    t.equal(sar.spec.user, 'alice');
  });

  t.test('anonymous requests outside the always-allowed paths get 401', async (t) => {
    const r = await send({ port, path: '/metrics' });
    t.equal(r.status, 401);
    t.same(r.json, UNAUTHORIZED);
    const sub = await send({ port, path: '/readyz/metric-storage-ready' });
    t.equal(sub.status, 401, 'always-allowed paths match exactly');
  });
});
