// The listener offers HTTP/2 and HTTP/1.1 by ALPN, as GAS does (only HTTP/1.1
// with --disable-http2-serving), advertises GAS's HTTP/2 limits, and keeps the
// TLS settings, the requested-but-unverified client certificates and the
// certificate reload for HTTP/2 connections too.
import t, { type Test } from 'tap';
import { X509Certificate } from 'node:crypto';
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { connect, type TLSSocket } from 'node:tls';
import type { IncomingMessage } from 'node:http';
import { createSecureServer, type ServingOptions } from '../../src/server/https-server.js';
import { createCA, issueCert } from '../../src/util/pki.js';
import { h2Connect, h2Request } from '../helpers/h2-client.js';
import { closeServer, listen, send, sleep, tempDir } from './authn/harness.js';

const BASE = { tlsMinVersion: 'VersionTLS12', tlsCipherSuites: [] as string[] };

/** What the server saw: protocol, and the client certificate's CN on the request's connection. */
function whoami(req: IncomingMessage): string {
  const peer = (req.socket as TLSSocket).getPeerCertificate();
  return `HTTP/${req.httpVersion} ${peer.subject ? `client:${peer.subject.CN}` : 'no client cert'}`;
}

async function start(t: Test, opts: Partial<ServingOptions> = {}) {
  const dir = tempDir();
  const server = await createSecureServer({ certDir: dir.path, ...BASE, ...opts }, (req, res) => res.end(whoami(req)), { pollMs: 200 });
  const port = await listen(server);
  t.teardown(async () => {
    await closeServer(server);
    dir.remove();
  });
  return { port, dir, server };
}

/** The protocol the server picks from the client's ALPN list, or the handshake error. */
function alpn(port: number, protocols: string[] | undefined, extra: { maxVersion?: 'TLSv1.2' } = {}): Promise<string> {
  return new Promise((resolve) => {
    const s = connect({ host: '127.0.0.1', port, rejectUnauthorized: false, ALPNProtocols: protocols, ...extra }, () => {
      resolve(String(s.alpnProtocol));
      s.destroy();
    });
    s.on('error', (e: NodeJS.ErrnoException) => resolve(`error ${e.code}`));
  });
}

t.test('ALPN: h2 first, then http/1.1; only http/1.1 with --disable-http2-serving', async (t) => {
  const on = await start(t);
  t.equal(await alpn(on.port, ['h2', 'http/1.1']), 'h2');
  t.equal(await alpn(on.port, ['http/1.1', 'h2']), 'h2', 'the server prefers h2');
  t.equal(await alpn(on.port, ['http/1.1']), 'http/1.1');
  t.equal(await alpn(on.port, undefined), 'false', 'no ALPN: HTTP/1.1 as before');
  t.equal((await send({ port: on.port, path: '/' })).text, 'HTTP/1.1 no client cert', 'an HTTP/1.1 client without ALPN is served');
  const h2 = h2Connect(on.port);
  t.equal((await h2Request(h2, '/')).body.toString(), 'HTTP/2.0 no client cert', 'an HTTP/2 client is served');
  await h2.close();

  const off = await start(t, { disableHttp2Serving: true });
  t.equal(await alpn(off.port, ['h2', 'http/1.1']), 'http/1.1');
  t.match(await alpn(off.port, ['h2']), /^error ERR_SSL_TLSV1_ALERT_NO_APPLICATION_PROTOCOL$/, 'an h2-only client is refused');
  t.equal((await send({ port: off.port, path: '/' })).text, 'HTTP/1.1 no client cert');
});

t.test("SETTINGS: GAS's stream limit, 256 KiB windows and frames, a connection window per stream", async (t) => {
  for (const [flag, streams] of [[undefined, 250], [7n, 7], [-1n, 250]] as const) {
    const { port } = await start(t, flag === undefined ? {} : { http2MaxStreamsPerConnection: flag });
    const s = h2Connect(port);
    const settings = await s.settings;
    t.equal(settings.maxConcurrentStreams, streams, `--http2-max-streams-per-connection=${flag ?? 'unset'}`);
    t.equal(settings.initialWindowSize, 256 * 1024);
    t.equal(settings.maxFrameSize, 256 * 1024);
    t.equal(settings.maxHeaderListSize, (1 << 20) + 320, "GAS's 1 MiB of headers, as x/net advertises it");
    await h2Request(s, '/');
    t.equal(s.session.state.remoteWindowSize, 256 * 1024 * streams, 'the connection window the server granted');
    await s.close();
  }
});

t.test('TLS settings hold for HTTP/2 connections', async (t) => {
  const { port } = await start(t, { tlsMinVersion: 'VersionTLS13' });
  t.match(await alpn(port, ['h2'], { maxVersion: 'TLSv1.2' }), /^error /, 'a TLS 1.2 client is refused with VersionTLS13');
  t.equal(await alpn(port, ['h2']), 'h2');
  const suites = await start(t, { tlsCipherSuites: ['TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384'] });
  const cipher = await new Promise<string>((resolve, reject) => {
    const s = connect({ host: '127.0.0.1', port: suites.port, rejectUnauthorized: false, ALPNProtocols: ['h2'], maxVersion: 'TLSv1.2' }, () => {
      resolve(`${s.alpnProtocol} ${s.getCipher().name}`);
      s.destroy();
    });
    s.on('error', reject);
  });
  t.equal(cipher, 'h2 ECDHE-ECDSA-AES256-GCM-SHA384', '--tls-cipher-suites applies');
});

t.test('client certificates are requested over HTTP/2 and left to the authenticators', async (t) => {
  const { port } = await start(t);
  const stranger = await issueCert(await createCA('nobody-trusts-me'), { cn: 'someone', clientAuth: true });
  const s = h2Connect(port, { cert: stranger.cert, key: stranger.key });
  t.equal((await h2Request(s, '/')).body.toString(), 'HTTP/2.0 client:someone');
  await s.close();
});

t.test('a rotated serving certificate reaches new HTTP/2 connections', async (t) => {
  const ca = await createCA('serving-ca');
  const issue = () => issueCert(ca, { cn: 'metrics-server', dns: ['localhost'], ips: ['127.0.0.1'], serverAuth: true });
  const [a, b] = await Promise.all([issue(), issue()]);
  const dir = tempDir();
  const certFile = dir.file('tls.crt', a.cert);
  const keyFile = dir.file('tls.key', a.key);
  const { port } = await start(t, { tlsCertFile: certFile, tlsPrivateKeyFile: keyFile });
  const fingerprint = async () => {
    const s = h2Connect(port, { ca: ca.cert });
    await h2Request(s, '/');
    const fp = (s.session.socket as TLSSocket).getPeerCertificate().fingerprint256;
    return { s, fp };
  };
  const first = await fingerprint();
  t.equal(first.fp, new X509Certificate(a.cert).fingerprint256);
  const replace = (file: string, content: string) => {
    writeFileSync(join(dir.path, '.tmp'), content);
    renameSync(join(dir.path, '.tmp'), file);
  };
  replace(keyFile, b.key);
  replace(certFile, b.cert);
  let seen = '';
  for (let i = 0; i < 100 && seen !== new X509Certificate(b.cert).fingerprint256; i++) {
    await sleep(50);
    const next = await fingerprint();
    seen = next.fp;
    await next.s.close();
  }
  t.equal(seen, new X509Certificate(b.cert).fingerprint256, 'new sessions get the new certificate');
  t.equal((await h2Request(first.s, '/')).status, 200, 'the open session keeps going');
  await first.s.close();
  t.equal(readFileSync(certFile, 'utf8'), b.cert);
  dir.remove();
});
