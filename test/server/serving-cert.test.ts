import t from 'tap';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { X509Certificate } from 'node:crypto';
import { ensureServingCert, selfSignedAltNames } from '../../src/server/serving-cert.js';
import { tempDir } from './authn/harness.js';

t.test('self-signed certificate generated into --cert-dir and reused on restart', async (t) => {
  const dir = tempDir();
  t.teardown(() => dir.remove());
  const certDir = join(dir.path, 'apiserver.local.config', 'certificates');
  const first = await ensureServingCert({ certDir, advertiseAddress: '10.0.0.7' });
  t.same(first, { certFile: join(certDir, 'apiserver.crt'), keyFile: join(certDir, 'apiserver.key'), generated: true });
  const pem = readFileSync(first.certFile, 'utf8');
  const [leafPem, caPem] = pem.split(/(?<=-----END CERTIFICATE-----\n)/);
  const leaf = new X509Certificate(leafPem!);
  const ca = new X509Certificate(caPem!);
  t.ok(leaf.verify(ca.publicKey), 'the file holds the leaf then its CA');
  t.equal(leaf.checkHost('localhost'), 'localhost');
  t.equal(leaf.checkIP('127.0.0.1'), '127.0.0.1');
  t.equal(leaf.checkIP('10.0.0.7'), '10.0.0.7', 'valid for --advertise-address');
  t.equal(statSync(first.keyFile).mode & 0o777, 0o600, 'the key is private');

  const second = await ensureServingCert({ certDir, advertiseAddress: '10.0.0.7' });
  t.equal(second.generated, false);
  t.equal(readFileSync(second.certFile, 'utf8'), pem, 'reused, not regenerated');
});

t.test('flag files are used as given', async (t) => {
  t.same(await ensureServingCert({ certDir: '/nonexistent', tlsCertFile: '/etc/tls.crt', tlsPrivateKeyFile: '/etc/tls.key' }), { certFile: '/etc/tls.crt', keyFile: '/etc/tls.key', generated: false });
});

t.test('alternative names', async (t) => {
  t.same(selfSignedAltNames(), { dns: ['localhost'], ips: ['127.0.0.1'] });
  t.same(selfSignedAltNames('metrics.example.com'), { dns: ['localhost', 'metrics.example.com'], ips: ['127.0.0.1'] });
  t.same(selfSignedAltNames('fd00::1'), { dns: ['localhost'], ips: ['127.0.0.1', 'fd00::1'] });
});
