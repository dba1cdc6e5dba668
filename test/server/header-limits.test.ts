// Request headers as GAS takes them (MaxHeaderBytes 1 MiB), over either
// protocol: many X-Remote-Group fields arrive whole (Node.js's defaults would
// refuse 128 over HTTP/2 and drop all past 2,000 over HTTP/1.1), up to 1 MiB
// of them, and past it the request is refused.
import t from 'tap';
import http2 from 'node:http2';
import { request } from 'node:https';
import { headersDistinct } from '../../src/server/h2-request.js';
import { HTTP1_MAX_HEADER_SIZE, HTTP2_MAX_HEADER_LIST_SIZE } from '../../src/server/header-limits.js';
import { createSecureServer } from '../../src/server/https-server.js';
import { closeServer, listen, tempDir } from './authn/harness.js';

t.test('header limits over HTTP/1.1 and HTTP/2', async (t) => {
  t.equal(HTTP1_MAX_HEADER_SIZE, (1 << 20) + 4096, 'MaxHeaderBytes and net/http slack');
  t.equal(HTTP2_MAX_HEADER_LIST_SIZE, (1 << 20) + 320, "x/net's header list size");
  const dir = tempDir();
  const server = await createSecureServer({ certDir: dir.path, tlsMinVersion: 'VersionTLS12', tlsCipherSuites: [] }, (req, res) => {
    const d = headersDistinct(req);
    res.end(`${d['x-remote-group']?.length ?? 0} ${d['x-big']?.[0]?.length ?? 0}`);
  });
  const port = await listen(server);
  t.teardown(async () => {
    await closeServer(server);
    dir.remove();
  });

  const h1 = (headers: Record<string, string | string[]>) =>
    new Promise<string>((resolve) => {
      const req = request({ host: '127.0.0.1', port, rejectUnauthorized: false, headers, agent: false }, (res) => {
        let body = `${res.statusCode} `;
        res.on('data', (c: Buffer) => (body += c.toString()));
        res.on('end', () => resolve(body));
      });
      req.on('error', (e: NodeJS.ErrnoException) => resolve(`error ${e.code}`));
      req.end();
    });
  const h2 = (headers: Record<string, string | string[]>) =>
    new Promise<string>((resolve) => {
      const session = http2.connect(`https://127.0.0.1:${port}`, { rejectUnauthorized: false, maxSendHeaderBlockLength: 4 << 20 });
      session.on('error', () => {});
      const req = session.request({ ':path': '/', ...headers }, { endStream: true });
      let body = '';
      req.on('response', (h) => (body += `${h[':status']} `));
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        session.destroy();
        resolve(body);
      });
      req.on('error', (e: NodeJS.ErrnoException) => {
        session.destroy();
        resolve(`error ${e.code}`);
      });
    });

  const groups = Array.from({ length: 2500 }, (_, i) => `group-${i}`);
  t.equal(await h1({ 'x-remote-group': groups }), '200 2500 0', 'HTTP/1.1: 2,500 group fields, all of them');
  t.equal(await h2({ 'x-remote-group': groups }), '200 2500 0', 'HTTP/2: 2,500 group fields, all of them');
  // Identical fields compress to a byte each: these test the header list size, not the frames carrying it.
  const same = (n: number) => Array.from({ length: n }, () => 'xxxxxxxxxx');
  t.equal(await h1({ 'x-remote-group': same(15_000) }), '200 15000 0', 'HTTP/1.1: 15,000 fields, 420 kB');
  t.equal(await h2({ 'x-remote-group': same(15_000) }), '200 15000 0', 'HTTP/2: 15,000 fields');
  t.match(await h1({ 'x-remote-group': same(50_000) }), /^(431 |error )/, 'HTTP/1.1: 50,000 fields, 1.4 MB: refused');
  t.match(await h2({ 'x-remote-group': same(50_000) }), /^error /, 'HTTP/2: 50,000 fields: refused');
  t.match(await h1({ 'x-big': 'a'.repeat(1_100_000) }), /^(431 |error )/, 'HTTP/1.1: past 1 MiB, refused');
  t.equal(await h2({ 'x-big': 'a'.repeat(60_000) }), '200 0 60000', "HTTP/2: a 60 kB field (nghttp2's HPACK takes none over 64 KiB)");
});
