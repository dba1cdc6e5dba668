import t from 'tap';
import { createServer, request } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tlsCipherString, tlsMinVersion, tlsSettings, TlsConfigError } from '../../src/server/tls.js';
import { createCA, issueCert } from '../../src/util/pki.js';

t.test('--tls-min-version names map to Node.js versions', async (t) => {
  t.equal(tlsMinVersion('VersionTLS12'), 'TLSv1.2');
  t.equal(tlsMinVersion('VersionTLS13'), 'TLSv1.3');
  t.equal(tlsMinVersion('VersionTLS10'), 'TLSv1');
  t.throws(() => tlsMinVersion('TLS12'), TlsConfigError);
});

t.test('--tls-cipher-suites: IANA names to OpenSSL names', async (t) => {
  t.equal(tlsCipherString([]), undefined, 'empty keeps the defaults');
  t.equal(
    tlsCipherString(['TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256', 'TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256']),
    'ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-CHACHA20-POLY1305:TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256',
    'TLS 1.3 suites stay enabled, as Go does not let them be configured',
  );
  t.equal(tlsCipherString(['TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305', 'TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256']), 'ECDHE-RSA-CHACHA20-POLY1305:TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256', 'aliases deduplicated');
  t.throws(() => tlsCipherString(['TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256', 'ECDHE-RSA-AES128-GCM-SHA256']), { message: "Cipher suite ECDHE-RSA-AES128-GCM-SHA256 not supported or doesn't exist" }, 'OpenSSL names are not IANA names');
  t.throws(() => tlsCipherString(['TLS_RSA_WITH_RC4_128_SHA']), /not available in this Node.js build's OpenSSL/, 'known but unavailable is an error too');
});

t.test('the settings are enforced on the wire', async (t) => {
  const ca = await createCA('ca');
  const serving = await issueCert(ca, { cn: 'localhost', ips: ['127.0.0.1'], serverAuth: true });
  const settings = tlsSettings({ tlsMinVersion: 'VersionTLS13', tlsCipherSuites: [] });
  const server = createServer({ cert: serving.cert, key: serving.key, ...settings }, (_req, res) => res.end('ok'));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.teardown(() => new Promise<void>((r) => server.close(() => r())));
  const port = (server.address() as AddressInfo).port;
  const attempt = (maxVersion: 'TLSv1.2' | 'TLSv1.3') =>
    new Promise<string>((resolve) => {
      const req = request({ host: '127.0.0.1', port, ca: ca.cert, maxVersion, agent: false }, (res) => {
        res.resume();
        res.on('end', () => resolve(`ok ${res.statusCode}`));
      });
      req.on('error', (e) => resolve(`error ${(e as NodeJS.ErrnoException).code}`));
      req.end();
    });
  t.equal(await attempt('TLSv1.3'), 'ok 200');
  t.match(await attempt('TLSv1.2'), /^error /, 'a TLS 1.2 client is refused with VersionTLS13');
});
