// The HTTPS listener: certificate files rotated on disk reach new connections
// while open connections keep going; bad files never replace good ones.
import t from 'tap';
import { Agent, request } from 'node:https';
import { renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TLSSocket } from 'node:tls';
import { X509Certificate } from 'node:crypto';
import { createSecureServer } from '../../src/server/https-server.js';
import { createCA, issueCert } from '../../src/util/pki.js';
import { closeServer, listen, sleep, tempDir } from './authn/harness.js';

interface Seen {
  fingerprint: string;
  reused: boolean;
  body: string;
}

function get(port: number, opts: { agent?: Agent; ca: string; cert?: string; key?: string }): Promise<Seen> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: '/', agent: opts.agent ?? false, ca: opts.ca, cert: opts.cert, key: opts.key, servername: 'localhost' }, (res) => {
      const fingerprint = (res.socket as TLSSocket).getPeerCertificate().fingerprint256;
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve({ fingerprint, reused: req.reusedSocket, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

const fp = (pem: string) => new X509Certificate(pem).fingerprint256;

t.test('serving certificate rotation', async (t) => {
  const dir = tempDir();
  const ca = await createCA('serving-ca');
  const issue = () => issueCert(ca, { cn: 'metrics-server', dns: ['localhost'], ips: ['127.0.0.1'], serverAuth: true });
  const [a, b, c] = await Promise.all([issue(), issue(), issue()]);
  const certFile = dir.file('tls.crt', a.cert);
  const keyFile = dir.file('tls.key', a.key);
  // Kubernetes Secret volumes swap files atomically; do the same.
  const replace = (file: string, content: string) => {
    const tmp = join(dir.path, `.tmp-${Date.now()}`);
    writeFileSync(tmp, content);
    renameSync(tmp, file);
  };

  const server = await createSecureServer(
    { tlsCertFile: certFile, tlsPrivateKeyFile: keyFile, certDir: dir.path, tlsMinVersion: 'VersionTLS12', tlsCipherSuites: [] },
    (req, res) => {
      const peer = (req.socket as TLSSocket).getPeerCertificate();
      res.end(peer.subject ? `client:${peer.subject.CN}` : 'no client cert');
    },
    { pollMs: 200 },
  );
  const port = await listen(server);
  const keepAlive = new Agent({ keepAlive: true, maxSockets: 1 });
  t.teardown(async () => {
    keepAlive.destroy();
    await closeServer(server);
    dir.remove();
  });

  const first = await get(port, { agent: keepAlive, ca: ca.cert });
  t.equal(first.fingerprint, fp(a.cert));

  replace(keyFile, b.key);
  replace(certFile, b.cert);
  let seen = '';
  for (let i = 0; i < 100 && seen !== fp(b.cert); i++) {
    await sleep(50);
    seen = (await get(port, { ca: ca.cert })).fingerprint;
  }
  t.equal(seen, fp(b.cert), 'new connections get the rotated certificate');
  const again = await get(port, { agent: keepAlive, ca: ca.cert });
  t.ok(again.reused, 'the open keep-alive connection was not dropped');
  t.equal(again.fingerprint, fp(a.cert), 'and keeps the certificate it was opened with');

  // A certificate whose key is not (yet) on disk is rejected; the previous pair stays.
  replace(certFile, c.cert);
  await sleep(500);
  t.equal((await get(port, { ca: ca.cert })).fingerprint, fp(b.cert), 'mismatched cert/key pair not applied');
  replace(keyFile, c.key);
  seen = '';
  for (let i = 0; i < 100 && seen !== fp(c.cert); i++) {
    await sleep(50);
    seen = (await get(port, { ca: ca.cert })).fingerprint;
  }
  t.equal(seen, fp(c.cert), 'applied once the matching key arrives');
});

t.test('client certificates are requested but not verified at the handshake', async (t) => {
  const dir = tempDir();
  const server = await createSecureServer({ certDir: dir.path, tlsMinVersion: 'VersionTLS12', tlsCipherSuites: [] }, (req, res) => {
    const peer = (req.socket as TLSSocket).getPeerCertificate();
    res.end(peer.subject ? `client:${peer.subject.CN}` : 'no client cert');
  });
  const port = await listen(server);
  t.teardown(async () => {
    await closeServer(server);
    dir.remove();
  });
  const servingCA = (await import('node:fs')).readFileSync(join(dir.path, 'apiserver.crt'), 'utf8');
  const unknownCA = await createCA('nobody-trusts-me');
  const client = await issueCert(unknownCA, { cn: 'someone', clientAuth: true });
  t.equal((await get(port, { ca: servingCA })).body, 'no client cert', 'optional');
  t.equal((await get(port, { ca: servingCA, cert: client.cert, key: client.key })).body, 'client:someone', 'accepted at the handshake, for the authenticators to judge');
});

t.test('start-up errors are clear', async (t) => {
  const dir = tempDir();
  t.teardown(() => dir.remove());
  const ca = await createCA('ca');
  const [a, b] = await Promise.all([issueCert(ca, { cn: 'a', serverAuth: true }), issueCert(ca, { cn: 'b', serverAuth: true })]);
  const base = { certDir: dir.path, tlsMinVersion: 'VersionTLS12', tlsCipherSuites: [] as string[] };
  await t.rejects(createSecureServer({ ...base, tlsCertFile: dir.file('a.crt', a.cert), tlsPrivateKeyFile: dir.file('b.key', b.key) }, () => {}), /invalid serving certificate/);
  await t.rejects(createSecureServer({ ...base, tlsCertFile: join(dir.path, 'missing.crt'), tlsPrivateKeyFile: join(dir.path, 'missing.key') }, () => {}), /ENOENT/);
  await t.rejects(createSecureServer({ ...base, tlsCipherSuites: ['TLS_FAKE_SUITE'] }, () => {}), /Cipher suite TLS_FAKE_SUITE not supported or doesn't exist/);
});

t.test('idle and header timeouts are GAS’s over both listeners', async (t) => {
  for (const disableHttp2Serving of [false, true]) {
    const dir = tempDir();
    const server = await createSecureServer({ certDir: dir.path, tlsMinVersion: 'VersionTLS12', tlsCipherSuites: [], disableHttp2Serving }, (_req, res) => res.end());
    // Go's transports keep idle connections 90 s: a server that closed them
    // sooner would race the aggregator reusing one.
    t.equal(server.keepAliveTimeout, 90_000, `HTTP/1.1 idle timeout (http2 ${disableHttp2Serving ? 'off' : 'on'})`);
    t.equal(server.headersTimeout, 32_000, `read header timeout (http2 ${disableHttp2Serving ? 'off' : 'on'})`);
    // Never listened: close() still emits 'close', which stops the certificate watchers.
    await new Promise<void>((resolve) => server.close(() => resolve()));
    dir.remove();
  }
});
