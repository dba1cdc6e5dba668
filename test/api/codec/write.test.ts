// writeEncoded (the fast path's writer on a bare response) writes what send()
// writes through Koa: status line, headers in order, framing and body.
import { createServer, request, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Koa from 'koa';
import t from 'tap';
import { send, type Encoded } from '../../../src/api/codec/index.js';
import { writeEncoded } from '../../../src/api/codec/write.js';

interface Wire {
  status: number;
  statusMessage: string;
  headers: string[];
  body: Buffer;
}

function get(server: Server, headers: Record<string, string>): Promise<Wire> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: (server.address() as AddressInfo).port, path: '/', headers, agent: false }, (res: IncomingMessage) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const lines: string[] = [];
        for (let i = 0; i < res.rawHeaders.length; i += 2) if (res.rawHeaders[i] !== 'Date') lines.push(`${res.rawHeaders[i]}: ${res.rawHeaders[i + 1]}`);
        resolve({ status: res.statusCode ?? 0, statusMessage: res.statusMessage ?? '', headers: lines, body: Buffer.concat(chunks) });
      });
    });
    req.on('error', reject);
    req.end();
  });
}

async function listen(server: Server): Promise<Server> {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return server;
}

t.test('the same bytes as send() through Koa', async (t) => {
  const cases: [string, Encoded, Record<string, string>][] = [
    ['small', { status: 200, contentType: 'application/vnd.kubernetes.protobuf', body: Buffer.from('k8s\0abc'), headers: {} }, {}],
    ['error with Retry-After', { status: 429, contentType: 'application/json', body: Buffer.from('{"kind":"Status"}\n'), headers: { 'Retry-After': '1' } }, {}],
    ['not found', { status: 404, contentType: 'application/json', body: Buffer.from('{}\n'), headers: {} }, { 'Accept-Encoding': 'gzip' }],
    ['large, gzip accepted', { status: 200, contentType: 'application/json', body: Buffer.alloc(200 * 1024, 'a'), headers: {} }, { 'Accept-Encoding': 'deflate, gzip' }],
    ['large, gzip not accepted', { status: 200, contentType: 'application/json', body: Buffer.alloc(200 * 1024, 'b'), headers: {} }, { 'Accept-Encoding': 'gzip;q=1' }],
  ];
  for (const [name, enc, headers] of cases) {
    const koa = new Koa();
    koa.use((ctx) => {
      ctx.set('Cache-Control', 'no-cache, private');
      send(ctx, enc);
    });
    const viaKoa = await listen(createServer(koa.callback()));
    const bare = await listen(
      createServer((req, res) => {
        res.setHeader('Cache-Control', 'no-cache, private');
        writeEncoded(res, req.method ?? 'GET', String(req.headers['accept-encoding'] ?? ''), enc);
      }),
    );
    const [k, b] = await Promise.all([get(viaKoa, headers), get(bare, headers)]);
    t.same(b, k, name);
    if (name === 'large, gzip accepted') t.ok(b.headers.includes('Transfer-Encoding: chunked') && b.headers.includes('Content-Encoding: gzip'), 'compressed and chunked');
    for (const s of [viaKoa, bare]) await new Promise<void>((r) => s.close(() => r()));
  }
});
