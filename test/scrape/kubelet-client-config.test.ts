import t from 'tap';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { parseOptions } from '../../src/options.js';
import { kubeletClientConfig } from '../../src/scrape/kubelet-client-config.js';

const dir = mkdtempSync(join(tmpdir(), 'kubelet-cfg-'));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));
const file = (name: string, body: string) => {
  const p = join(dir, name);
  writeFileSync(p, body);
  return p;
};
const b64 = (s: string) => Buffer.from(s).toString('base64');

function kubeConfig(user: Record<string, unknown>, cluster: Record<string, unknown> = { caData: b64('CLUSTER-CA') }): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'c', server: 'https://127.0.0.1:6443', ...cluster }],
    users: [{ name: 'u', ...user }],
    contexts: [{ name: 'ctx', cluster: 'c', user: 'u' }],
    currentContext: 'ctx',
  });
  return kc;
}

const text = (b: unknown) => (Buffer.isBuffer(b) ? b.toString() : b);

t.test('defaults: the cluster CA verifies kubelets, the bearer token authenticates', async (t) => {
  const cfg = await kubeletClientConfig(parseOptions([]), kubeConfig({ token: 'sa-token' }));
  t.equal(text(cfg.tls.ca), 'CLUSTER-CA');
  t.equal(cfg.tls.rejectUnauthorized, undefined, 'verification on');
  t.same(await cfg.credentials!(), { Authorization: 'Bearer sa-token' });
  t.equal(cfg.source, 'summary');
  t.equal(cfg.port, 10250);
  t.equal(cfg.useNodeStatusPort, false);
  t.same(cfg.preferredAddressTypes, ['Hostname', 'InternalDNS', 'InternalIP', 'ExternalDNS', 'ExternalIP']);
  t.equal(cfg.requestTimeoutMs, 10_000);
  t.equal(cfg.maxResponseBytes, 64 * 1024 * 1024);
});

t.test('flags: CA file replaces the cluster CA, client cert flags replace the kubeconfig cert, token kept', async (t) => {
  const o = parseOptions([
    `--kubelet-certificate-authority=${file('ca.crt', 'KUBELET-CA')}`,
    `--kubelet-client-certificate=${file('c.crt', 'FLAG-CERT')}`,
    `--kubelet-client-key=${file('c.key', 'FLAG-KEY')}`,
    '--kubelet-source=resource',
    '--kubelet-port=4443',
    '--kubelet-use-node-status-port',
    '--kubelet-preferred-address-types=InternalIP,ExternalIP',
    '--kubelet-request-timeout=3s',
    '--kubelet-max-response-bytes=1Mi',
  ]);
  const cfg = await kubeletClientConfig(o, kubeConfig({ token: 't', certData: b64('KC-CERT'), keyData: b64('KC-KEY') }));
  t.equal(text(cfg.tls.ca), 'KUBELET-CA');
  t.equal(text(cfg.tls.cert), 'FLAG-CERT');
  t.equal(text(cfg.tls.key), 'FLAG-KEY');
  t.same(await cfg.credentials!(), { Authorization: 'Bearer t' });
  t.equal(cfg.source, 'resource');
  t.equal(cfg.port, 4443);
  t.equal(cfg.useNodeStatusPort, true);
  t.same(cfg.preferredAddressTypes, ['InternalIP', 'ExternalIP']);
  t.equal(cfg.requestTimeoutMs, 3000);
  t.equal(cfg.maxResponseBytes, 1024 * 1024);
});

t.test('kubeconfig client certificate is used without flags; no token → no Authorization', async (t) => {
  const cfg = await kubeletClientConfig(parseOptions([]), kubeConfig({ certData: b64('KC-CERT'), keyData: b64('KC-KEY') }));
  t.equal(text(cfg.tls.cert), 'KC-CERT');
  t.equal(text(cfg.tls.key), 'KC-KEY');
  t.same(await cfg.credentials!(), {});
});

t.test('--kubelet-insecure-tls drops verification and the CA', async (t) => {
  const cfg = await kubeletClientConfig(parseOptions(['--kubelet-insecure-tls']), kubeConfig({ token: 't' }));
  t.equal(cfg.tls.rejectUnauthorized, false);
  t.equal(cfg.tls.ca, undefined);
});

t.test('the apiserver tls-server-name and impersonation are not sent to kubelets', async (t) => {
  const cfg = await kubeletClientConfig(
    parseOptions([]),
    kubeConfig({ token: 't', impersonateUser: 'someone' }, { caData: b64('CA'), tlsServerName: 'kubernetes.default' }),
  );
  t.equal(cfg.tls.servername, undefined);
  t.same(await cfg.credentials!(), { Authorization: 'Bearer t' });
});

t.test('an unreadable flag file is a clear error naming the flag', async (t) => {
  await t.rejects(kubeletClientConfig(parseOptions(['--kubelet-certificate-authority=/nonexistent/ca.crt']), kubeConfig({ token: 't' })), /--kubelet-certificate-authority: cannot read \/nonexistent\/ca\.crt/);
});

t.test('the files the CA and client certificate were read from are named for reloading; inline data is not', async (t) => {
  const ca = file('reload-ca.crt', 'KUBELET-CA');
  const cert = file('reload.crt', 'FLAG-CERT');
  const key = file('reload.key', 'FLAG-KEY');
  const flags = await kubeletClientConfig(
    parseOptions([`--kubelet-certificate-authority=${ca}`, `--kubelet-client-certificate=${cert}`, `--kubelet-client-key=${key}`]),
    kubeConfig({ token: 't', certData: b64('KC-CERT'), keyData: b64('KC-KEY') }),
  );
  t.same(flags.tlsFiles, { ca, cert, key }, 'the flags');

  const kcCa = file('kc-ca.crt', 'KC-CA');
  const kcCert = file('kc.crt', 'KC-CERT');
  const kcKey = file('kc.key', 'KC-KEY');
  const kubeconfigFiles = await kubeletClientConfig(parseOptions([]), kubeConfig({ certFile: kcCert, keyFile: kcKey }, { caFile: kcCa }));
  t.equal(text(kubeconfigFiles.tls.ca), 'KC-CA');
  t.equal(text(kubeconfigFiles.tls.cert), 'KC-CERT');
  t.same(kubeconfigFiles.tlsFiles, { ca: kcCa, cert: kcCert, key: kcKey }, "the kubeconfig's certificate-authority, client-certificate and client-key");

  const inline = await kubeletClientConfig(parseOptions([]), kubeConfig({ certData: b64('KC-CERT'), keyData: b64('KC-KEY') }));
  t.equal(inline.tlsFiles, undefined, 'inline data: nothing to re-read');

  // As client-go: a certificate is reloaded only when its key is a file too; --kubelet-insecure-tls drops the CA.
  const mixed = await kubeletClientConfig(parseOptions(['--kubelet-insecure-tls']), kubeConfig({ certFile: kcCert, keyData: b64('KC-KEY') }, { caFile: kcCa }));
  t.equal(text(mixed.tls.cert), 'KC-CERT');
  t.equal(mixed.tlsFiles, undefined);
});
