import t from 'tap';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { clientCredentials } from '../../src/kube/credentials.js';

function kc(user: Record<string, unknown>, cluster: Record<string, unknown> = {}): KubeConfig {
  const k = new KubeConfig();
  k.loadFromOptions({
    clusters: [{ name: 'c', server: 'https://127.0.0.1:6443', ...cluster }],
    users: [{ name: 'u', ...user }],
    contexts: [{ name: 'x', cluster: 'c', user: 'u' }],
    currentContext: 'x',
  });
  return k;
}

t.test('bearer token, CA, client certificate and insecure-skip-tls-verify come from the kubeconfig', async (t) => {
  const c = await clientCredentials(
    kc({ token: 'abc', certData: Buffer.from('CERT').toString('base64'), keyData: Buffer.from('KEY').toString('base64') }, { caData: Buffer.from('CA').toString('base64') }),
  );
  t.same(c.headers, { Authorization: 'Bearer abc' });
  t.equal(String(c.tls.ca), 'CA');
  t.equal(String(c.tls.cert), 'CERT');
  t.equal(String(c.tls.key), 'KEY');
  t.equal(c.tls.rejectUnauthorized, undefined);
  const insecure = await clientCredentials(kc({ token: 'abc' }, { skipTLSVerify: true }));
  t.equal(insecure.tls.rejectUnauthorized, false);
});

t.test('basic auth becomes an Authorization header', async (t) => {
  const c = await clientCredentials(kc({ username: 'admin', password: 'pw' }));
  t.equal(c.headers.Authorization, `Basic ${Buffer.from('admin:pw').toString('base64')}`);
});

t.test('the in-cluster service account token file supplies the bearer token', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'sa-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const tokenFile = join(dir, 'token');
  writeFileSync(tokenFile, 'first');
  const k = kc({ authProvider: { name: 'tokenFile', config: { tokenFile } } });
  t.equal((await clientCredentials(k)).headers.Authorization, 'Bearer first');
});
