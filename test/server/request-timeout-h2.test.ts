// The request timeout over HTTP/2, as kube-apiserver's aggregator sends every
// user's requests: streams of one connection. A stream not answered in time gets
// the 504 Status; a stream whose answer has begun is reset alone, the other
// streams of its connection going on (cutting the connection, as over HTTP/1.1,
// would fail every request the aggregator has in flight on it); a late handler
// writes nothing; a stream answered at once gets no timer.
import t, { type Test } from 'tap';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ClientHttp2Stream, IncomingHttpHeaders } from 'node:http2';
import Koa from 'koa';
import { answered, writeEncoded } from '../../src/api/codec/write.js';
import { send } from '../../src/api/codec/index.js';
import { bodyInUse } from '../../src/api/codec/body-use.js';
import { errorHandler } from '../../src/api/error-handler.js';
import { silentLogger } from '../../src/log.js';
import { createSecureServer } from '../../src/server/https-server.js';
import { TIMEOUT_BODY, withRequestTimeout } from '../../src/server/request-timeout.js';
import { h2Connect, h2Request, type H2Response, type H2Session } from '../helpers/h2-client.js';
import { closeServer, listen, sleep, tempDir } from './authn/harness.js';

const MAX_MS = 150;
const PODS = '/apis/metrics.k8s.io/v1beta1/pods';

type Listener = (req: IncomingMessage, res: ServerResponse) => void;

/** The handler with the timeout at MAX_MS; `cut` of each timeout pushed to timeouts. */
function timed(listener: Listener, timeouts: boolean[] = []): Listener {
  return withRequestTimeout(listener, { maxMs: MAX_MS, onTimeout: (_req, _ms, cut) => timeouts.push(cut) });
}

/** The serving stack's HTTP/2 server (allowHTTP1 as in production) and a session to it. */
async function serve(t: Test, listener: Listener) {
  const dir = tempDir();
  const server = await createSecureServer({ certDir: dir.path, tlsMinVersion: 'VersionTLS12', tlsCipherSuites: [] }, listener);
  const port = await listen(server);
  const s = h2Connect(port);
  const sessionErrors: unknown[] = [];
  s.session.on('error', (e) => sessionErrors.push(e));
  t.teardown(async () => {
    s.session.destroy();
    await closeServer(server);
    dir.remove();
  });
  return { port, s, sessionErrors };
}

function header(r: { headers: [string, string][] }, name: string): string | undefined {
  return r.headers.find(([n]) => n === name)?.[1];
}

/** Fails instead of hanging when a stream is never answered or never cut. */
function within<T>(p: Promise<T>, what: string, ms = 3000): Promise<T> {
  let timer: NodeJS.Timeout;
  const late = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what}: nothing after ${ms} ms`)), ms)));
  return Promise.race([p, late]).finally(() => clearTimeout(timer));
}

interface Outcome {
  status: number;
  body: string;
  /** 'end' was seen: the body arrived complete, as far as the client can tell. */
  ended: boolean;
  /** The stream's error code, if it failed. */
  error?: string;
  /** The RST_STREAM code the stream closed with (0 when it ended normally). */
  rstCode: number;
}

/** One stream, kept to its close: how it ended, not only whether it did. */
function h2Outcome(s: H2Session, path: string): { stream: ClientHttp2Stream; done: Promise<Outcome> } {
  const stream = s.session.request({ ':method': 'GET', ':path': path }, { endStream: true });
  const done = new Promise<Outcome>((resolve) => {
    const out: Outcome = { status: 0, body: '', ended: false, rstCode: 0 };
    const chunks: Buffer[] = [];
    stream.on('response', (h: IncomingHttpHeaders) => (out.status = Number(h[':status'])));
    stream.on('data', (c: Buffer) => chunks.push(c));
    stream.on('end', () => (out.ended = true));
    stream.on('error', (e: NodeJS.ErrnoException) => (out.error = e.code ?? e.message));
    stream.on('close', () => {
      out.body = Buffer.concat(chunks).toString();
      out.rstCode = stream.rstCode ?? 0;
      resolve(out);
    });
  });
  return { stream, done };
}

t.test('a stream not answered in time gets the 504 Status, without the headers its handler set', async (t) => {
  const timeouts: boolean[] = [];
  const { s, sessionErrors } = await serve(
    t,
    timed((req, res) => {
      if (req.url === '/ok') return void res.end('ok');
      res.setHeader('Cache-Control', 'no-cache, private');
      res.setHeader('Audit-Id', 'abc-123');
      res.setHeader('Content-Type', 'application/json'); // set by the handler, never sent
      res.setHeader('X-Handler', 'yes');
    }, timeouts),
  );
  const started = performance.now();
  const r: H2Response = await within(h2Request(s, PODS), 'the unanswered stream');
  const ms = performance.now() - started;
  t.equal(r.status, 504);
  t.ok(ms >= MAX_MS - 5, `after the maximum (${ms.toFixed(0)} ms)`);
  t.equal(r.body.toString(), TIMEOUT_BODY, 'the exact bytes');
  t.equal(header(r, 'content-type'), 'text/plain; charset=utf-8');
  t.equal(header(r, 'cache-control'), 'no-cache, private');
  t.equal(header(r, 'content-length'), String(Buffer.byteLength(TIMEOUT_BODY)));
  t.equal(header(r, 'audit-id'), 'abc-123', 'set before the handler ran: kept');
  t.equal(header(r, 'x-handler'), undefined, "the handler's own headers are dropped");
  t.same(timeouts, [false]);
  t.equal((await within(h2Request(s, '/ok'), 'the next stream')).body.toString(), 'ok', 'the session serves on');
  t.same(s.goaways, [], 'no GOAWAY');
  t.same(sessionErrors, []);
});

t.test('an answer begun but not finished by the deadline: its stream is reset, the other streams of the connection go on', async (t) => {
  const timeouts: boolean[] = [];
  let slowClosed!: () => void;
  let slowIsGone = false;
  const slowGone = new Promise<void>((r) => (slowClosed = r)).then(() => void (slowIsGone = true));
  const othersArrived: boolean[] = [];
  // A list whose reader never takes the rest: never finished.
  const slowList = timed((_req, res) => {
    res.once('close', slowClosed);
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.write('{"items":[');
  }, timeouts);
  // Other users' lists on the same connection: begun at once, finished once the slow stream is
  // gone (their deadline, with a longer maximum, is not what is tested here).
  const otherLists = withRequestTimeout(
    (_req, res) => {
      othersArrived.push(slowIsGone);
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.write('{"items":[');
      void slowGone.then(() => setImmediate(() => res.end(']}')));
    },
    { maxMs: 20 * MAX_MS, onTimeout: () => timeouts.push(false) },
  );
  const { s, sessionErrors } = await serve(t, (req, res) => (req.url === PODS ? slowList : otherLists)(req, res));

  const slow = h2Outcome(s, PODS);
  await within(new Promise((r) => slow.stream.once('data', r)), 'the slow answer begun');
  const concurrent = within(h2Outcome(s, '/other').done, 'the concurrent stream');

  const cut = await within(slow.done, 'the slow stream');
  t.equal(cut.status, 200, 'the answer had begun');
  t.equal(cut.body, '{"items":[', 'what was written before the deadline');
  t.notOk(cut.ended, 'the client does not take the truncated body for a complete one');
  t.equal(cut.error, 'ERR_HTTP2_STREAM_ERROR', 'the stream fails at the client');
  t.equal(cut.rstCode, 2, "RST_STREAM INTERNAL_ERROR, as Go's handler abort");
  t.same(timeouts, [true]);

  const other = await concurrent;
  t.same(othersArrived, [false], 'the concurrent stream was in flight when the other was reset');
  t.equal(other.status, 200, 'the concurrent stream on the same connection completes');
  t.equal(other.body, '{"items":[]}');
  t.ok(other.ended && other.error === undefined && other.rstCode === 0, 'and ends normally');
  t.notOk(s.session.destroyed || s.session.closed, 'the session is up');
  t.same(s.goaways, [], 'no GOAWAY');
  t.same(sessionErrors, [], 'no session error');

  const next = await within(h2Request(s, '/next'), 'the next stream');
  t.equal(next.status, 200);
  t.equal(next.body.toString(), '{"items":[]}', 'a new stream after the reset, on the same session, is served');
  t.same(timeouts, [true], 'only the slow stream timed out');
});

t.test('a late handler writes nothing and throws nothing once the 504 is out; the session serves on', async (t) => {
  const late: ServerResponse[] = [];
  const { s, sessionErrors } = await serve(
    t,
    timed((req, res) => {
      if (req.url === '/ok') return void res.end('ok');
      late.push(res); // answers only after the deadline
    }),
  );
  const r = await within(h2Request(s, PODS), 'the unanswered stream');
  t.equal(r.status, 504);
  t.equal(r.body.toString(), TIMEOUT_BODY, 'only the 504 went out');

  const res = late[0]!;
  t.ok(answered(res), 'the HTTP/2 response counts as answered');
  t.doesNotThrow(() => writeEncoded(res, 'GET', '', { status: 200, headers: { 'X-Late': 'yes' }, contentType: 'application/json', body: Buffer.from('{"late":true}') }));
  t.doesNotThrow(() => writeEncoded(res, 'GET', 'gzip', { status: 200, headers: {}, contentType: 'application/json', body: Buffer.alloc(4096, 0x20) }), 'nor a gzipped one');
  t.equal(res.statusCode, 504, 'the response is left as the 504 made it');
  t.equal(res.getHeader('x-late'), undefined, 'no header of the late answer set');
  await sleep(20);
  t.equal((await within(h2Request(s, '/ok'), 'the next stream')).body.toString(), 'ok', 'the same session serves the next stream');
  t.same(s.goaways, []);
  t.same(sessionErrors, []);
});

t.test('Koa: a late handler neither writes nor fails once the 504 is out on its stream', async (t) => {
  const koa = new Koa();
  koa.silent = true;
  const errors: unknown[] = [];
  koa.on('error', (e) => errors.push(e));
  koa.use(errorHandler(silentLogger()));
  let finished!: () => void;
  const done = new Promise<void>((r) => (finished = r));
  const body = Buffer.alloc(2 * 1024 * 1024, 0x20);
  koa.use(async (ctx) => {
    if (ctx.path === '/ok') return void (ctx.body = 'ok');
    await sleep(MAX_MS + 50);
    ctx.set('X-Late', 'yes');
    send(ctx, { status: 200, headers: {}, contentType: 'application/json', body });
    finished();
  });
  const { s, sessionErrors } = await serve(t, timed(koa.callback()));
  const r = await within(h2Request(s, PODS), 'the unanswered stream');
  t.equal(r.status, 504);
  t.equal(r.body.toString(), TIMEOUT_BODY);
  t.equal(header(r, 'x-late'), undefined);
  await within(done, 'the late handler');
  await sleep(20);
  t.same(errors, [], 'no error from the late answer');
  t.notOk(bodyInUse(body), 'its body is not left marked in use');
  t.equal((await within(h2Request(s, '/ok'), 'the next stream')).body.toString(), 'ok', 'the session serves on');
  t.same(sessionErrors, []);
});

t.test('a stream answered before its handler returns gets no timer', async (t) => {
  const timeouts: boolean[] = [];
  const added: Record<string, number> = {};
  const timers = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
  const wrapped = timed((req, res) => {
    if (req.url === '/later') setTimeout(() => res.end('ok'), 20);
    else res.end('ok');
  }, timeouts);
  // Counts the timers the timeout filter starts, around the synchronous call.
  const { s } = await serve(t, (req, res) => {
    const before = timers();
    wrapped(req, res);
    added[req.url!] = timers() - before;
  });
  t.equal((await within(h2Request(s, PODS), 'the answered stream')).status, 200);
  t.equal(added[PODS], 0, 'answered synchronously: no timer');
  t.equal((await within(h2Request(s, '/later'), 'the later stream')).status, 200);
  t.equal(added['/later'], 2, "answered later: its deadline timer started (and the handler's own)");
  await sleep(MAX_MS + 50);
  t.same(timeouts, [], 'no timeout, then or at the deadline');
  t.equal((await within(h2Request(s, PODS), 'the next stream')).status, 200, 'the session outlived the deadlines');
});
