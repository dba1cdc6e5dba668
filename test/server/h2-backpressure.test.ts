// Large bodies over HTTP/2 are written as the client reads them: a slow reader
// holds one slice queued, not the body; other streams of the same connection
// go on meanwhile; and many large responses at once on one connection (the
// aggregator's) are all served, none refused for the session's memory.
import t, { type Test } from 'tap';
import Koa from 'koa';
import { constants as http2constants, type Http2ServerResponse } from 'node:http2';
import { send } from '../../src/api/codec/index.js';
import { createSecureServer } from '../../src/server/https-server.js';
import { h2Connect, h2Request } from '../helpers/h2-client.js';
import { closeServer, listen, sleep, tempDir } from './authn/harness.js';

const MiB = 1024 * 1024;

async function start(t: Test, bodies: Record<string, Buffer>) {
  const dir = tempDir();
  const responses: Http2ServerResponse[] = [];
  const app = new Koa();
  app.use((ctx) => {
    const body = bodies[ctx.path];
    if (!body) return void (ctx.body = 'small');
    responses.push(ctx.res as unknown as Http2ServerResponse);
    send(ctx, { status: 200, contentType: 'application/octet-stream', body, headers: {} });
  });
  const server = await createSecureServer({ certDir: dir.path, tlsMinVersion: 'VersionTLS12', tlsCipherSuites: [] }, app.callback());
  const port = await listen(server);
  t.teardown(async () => {
    await closeServer(server);
    dir.remove();
  });
  return { port, responses };
}

t.test('a slow reader: one slice queued, the rest waits; other streams are served meanwhile', async (t) => {
  const big = Buffer.alloc(48 * MiB, 7);
  const { port, responses } = await start(t, { '/big': big });
  const s = h2Connect(port);
  t.teardown(() => s.session.destroy());
  const stream = s.session.request({ ':path': '/big' }, { endStream: true });
  stream.pause();
  await sleep(500);
  const res = responses[0]!;
  t.ok(res.writableLength <= MiB, `queued on the stream: ${res.writableLength} bytes (a slice at most)`);
  t.equal((await h2Request(s, '/small')).body.toString(), 'small', 'another stream on the connection is answered');
  let received = 0;
  stream.on('data', (c: Buffer) => (received += c.length));
  const ended = new Promise((r) => stream.on('end', r));
  const closed = new Promise((r) => res.once('close', r));
  stream.resume();
  await ended;
  t.equal(received, big.length, 'every byte arrives once read');
  await closed;
  t.pass("the finished response emits 'close' (the list cache sees its body released)");
});

t.test('many large responses at once on one connection are all served', async (t) => {
  const { port } = await start(t, { '/big': Buffer.alloc(4 * MiB, 1) });
  const s = h2Connect(port);
  t.teardown(() => s.session.destroy());
  const streams = Array.from({ length: 24 }, () => {
    const st = s.session.request({ ':path': '/big' }, { endStream: true });
    st.pause();
    return st;
  });
  await sleep(500); // every response has a slice queued: 24 MiB, past nghttp2's default session memory
  const sizes = await Promise.all(
    streams.map(
      (st) =>
        new Promise<number | string>((resolve) => {
          let n = 0;
          st.on('data', (c: Buffer) => (n += c.length));
          st.on('end', () => resolve(n));
          st.on('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? e.message));
          st.resume();
        }),
    ),
  );
  t.same(sizes, streams.map(() => 4 * MiB), 'no stream refused or reset');
});

t.test('a stream the client resets mid-body ends its response; the connection goes on', async (t) => {
  const { port, responses } = await start(t, { '/big': Buffer.alloc(16 * MiB, 2) });
  const s = h2Connect(port);
  t.teardown(() => s.session.destroy());
  const stream = s.session.request({ ':path': '/big' }, { endStream: true });
  stream.on('error', () => {});
  await new Promise((r) => stream.once('data', r));
  const closed = new Promise((r) => responses[0]!.once('close', r));
  stream.close(http2constants.NGHTTP2_CANCEL);
  await closed;
  t.pass('the response closed (its body is released)');
  t.equal((await h2Request(s, '/small')).body.toString(), 'small', 'the same connection serves the next request');
});
