// Trust looked up from ConfigMap kube-system/extension-apiserver-authentication
// (served by a stand-in kube-apiserver) and replaced when the ConfigMap changes.
import t, { type Test } from 'tap';
import type { ServerResponse } from 'node:http';
import { authenticationMiddleware, createAuthenticator } from '../../../src/server/authn/index.js';
import { createSecureServer } from '../../../src/server/https-server.js';
import { KubeAuthConfigMapReader } from '../../../src/kube/auth-configmap.js';
import { createLogger } from '../../../src/log.js';
import { createCA, issueCert } from '../../../src/util/pki.js';
import { appWith, closeServer, listen, send, sleep, StandInApiServer, tempDir } from './harness.js';

const CM_PATH = '/api/v1/namespaces/kube-system/configmaps/extension-apiserver-authentication';

const baseOptions = {
  requestheaderAllowedNames: [],
  requestheaderUsernameHeaders: ['x-remote-user'],
  requestheaderGroupHeaders: ['x-remote-group'],
  requestheaderExtraHeadersPrefix: ['x-remote-extra-'],
  requestheaderUidHeaders: [],
  authenticationSkipLookup: false,
  authenticationTolerateLookupFailure: false,
  authenticationTokenWebhookCacheTtlNs: 0,
};

function configMap(data: Record<string, string>) {
  return { body: { kind: 'ConfigMap', apiVersion: 'v1', metadata: { name: 'extension-apiserver-authentication', namespace: 'kube-system', resourceVersion: '1' }, data } };
}

async function until(t: Test, what: string, check: () => Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (await check()) return;
    await sleep(50);
  }
  t.fail(`timed out waiting for ${what}`);
}

/** A logger whose entries the test can read. */
function capturedLog() {
  const entries: { level: number; msg: string; err?: string }[] = [];
  const log = createLogger(0, 'json', { write: (line: string) => entries.push(JSON.parse(line) as (typeof entries)[number]) });
  return { log, logged: (re: RegExp) => entries.some((e) => re.test(e.msg)), entries };
}

const BAD_PEM = '-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----\n';

async function serve(t: Test, authn: Awaited<ReturnType<typeof createAuthenticator>>) {
  const dir = tempDir();
  const app = appWith(authenticationMiddleware(authn, []), (ctx) => {
    ctx.body = ctx.state.user;
  });
  const server = await createSecureServer({ certDir: dir.path, tlsMinVersion: 'VersionTLS12', tlsCipherSuites: [] }, app.callback());
  const port = await listen(server);
  t.teardown(async () => {
    await closeServer(server);
    authn.close();
    dir.remove();
  });
  return port;
}

t.test('CAs and request-header settings come from the ConfigMap and follow its changes', async (t) => {
  const api = await StandInApiServer.start();
  t.teardown(() => api.close());
  const [clientCA1, clientCA2, proxyCA1, proxyCA2] = await Promise.all([createCA('client-ca-1'), createCA('client-ca-2'), createCA('front-proxy-ca-1'), createCA('front-proxy-ca-2')]);
  const alice = await issueCert(clientCA1, { cn: 'alice', o: ['devs'], clientAuth: true });
  const carol = await issueCert(clientCA2, { cn: 'carol', clientAuth: true });
  const proxy1 = await issueCert(proxyCA1, { cn: 'front-proxy-client', clientAuth: true });
  const proxy2 = await issueCert(proxyCA2, { cn: 'front-proxy-client', clientAuth: true });
  let data: Record<string, string> = {
    'client-ca-file': clientCA1.cert,
    'requestheader-client-ca-file': proxyCA1.cert,
    'requestheader-allowed-names': '["front-proxy-client"]',
    'requestheader-username-headers': '["X-Remote-User"]',
    'requestheader-group-headers': '["X-Remote-Group"]',
    'requestheader-extra-headers-prefix': '["X-Remote-Extra-"]',
    'requestheader-uid-headers': '[]',
  };
  api.on(`GET ${CM_PATH}`, () => configMap(data));

  const authn = await createAuthenticator(baseOptions, { configMapReader: new KubeAuthConfigMapReader(api.kubeConfig()), configMapRefreshMs: 100 });
  const port = await serve(t, authn);
  const as = (c: { cert: string; key: string }, headers?: Record<string, string>) => send({ port, path: '/metrics', cert: c.cert, key: c.key, headers });

  const a = await as(alice);
  t.equal(a.status, 200);
  t.same(a.json.groups, ['devs', 'system:authenticated']);
  const p = await as(proxy1, { 'X-Remote-User': 'bob', 'X-Remote-Group': 'g1' });
  t.equal(p.status, 200);
  t.same([p.json.name, p.json.groups], ['bob', ['g1', 'system:authenticated']]);
  t.equal((await as(carol)).status, 401, 'a CA not in the ConfigMap is not trusted');
  t.equal(api.callsTo(CM_PATH)[0]!.headers.authorization, 'Bearer metrics-server-token', 'read with the authentication kubeconfig');

  // CA rotation in the cluster: kube-apiserver rewrites the ConfigMap.
  data = { ...data, 'client-ca-file': clientCA2.cert, 'requestheader-client-ca-file': proxyCA2.cert };
  await until(t, 'the new client CA', async () => (await as(carol)).status === 200);
  t.equal((await as(alice)).status, 401, 'the replaced client CA is no longer trusted');
  t.equal((await as(proxy1, { 'X-Remote-User': 'bob' })).status, 401, 'the replaced front-proxy CA is no longer trusted');
  const p2 = await as(proxy2, { 'X-Remote-User': 'bob' });
  t.equal(p2.status, 200);
  t.equal(p2.json.name, 'bob');

  // Header names come from the ConfigMap too.
  data = { ...data, 'requestheader-username-headers': '["X-Proxy-User"]' };
  await until(t, 'the new username header', async () => (await as(proxy2, { 'X-Proxy-User': 'dave' })).status === 200);
  t.equal((await as(proxy2, { 'X-Proxy-User': 'dave' })).json.name, 'dave');

  // An unparseable CA is ignored: the previous one stays.
  data = { ...data, 'client-ca-file': BAD_PEM };
  const calls = api.callsTo(CM_PATH).length;
  await until(t, 'a re-read', async () => api.callsTo(CM_PATH).length > calls + 1);
  t.equal((await as(carol)).status, 200, 'an unparseable CA does not replace the current one');
});

t.test('a ConfigMap watch brings changes without waiting for the periodic re-read', async (t) => {
  const api = await StandInApiServer.start();
  t.teardown(() => api.close());
  const [ca1, ca2] = await Promise.all([createCA('client-ca-1'), createCA('client-ca-2')]);
  const [u1, u2] = await Promise.all([issueCert(ca1, { cn: 'one', clientAuth: true }), issueCert(ca2, { cn: 'two', clientAuth: true })]);
  api.on(`GET ${CM_PATH}`, () => configMap({ 'client-ca-file': ca1.cert }));
  const watchers: ServerResponse[] = [];
  const resumedFrom: (string | null)[] = [];
  api.on('GET /api/v1/namespaces/kube-system/configmaps', (_b, call) => {
    t.equal(call.query.get('watch'), 'true');
    t.equal(call.query.get('fieldSelector'), 'metadata.name=extension-apiserver-authentication');
    // Ended by the server before client-node's 30 s idle abort, so no error every 30 s.
    t.ok(Number(call.query.get('timeoutSeconds')) > 0 && Number(call.query.get('timeoutSeconds')) < 30, 'timeoutSeconds below 30');
    resumedFrom.push(call.query.get('resourceVersion'));
    return { stream: (res) => watchers.push(res) };
  });
  const { log, logged } = capturedLog();
  const authn = await createAuthenticator(baseOptions, { configMapReader: new KubeAuthConfigMapReader(api.kubeConfig()), configMapRefreshMs: 60_000, log });
  const port = await serve(t, authn);
  const as = (c: { cert: string; key: string }) => send({ port, path: '/metrics', cert: c.cert, key: c.key });
  t.equal((await as(u1)).status, 200);
  t.equal((await as(u2)).status, 401);
  await until(t, 'the watch to open', async () => watchers.length > 0);
  const event = (type: string, data?: Record<string, string>) =>
    watchers.at(-1)!.write(JSON.stringify({ type, object: configMap(data ?? {}).body }) + '\n');
  event('MODIFIED', { 'client-ca-file': ca2.cert });
  await until(t, 'the watched CA change', async () => (await as(u2)).status === 200, 2000);
  t.equal((await as(u1)).status, 401);
  // As upstream, a deleted ConfigMap keeps the trust last loaded from it (kube-apiserver writes it again).
  event('DELETED');
  await until(t, 'the deletion', async () => logged(/not found; keeping/), 2000);
  t.equal((await as(u2)).status, 200, 'the client CA loaded before the deletion is still trusted');
  t.ok(authn.config.clientCA.current(), 'the client CA is kept');
  // The watch ends (kube-apiserver restarts it every few minutes): it is re-established.
  const opened = watchers.length;
  watchers.at(-1)!.end();
  await until(t, 'the watch to reopen', async () => watchers.length > opened);
  t.equal(resumedFrom[0], null, 'the first watch starts from the current state');
  t.equal(resumedFrom.at(-1), '1', 'the next one resumes from the last resourceVersion seen');
  event('ADDED', { 'client-ca-file': ca1.cert });
  await until(t, 'the re-watched CA', async () => (await as(u1)).status === 200, 2000);
  t.equal((await as(u2)).status, 401, 'the ConfigMap written again replaces the kept CA');
});

t.test('a deleted ConfigMap or a missing CA key keeps the trust last loaded (as upstream)', async (t) => {
  const api = await StandInApiServer.start();
  t.teardown(() => api.close());
  const [clientCA1, clientCA2, proxyCA] = await Promise.all([createCA('client-ca-1'), createCA('client-ca-2'), createCA('front-proxy-ca')]);
  const [alice, carol, proxy] = await Promise.all([
    issueCert(clientCA1, { cn: 'alice', clientAuth: true }),
    issueCert(clientCA2, { cn: 'carol', clientAuth: true }),
    issueCert(proxyCA, { cn: 'front-proxy-client', clientAuth: true }),
  ]);
  let data: Record<string, string> | undefined = {
    'client-ca-file': clientCA1.cert,
    'requestheader-client-ca-file': proxyCA.cert,
    'requestheader-allowed-names': '["front-proxy-client"]',
    'requestheader-username-headers': '["X-Proxy-User"]',
    'requestheader-group-headers': '["X-Proxy-Group"]',
    'requestheader-extra-headers-prefix': '[]',
    'requestheader-uid-headers': '[]',
  };
  api.on(`GET ${CM_PATH}`, () => (data ? configMap(data) : undefined)); // undefined: 404 NotFound
  const { log, logged } = capturedLog();
  const authn = await createAuthenticator(baseOptions, { configMapReader: new KubeAuthConfigMapReader(api.kubeConfig()), configMapRefreshMs: 100, log });
  const port = await serve(t, authn);
  const as = (c: { cert: string; key: string }, headers?: Record<string, string>) => send({ port, path: '/metrics', cert: c.cert, key: c.key, headers });
  const proxied = () => as(proxy, { 'X-Proxy-User': 'bob', 'X-Proxy-Group': 'g1' });
  const rereads = async (what: string) => {
    const calls = api.callsTo(CM_PATH).length;
    await until(t, what, async () => api.callsTo(CM_PATH).length > calls + 1);
  };
  t.equal((await as(alice)).status, 200);
  t.same((await proxied()).json, { name: 'bob', groups: ['g1', 'system:authenticated'], extra: {} });

  data = undefined;
  await until(t, 'the re-read finding no ConfigMap', async () => logged(/not found; keeping the CA bundles and request-header names/));
  await rereads('more re-reads without the ConfigMap');
  t.equal((await as(alice)).status, 200, 'client CA kept');
  t.same((await proxied()).json, { name: 'bob', groups: ['g1', 'system:authenticated'], extra: {} }, 'front-proxy CA and header names kept');

  data = { 'client-ca-file': '', 'requestheader-username-headers': '["X-Proxy-User"]', 'requestheader-group-headers': '["X-Proxy-Group"]' };
  await until(t, 'the re-read of the emptied keys', async () => logged(/has no client-ca-file; keeping/));
  await rereads('more re-reads with the keys emptied');
  t.equal((await as(alice)).status, 200, 'an empty client-ca-file keeps the client CA');
  t.equal((await proxied()).status, 200, 'an absent requestheader-client-ca-file keeps the front-proxy CA');
  t.ok(logged(/has no requestheader-client-ca-file; keeping/));

  data = { ...data, 'client-ca-file': clientCA2.cert };
  await until(t, 'the rotated client CA', async () => (await as(carol)).status === 200);
  t.equal((await as(alice)).status, 401, 'the replaced client CA is no longer trusted');
  t.equal((await proxied()).status, 200, 'the kept front-proxy CA still is');
});

t.test('each CA key is loaded on its own: a malformed one blocks neither the other nor start-up', async (t) => {
  const api = await StandInApiServer.start();
  t.teardown(() => api.close());
  const [clientCA1, clientCA2, proxyCA1, proxyCA2] = await Promise.all([createCA('client-ca-1'), createCA('client-ca-2'), createCA('front-proxy-ca-1'), createCA('front-proxy-ca-2')]);
  const [alice, carol, proxy1, proxy2] = await Promise.all([
    issueCert(clientCA1, { cn: 'alice', clientAuth: true }),
    issueCert(clientCA2, { cn: 'carol', clientAuth: true }),
    issueCert(proxyCA1, { cn: 'front-proxy-client', clientAuth: true }),
    issueCert(proxyCA2, { cn: 'front-proxy-client', clientAuth: true }),
  ]);
  const names = { 'requestheader-username-headers': '["X-Remote-User"]' };
  let data: Record<string, string> = { ...names, 'client-ca-file': BAD_PEM, 'requestheader-client-ca-file': proxyCA1.cert };
  api.on(`GET ${CM_PATH}`, () => configMap(data));
  const { log, logged } = capturedLog();
  // Not tolerated, yet a malformed CA does not fail start-up (upstream ignores CA load errors).
  const authn = await createAuthenticator(baseOptions, { configMapReader: new KubeAuthConfigMapReader(api.kubeConfig()), configMapRefreshMs: 100, log });
  const port = await serve(t, authn);
  const as = (c: { cert: string; key: string }, headers?: Record<string, string>) => send({ port, path: '/metrics', cert: c.cert, key: c.key, headers });
  const proxied = (c: { cert: string; key: string }) => as(c, { 'X-Remote-User': 'bob' });
  t.equal(authn.config.clientCA.current(), undefined, 'the malformed client CA is not loaded');
  t.ok(logged(/ignoring client-ca-file .*client certificate authentication will not work/));
  t.equal((await proxied(proxy1)).status, 200, 'the valid front-proxy CA in the same ConfigMap is loaded');

  data = { ...names, 'client-ca-file': clientCA1.cert, 'requestheader-client-ca-file': BAD_PEM };
  await until(t, 'the valid client CA', async () => (await as(alice)).status === 200);
  t.equal((await proxied(proxy1)).status, 200, 'the malformed front-proxy CA keeps the previous one');
  t.ok(logged(/ignoring requestheader-client-ca-file .*keeping the CA bundle last loaded/));

  data = { ...names, 'client-ca-file': BAD_PEM, 'requestheader-client-ca-file': proxyCA2.cert };
  await until(t, 'the rotated front-proxy CA', async () => (await proxied(proxy2)).status === 200);
  t.equal((await proxied(proxy1)).status, 401, 'the replaced front-proxy CA is no longer trusted');
  t.equal((await as(alice)).status, 200, 'the malformed client CA keeps the previous one');

  // Malformed request-header names keep the previous names, and hold back no CA.
  data = { 'requestheader-username-headers': 'X-Remote-User', 'client-ca-file': clientCA2.cert, 'requestheader-client-ca-file': proxyCA2.cert };
  await until(t, 'the rotated client CA', async () => (await as(carol)).status === 200);
  t.equal((await proxied(proxy2)).json.name, 'bob', 'the previous header names stay');
  t.ok(logged(/ignoring malformed request-header names/));
});

t.test('malformed request-header names at start-up are fatal unless tolerated, as before', async (t) => {
  const api = await StandInApiServer.start();
  t.teardown(() => api.close());
  api.on(`GET ${CM_PATH}`, () => configMap({ 'requestheader-group-headers': 'X-Remote-Group' }));
  const reader = new KubeAuthConfigMapReader(api.kubeConfig());
  await t.rejects(createAuthenticator(baseOptions, { configMapReader: reader }), /unable to load configmap based request-header-client-ca-file: .*requestheader-group-headers/);
  const tolerated = await createAuthenticator({ ...baseOptions, authenticationTolerateLookupFailure: true }, { configMapReader: reader });
  tolerated.close();
});

t.test('lookup failures: fatal unless tolerated; tolerated failures heal', async (t) => {
  const api = await StandInApiServer.start();
  t.teardown(() => api.close());
  const clientCA = await createCA('client-ca');
  const alice = await issueCert(clientCA, { cn: 'alice', clientAuth: true });
  let forbidden = true;
  api.on(`GET ${CM_PATH}`, () =>
    forbidden
      ? { status: 403, body: { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'forbidden', reason: 'Forbidden', code: 403 } }
      : configMap({ 'client-ca-file': clientCA.cert }),
  );
  const reader = new KubeAuthConfigMapReader(api.kubeConfig());

  await t.rejects(createAuthenticator(baseOptions, { configMapReader: reader }), /unable to load configmap based request-header-client-ca-file: .*extension-apiserver-authentication-reader/);
  await t.rejects(createAuthenticator(baseOptions, {}), /unable to load configmap based request-header-client-ca-file/, 'no kubeconfig to look up with');

  const authn = await createAuthenticator({ ...baseOptions, authenticationTolerateLookupFailure: true }, { configMapReader: reader, configMapRefreshMs: 100 });
  const port = await serve(t, authn);
  t.equal((await send({ port, path: '/metrics', cert: alice.cert, key: alice.key })).status, 401, 'no trust yet');
  forbidden = false;
  await until(t, 'the ConfigMap once readable', async () => (await send({ port, path: '/metrics', cert: alice.cert, key: alice.key })).status === 200);
});

t.test('a missing ConfigMap is no error; skip-lookup and CA flags avoid the lookup', async (t) => {
  const api = await StandInApiServer.start();
  t.teardown(() => api.close());
  const reader = new KubeAuthConfigMapReader(api.kubeConfig());
  const authn = await createAuthenticator(baseOptions, { configMapReader: reader });
  t.equal(authn.config.clientCA.current(), undefined);
  t.equal(authn.config.requestHeader.current(), undefined);
  authn.close();
  t.equal(api.callsTo(CM_PATH).length, 1);

  const skipped = await createAuthenticator({ ...baseOptions, authenticationSkipLookup: true }, { configMapReader: reader });
  skipped.close();
  t.equal(api.callsTo(CM_PATH).length, 1, 'skip-lookup never reads the ConfigMap');

  const dir = tempDir();
  t.teardown(() => dir.remove());
  const ca = await createCA('flag-ca');
  const both = await createAuthenticator(
    { ...baseOptions, clientCaFile: dir.file('a.crt', ca.cert), requestheaderClientCaFile: dir.file('b.crt', ca.cert) },
    { configMapReader: reader },
  );
  both.close();
  t.equal(api.callsTo(CM_PATH).length, 1, 'both CA flags given: nothing to look up');
  await t.rejects(createAuthenticator({ ...baseOptions, clientCaFile: dir.file('bad.crt', 'not a certificate') }, { configMapReader: reader }), /no certificates found/);
});

t.test('CA files given by flags are reloaded when they change on disk', async (t) => {
  const dir = tempDir();
  t.teardown(() => dir.remove());
  const [clientCA1, clientCA2, proxyCA1, proxyCA2] = await Promise.all([createCA('c1'), createCA('c2'), createCA('p1'), createCA('p2')]);
  const [u1, u2, p1, p2] = await Promise.all([
    issueCert(clientCA1, { cn: 'one', clientAuth: true }),
    issueCert(clientCA2, { cn: 'two', clientAuth: true }),
    issueCert(proxyCA1, { cn: 'proxy', clientAuth: true }),
    issueCert(proxyCA2, { cn: 'proxy', clientAuth: true }),
  ]);
  const clientFile = dir.file('client-ca.crt', clientCA1.cert);
  const proxyFile = dir.file('front-proxy-ca.crt', proxyCA1.cert);
  const authn = await createAuthenticator({ ...baseOptions, clientCaFile: clientFile, requestheaderClientCaFile: proxyFile }, { filePollMs: 100 });
  const port = await serve(t, authn);
  const as = (c: { cert: string; key: string }, headers?: Record<string, string>) => send({ port, path: '/metrics', cert: c.cert, key: c.key, headers });
  t.equal((await as(u1)).status, 200);
  t.equal((await as(p1, { 'X-Remote-User': 'bob' })).json.name, 'bob');

  dir.file('client-ca.crt', clientCA2.cert);
  dir.file('front-proxy-ca.crt', proxyCA2.cert);
  await until(t, 'the new client CA file', async () => (await as(u2)).status === 200);
  await until(t, 'the new front-proxy CA file', async () => (await as(p2, { 'X-Remote-User': 'bob' })).status === 200);
  t.equal((await as(u1)).status, 401, 'the replaced client CA is no longer trusted');
  t.equal((await as(p1, { 'X-Remote-User': 'bob' })).status, 401, 'the replaced front-proxy CA is no longer trusted');

  dir.file('client-ca.crt', 'garbage');
  await sleep(300);
  t.equal((await as(u2)).status, 200, 'a broken file does not replace the current bundle');
});
