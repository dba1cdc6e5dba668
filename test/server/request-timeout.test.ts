// GAS times out requests that are not long-running: a 504 Status when nothing was
// answered by min(?timeout, 60 s), the connection cut when the answer had begun.
import t, { type Test } from 'tap';
import Koa from 'koa';
import { createServer, request, Agent, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { errorHandler } from '../../src/api/error-handler.js';
import { answered, writeEncoded } from '../../src/api/codec/write.js';
import { send } from '../../src/api/codec/index.js';
import { bodyInUse } from '../../src/api/codec/body-use.js';
import { silentLogger } from '../../src/log.js';
import { REQUEST_TIMEOUT_MS, TIMEOUT_BODY, requestTimeoutMs, withRequestTimeout } from '../../src/server/request-timeout.js';

const MAX_MS = 150;

t.test('timeout per request: min(?timeout, the maximum); watches have none', async (t) => {
  t.equal(REQUEST_TIMEOUT_MS, 60_000, "GAS's default");
  const cases: [string, number | undefined][] = [
    ['/apis/metrics.k8s.io/v1beta1/pods', 60_000],
    ['/healthz', 60_000],
    ['/apis/metrics.k8s.io/v1beta1/pods?timeout=5s', 5_000],
    ['/apis/metrics.k8s.io/v1beta1/pods?timeout=250ms', 250],
    ['/apis/metrics.k8s.io/v1beta1/pods?timeout=1m30s', 60_000],
    ['/apis/metrics.k8s.io/v1beta1/pods?timeout=0', 60_000],
    ['/apis/metrics.k8s.io/v1beta1/pods?timeout=-5s', 60_000],
    ['/apis/metrics.k8s.io/v1beta1/pods?timeout=', 60_000],
    ['/apis/metrics.k8s.io/v1beta1/pods?timeout=soon', 60_000],
    ['/apis/metrics.k8s.io/v1beta1/pods?labelSelector=a%3Db&timeout=2s&timeout=9s', 2_000],
    ['/apis/metrics.k8s.io/v1beta1/pods?watch=true&timeout=5s', undefined],
    ['/apis/metrics.k8s.io/v1beta1/watch/pods', undefined],
    ['/apis/metrics.k8s.io/v1beta1/pods?watch=false&timeout=5s', 5_000],
  ];
  for (const [url, want] of cases) t.equal(requestTimeoutMs('GET', url, 60_000), want, url);
});

interface Reply {
  status: number;
  headers: IncomingMessage['headers'];
  body: string;
  ms: number;
}

/** One request over `agent`; rejects when the connection is cut before the response ends. */
function get(base: string, path: string, agent: Agent, headers: Record<string, string> = {}): Promise<Reply> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const req = request(base + path, { agent, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks).toString(), ms: performance.now() - started }));
      res.on('error', reject);
      res.on('aborted', () => reject(new Error('aborted')));
    });
    req.on('error', reject);
    req.end();
  });
}

async function serve(t: Test, listener: (req: IncomingMessage, res: ServerResponse) => void, timeouts: boolean[] = []) {
  const server = createServer(withRequestTimeout(listener, { maxMs: MAX_MS, onTimeout: (_req, _ms, cut) => timeouts.push(cut) }));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  t.teardown(() => {
    agent.destroy();
    server.closeAllConnections();
    server.close();
  });
  return { base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, agent };
}

t.test('a request not answered in time gets the 504 Status, without the headers its handler set', async (t) => {
  const timeouts: boolean[] = [];
  const late: ServerResponse[] = [];
  const { base, agent } = await serve(
    t,
    (_req, res) => {
      res.setHeader('Cache-Control', 'no-cache, private');
      res.setHeader('Audit-Id', 'abc-123');
      res.setHeader('Content-Type', 'application/json'); // set by the handler, never sent
      res.setHeader('X-Handler', 'yes');
      late.push(res); // answers only after the deadline
    },
    timeouts,
  );
  const r = await get(base, '/apis/metrics.k8s.io/v1beta1/pods', agent);
  t.equal(r.status, 504);
  t.ok(r.ms >= MAX_MS - 5, `after the maximum (${r.ms.toFixed(0)} ms)`);
  t.equal(r.body, TIMEOUT_BODY);
  t.same(JSON.parse(r.body), {
    metadata: {},
    status: 'Failure',
    message: 'Timeout: request did not complete within the allotted timeout',
    reason: 'Timeout',
    details: {},
    code: 504,
  });
  t.equal(r.headers['content-type'], 'text/plain; charset=utf-8');
  t.equal(r.headers['cache-control'], 'no-cache, private');
  t.equal(r.headers['audit-id'], 'abc-123', 'set before the handler ran: kept');
  t.equal(r.headers['x-handler'], undefined, "the handler's own headers are dropped");
  t.same(timeouts, [false]);

  // The handler finishing late writes nothing and throws nothing; the connection serves on.
  const res = late[0]!;
  t.ok(answered(res));
  writeEncoded(res, 'GET', '', { status: 200, headers: {}, contentType: 'application/json', body: Buffer.from('{}') });
  t.equal((await get(base, '/apis/metrics.k8s.io/v1beta1/pods?timeout=20ms', agent)).status, 504, 'same connection, next request');
});

t.test('?timeout= shorter than the maximum is the deadline; longer, zero or negative ones are not', async (t) => {
  const { base, agent } = await serve(t, () => {});
  const short = await get(base, '/apis/metrics.k8s.io/v1beta1/pods?timeout=20ms', agent);
  t.equal(short.status, 504);
  t.ok(short.ms < MAX_MS - 20, `before the maximum (${short.ms.toFixed(0)} ms)`);
  for (const q of ['1h', '0s', '-1s']) {
    const r = await get(base, `/apis/metrics.k8s.io/v1beta1/pods?timeout=${q}`, agent);
    t.equal(r.status, 504, q);
    t.ok(r.ms >= MAX_MS - 5, `${q}: the maximum (${r.ms.toFixed(0)} ms)`);
  }
});

t.test('an answer begun but not finished by the deadline has its connection cut', async (t) => {
  const timeouts: boolean[] = [];
  const { base, agent } = await serve(
    t,
    (_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.write('{"items":['); // and never the rest
    },
    timeouts,
  );
  await t.rejects(get(base, '/apis/metrics.k8s.io/v1beta1/pods', agent));
  t.same(timeouts, [true]);
});

t.test('answers in time are left alone, and so are watches', async (t) => {
  const timeouts: boolean[] = [];
  let hold: ServerResponse | undefined;
  const { base, agent } = await serve(
    t,
    (req, res) => {
      if (req.url!.includes('watch')) {
        hold = res;
        res.writeHead(200);
        res.write('{}');
        return;
      }
      if (req.url === '/later') setTimeout(() => res.end('ok'), 20);
      else res.end('ok');
    },
    timeouts,
  );
  t.equal((await get(base, '/healthz', agent)).status, 200);
  await sleep(MAX_MS + 50);
  t.equal((await get(base, '/healthz', agent)).status, 200, 'the connection outlived the deadline of its first request');
  const timers = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
  const before = timers();
  t.equal((await get(base, '/later', agent)).status, 200, 'answered later, in time');
  await sleep(5);
  t.equal(timers(), before, 'its timer is cleared with the response (it would hold the request for 60 s)');
  await sleep(MAX_MS + 50);
  t.equal((await get(base, '/healthz', agent)).status, 200, 'and its deadline passed without effect');

  const watchAgent = new Agent({ keepAlive: false });
  t.teardown(() => watchAgent.destroy());
  const watch = get(base, '/apis/metrics.k8s.io/v1beta1/pods?watch=true', watchAgent);
  await sleep(MAX_MS + 50);
  hold!.end();
  t.equal((await watch).status, 200, 'a watch runs past the deadline');
  t.same(timeouts, []);
});

t.test('Koa: a late handler neither writes nor fails once the 504 is out', async (t) => {
  const koa = new Koa();
  koa.silent = true;
  const errors: unknown[] = [];
  koa.on('error', (e) => errors.push(e));
  koa.use(errorHandler(silentLogger()));
  let finished!: () => void;
  const done = new Promise<void>((r) => (finished = r));
  const body = Buffer.alloc(2 * 1024 * 1024, 0x20);
  koa.use(async (ctx) => {
    await sleep(MAX_MS + 50);
    ctx.set('X-Late', 'yes');
    send(ctx, { status: 200, headers: {}, contentType: 'application/json', body });
    finished();
  });
  const { base, agent } = await serve(t, koa.callback());
  const r = await get(base, '/apis/metrics.k8s.io/v1beta1/pods', agent);
  t.equal(r.status, 504);
  await done;
  await sleep(20);
  t.same(errors, [], 'no error from the late answer');
  t.notOk(bodyInUse(body), 'its body is not left marked in use (the list cache would copy it for every new second)');
  t.equal((await get(base, '/apis/metrics.k8s.io/v1beta1/pods?timeout=10ms', agent)).status, 504, 'the connection serves on');
});
