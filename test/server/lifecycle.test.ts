import t, { type Test } from 'tap';
import Koa from 'koa';
import { EventEmitter } from 'node:events';
import http, { type Server } from 'node:http';
import net, { type AddressInfo } from 'node:net';
import { createLifecycle, type Lifecycle, type StopHook } from '../../src/server/lifecycle.js';
import { healthMiddleware } from '../../src/server/health.js';
import { pingCheck } from '../../src/server/health-checks.js';
import { silentLogger } from '../../src/log.js';

interface Reply {
  status: number;
  body: string;
}

/** One request on its own connection (no pooling), so "new connection" means what it says. */
function get(port: number, path: string, agent: http.Agent | false = false): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path, agent }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      res.on('error', reject);
    });
    req.on('error', reject);
  });
}

/** Resolves with the connect error code, or 'connected'. */
function tryConnect(port: number): Promise<string> {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1');
    s.once('connect', () => {
      s.destroy();
      resolve('connected');
    });
    s.once('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? e.message));
  });
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** A server with readyz (ping + the lifecycle's shutdown check) and /slow?ms=N. */
async function start(t: Test, lc: (server: Server) => Lifecycle): Promise<{ port: number; lifecycle: Lifecycle; server: Server }> {
  // The lifecycle needs the server and the server's readyz needs the lifecycle.
  const bound: { lifecycle?: Lifecycle } = {};
  const app = new Koa();
  app.use((ctx, next) => healthMiddleware({ readyz: [pingCheck(), bound.lifecycle!.check] })(ctx, next));
  app.use(async (ctx) => {
    if (ctx.path !== '/slow') return;
    await sleep(Number(ctx.query['ms']));
    ctx.body = 'slow done';
  });
  const server = app.listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  const lifecycle = lc(server);
  bound.lifecycle = lifecycle;
  t.teardown(() => {
    server.closeAllConnections();
    return new Promise<void>((r) => (server.listening ? server.close(() => r()) : r()));
  });
  return { port: (server.address() as AddressInfo).port, lifecycle, server };
}

t.test('graceful shutdown: readyz fails at once, serving continues for the delay, in-flight completes, then refused', async (t) => {
  const events: string[] = [];
  const hooks: StopHook[] = [
    { name: 'scraper', stop: async () => { await sleep(10); events.push('stop scraper'); } },
    { name: 'watches', stop: () => { events.push('stop watches'); } },
  ];
  const delayMs = 400;
  const { port, lifecycle } = await start(t, (server) => createLifecycle({ log: silentLogger(), shutdownDelayMs: delayMs, servers: [server], stopHooks: hooks }));

  t.equal((await get(port, '/readyz')).status, 200, 'ready before shutdown');
  t.equal(lifecycle.shuttingDown(), false);

  const slow = get(port, '/slow?ms=900').then((r) => {
    events.push('slow request done');
    return r;
  });
  await sleep(50); // the slow request is in flight
  const t0 = Date.now();
  const done = lifecycle.shutdown('SIGTERM').then(() => events.push('shutdown done'));
  t.equal(lifecycle.shuttingDown(), true);

  const ready = await get(port, '/readyz?verbose');
  t.equal(ready.status, 500, 'readyz fails immediately');
  t.equal(ready.body, '[+]ping ok\n[-]shutdown failed: reason withheld\nreadyz check failed\n');
  t.equal((await get(port, '/readyz/shutdown')).body, 'internal server error: process is shutting down\n');

  await sleep(delayMs / 2 - (Date.now() - t0));
  t.equal(await tryConnect(port), 'connected', 'new connections still accepted during the delay');
  t.equal((await get(port, '/slow?ms=1')).status, 200, 'and served');

  await sleep(delayMs + 100 - (Date.now() - t0));
  t.equal(await tryConnect(port), 'ECONNREFUSED', 'new connections refused after the delay');
  t.same(events, [], 'nothing stopped while the in-flight request runs');

  const r = await slow;
  t.same(r, { status: 200, body: 'slow done' }, 'the in-flight request completed');
  await done;
  t.ok(Date.now() - t0 >= delayMs, 'shutdown took at least the delay');
  t.same(events, ['slow request done', 'stop scraper', 'stop watches', 'shutdown done'], 'hooks run in order after draining');
  t.equal(lifecycle.shutdown(), lifecycle.shutdown(), 'idempotent');
});

t.test('zero delay: idle keep-alive connections do not hold shutdown open', async (t) => {
  const { port, lifecycle } = await start(t, (server) => createLifecycle({ log: silentLogger(), shutdownDelayMs: 0, servers: [server] }));
  const agent = new http.Agent({ keepAlive: true });
  t.teardown(() => agent.destroy());
  t.equal((await get(port, '/readyz', agent)).status, 200);
  const t0 = Date.now();
  await lifecycle.shutdown();
  t.ok(Date.now() - t0 < 1000, `closed promptly (${Date.now() - t0} ms)`);
  t.equal(await tryConnect(port), 'ECONNREFUSED');
});

t.test('drain is bounded: a stuck request is cut after drainTimeoutMs and hooks still run', async (t) => {
  const stopped: string[] = [];
  const { port, lifecycle } = await start(t, (server) =>
    createLifecycle({ log: silentLogger(), shutdownDelayMs: 0, servers: [server], drainTimeoutMs: 200, stopHooks: [{ name: 'scraper', stop: () => { stopped.push('scraper'); } }] }),
  );
  const stuck = get(port, '/slow?ms=2000').then(
    () => 'completed',
    () => 'cut',
  );
  await sleep(50);
  const t0 = Date.now();
  await lifecycle.shutdown();
  const took = Date.now() - t0;
  t.ok(took >= 150 && took < 2000, `waited about the drain timeout (${took} ms)`);
  t.equal(await stuck, 'cut', 'the stuck connection was closed');
  t.same(stopped, ['scraper']);
});

t.test('a failing or hanging stop hook does not block the ones after it', async (t) => {
  const ran: string[] = [];
  const lifecycle = createLifecycle({
    log: silentLogger(),
    shutdownDelayMs: 0,
    stopHookTimeoutMs: 100,
    stopHooks: [
      { name: 'throws', stop: () => { ran.push('throws'); throw new Error('boom'); } },
      { name: 'hangs', stop: () => { ran.push('hangs'); return new Promise<void>(() => {}); } },
    ],
  });
  lifecycle.addStopHook({ name: 'last', stop: () => { ran.push('last'); } });
  await lifecycle.shutdown();
  t.same(ran, ['throws', 'hangs', 'last']);
});

t.test('signals: first starts shutdown and exits 0 when done; a second exits 1 at once', async (t) => {
  const signals = new EventEmitter();
  const lifecycle = createLifecycle({ log: silentLogger(), shutdownDelayMs: 100 });
  const codes: number[] = [];
  const uninstall = lifecycle.installSignalHandlers((c) => codes.push(c), signals);
  t.equal(signals.listenerCount('SIGTERM'), 1);
  t.equal(signals.listenerCount('SIGINT'), 1);

  signals.emit('SIGTERM', 'SIGTERM');
  t.equal(lifecycle.shuttingDown(), true, 'shutdown began');
  t.same(codes, [], 'no exit during the delay');
  signals.emit('SIGINT', 'SIGINT');
  t.same(codes, [1], 'second signal exits 1 immediately');
  await lifecycle.shutdown();
  await sleep(0);
  t.same(codes, [1, 0], 'first signal exits 0 once shutdown completes');

  uninstall();
  t.equal(signals.listenerCount('SIGTERM'), 0);
  t.equal(signals.listenerCount('SIGINT'), 0);
});
