import t, { type Test } from 'tap';
import Koa from 'koa';
import type { AddressInfo } from 'node:net';
import { healthMiddleware, type HealthCheck, type HealthEndpoints } from '../../src/server/health.js';
import {
  logCheck,
  metadataInformerSyncCheck,
  metricCollectionTimelyCheck,
  metricInformerSyncCheck,
  metricStorageReadyCheck,
  metricsServerHealthEndpoints,
  pingCheck,
  shutdownCheck,
} from '../../src/server/health-checks.js';
import { createLogger, silentLogger } from '../../src/log.js';
import { waitFor } from '../kube/fake-apiserver.js';

interface Reply {
  status: number;
  body: string;
  headers: Headers;
}

/** Serves the middleware on 127.0.0.1:0; unmatched paths answer 404 "next". */
async function serve(t: Test, endpoints: HealthEndpoints): Promise<(path: string) => Promise<Reply>> {
  const app = new Koa();
  app.use(healthMiddleware(endpoints, { log: silentLogger() }));
  app.use((ctx) => {
    ctx.status = 404;
    ctx.body = 'next';
  });
  const server = app.listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  t.teardown(() => new Promise<void>((r) => server.close(() => r())));
  const { port } = server.address() as AddressInfo;
  return async (path) => {
    const res = await fetch(`http://127.0.0.1:${port}${path}`);
    return { status: res.status, body: await res.text(), headers: res.headers };
  };
}

/** The full metrics-server wiring with switchable state. */
function world() {
  const state = {
    storageReady: true,
    informersSynced: true as boolean | string[],
    metadataSynced: true as boolean | string[],
    shuttingDown: false,
    now: 1_000_000,
    lastTick: undefined as number | undefined,
  };
  const checks = metricsServerHealthEndpoints({
    ping: pingCheck(),
    log: logCheck(silentLogger(), { now: () => state.now }),
    metricStorageReady: metricStorageReadyCheck(() => state.storageReady),
    metricInformerSync: metricInformerSyncCheck(() => state.informersSynced),
    metadataInformerSync: metadataInformerSyncCheck(() => state.metadataSynced),
    shutdown: shutdownCheck(() => state.shuttingDown),
    metricCollectionTimely: metricCollectionTimelyCheck({ lastTickStartMs: () => state.lastTick, resolutionMs: 15_000, now: () => state.now }),
  });
  return { state, checks };
}

t.test('healthy endpoints: plain ok, and upstream verbose listings byte for byte', async (t) => {
  const { checks, state } = world();
  state.lastTick = state.now - 1000;
  const get = await serve(t, checks);

  for (const ep of ['/healthz', '/livez', '/readyz']) {
    const r = await get(ep);
    t.equal(r.status, 200, ep);
    t.equal(r.body, 'ok', `${ep} body is exactly ok`);
    t.equal(r.headers.get('content-type'), 'text/plain; charset=utf-8');
    t.equal(r.headers.get('x-content-type-options'), 'nosniff');
  }

  t.equal(
    (await get('/readyz?verbose')).body,
    '[+]ping ok\n[+]log ok\n[+]metric-storage-ready ok\n[+]metric-informer-sync ok\n[+]metadata-informer-sync ok\n[+]shutdown ok\nreadyz check passed\n',
  );
  t.equal((await get('/livez?verbose=false')).body, '[+]ping ok\n[+]log ok\n[+]metric-collection-timely ok\n[+]metadata-informer-sync ok\nlivez check passed\n', 'any verbose value counts');
  t.equal((await get('/healthz?verbose=1')).body, '[+]ping ok\n[+]log ok\n[+]metadata-informer-sync ok\nhealthz check passed\n');
});

t.test('readyz fails with 500 and the verbose listing, reasons withheld', async (t) => {
  const { checks, state } = world();
  state.storageReady = false;
  state.informersSynced = false;
  const get = await serve(t, checks);

  const r = await get('/readyz');
  t.equal(r.status, 500);
  t.equal(r.headers.get('content-type'), 'text/plain; charset=utf-8');
  t.equal(r.headers.get('x-content-type-options'), 'nosniff');
  t.equal(
    r.body,
    '[+]ping ok\n[+]log ok\n[-]metric-storage-ready failed: reason withheld\n[-]metric-informer-sync failed: reason withheld\n[+]metadata-informer-sync ok\n[+]shutdown ok\nreadyz check failed\n',
  );
  t.notMatch(r.body, /no metrics to serve/, 'the error text does not leak on the public path');
  t.equal((await get('/readyz?verbose')).body, r.body, 'verbose changes nothing on failure');
  t.equal((await get('/livez')).status, 200, 'readiness problems do not fail liveness');
});

t.test('each check fails on its own condition and recovers', async (t) => {
  const { checks, state } = world();
  const get = await serve(t, checks);
  const cases: Array<[string, () => void, () => void, string]> = [
    ['metric-storage-ready', () => (state.storageReady = false), () => (state.storageReady = true), 'no metrics to serve'],
    ['metric-informer-sync', () => (state.informersSynced = false), () => (state.informersSynced = true), 'informers not synced yet'],
    ['shutdown', () => (state.shuttingDown = true), () => (state.shuttingDown = false), 'process is shutting down'],
  ];
  for (const [name, breakIt, fix, reason] of cases) {
    t.equal((await get(`/readyz/${name}`)).body, 'ok', `${name} healthy`);
    breakIt();
    const r = await get(`/readyz/${name}`);
    t.equal(r.status, 500, `${name} unhealthy`);
    t.equal(r.body, `internal server error: ${reason}\n`, `${name} sub-path shows the real error`);
    t.match((await get('/readyz')).body, `[-]${name} failed: reason withheld\n`);
    fix();
    t.equal((await get('/readyz')).status, 200, `${name} recovered`);
  }

  state.metadataSynced = ['/v1, Resource=pods'];
  for (const ep of ['healthz', 'livez', 'readyz']) {
    const r = await get(`/${ep}/metadata-informer-sync`);
    t.equal(r.status, 500);
    t.equal(r.body, 'internal server error: 1 informers not started yet: [/v1, Resource=pods]\n');
    t.equal((await get(`/${ep}`)).status, 500, `${ep} fails while metadata informers are not started`);
  }
  state.metadataSynced = [];
  t.equal((await get('/healthz')).status, 200, 'an empty not-started list is healthy');
});

t.test('livez turns unhealthy when ticks stall (injected clock)', async (t) => {
  const { checks, state } = world();
  const get = await serve(t, checks);

  t.equal((await get('/livez')).status, 200, 'healthy before the first tick, as upstream');
  state.lastTick = 0;
  t.equal((await get('/livez')).status, 200, 'a zero start time also means no tick yet');
  state.lastTick = state.now;
  state.now += 22_500; // exactly 1.5 × 15 s
  t.equal((await get('/livez')).status, 200, 'at 1.5 × resolution still healthy');
  state.now += 1;
  const r = await get('/livez');
  t.equal(r.status, 500, 'past 1.5 × resolution the tick is late');
  t.equal(r.body, '[+]ping ok\n[+]log ok\n[-]metric-collection-timely failed: reason withheld\n[+]metadata-informer-sync ok\nlivez check failed\n');
  t.equal((await get('/livez/metric-collection-timely')).body, "internal server error: metric collection didn't finish on time\n");
  t.equal((await get('/readyz')).status, 200, 'a stalled loop is a liveness problem, not a readiness one');
  state.lastTick = state.now; // a new tick started
  t.equal((await get('/livez')).status, 200, 'a new tick heals liveness');
});

t.test('log check fails when the logger cannot flush for two minutes', async (t) => {
  let now = 0;
  let flushes = 0;
  let blocked = false;
  const log = createLogger(0, 'json', {
    write() {},
    flush(cb: (err?: Error) => void) {
      flushes++;
      if (!blocked) cb();
    },
  } as never);
  const check = logCheck(log, { now: () => now, flushIntervalMs: 5 });
  t.teardown(() => check.stop());
  check.check();
  await waitFor(() => flushes > 0, 'a first flush');
  t.ok(flushes > 0, 'flushes periodically once started');
  blocked = true;
  now += 119_000;
  t.doesNotThrow(() => check.check(), 'within two minutes of the last flush');
  now += 1_000;
  t.throws(() => check.check(), { message: 'logging blocked' });
  blocked = false;
  const healed = flushes;
  await waitFor(() => flushes > healed, 'a flush after unblocking');
  t.doesNotThrow(() => check.check(), 'a completed flush heals it');
});

t.test('exclude: repeatable, listed as excluded, unknown names warned', async (t) => {
  const { checks, state } = world();
  state.storageReady = false;
  const get = await serve(t, checks);

  const r = await get('/readyz?exclude=metric-storage-ready');
  t.equal(r.status, 200, 'excluding the failing check makes readyz pass');
  t.equal(r.body, 'ok');
  t.equal(
    (await get('/readyz?verbose&exclude=metric-storage-ready&exclude=shutdown')).body,
    '[+]ping ok\n[+]log ok\n[+]metric-storage-ready excluded: ok\n[+]metric-informer-sync ok\n[+]metadata-informer-sync ok\n[+]shutdown excluded: ok\nreadyz check passed\n',
  );
  t.equal(
    (await get('/readyz?verbose&exclude=metric-storage-ready&exclude=zz&exclude=nope')).body,
    '[+]ping ok\n[+]log ok\n[+]metric-storage-ready excluded: ok\n[+]metric-informer-sync ok\n[+]metadata-informer-sync ok\n[+]shutdown ok\nwarn: some health checks cannot be excluded: no matches for "nope","zz"\nreadyz check passed\n',
    'unknown names are sorted and quoted on one warn line',
  );
  const failing = await get('/readyz?exclude=bogus');
  t.equal(failing.status, 500);
  t.match(failing.body, 'warn: some health checks cannot be excluded: no matches for "bogus"\nreadyz check failed\n');
});

t.test('sub-paths: only registered checks of that endpoint; others fall through', async (t) => {
  const { checks } = world();
  const get = await serve(t, checks);
  t.equal((await get('/readyz/ping')).body, 'ok');
  t.equal((await get('/livez/metric-collection-timely')).body, 'ok');
  t.equal((await get('/readyz/metric-collection-timely')).body, 'next', 'livez-only check is not under readyz');
  t.equal((await get('/healthz/shutdown')).body, 'next', 'readyz-only check is not under healthz');
  t.equal((await get('/readyz/unknown')).status, 404);
  t.equal((await get('/readyz/')).status, 404, 'trailing slash is not the root, as with Go mux');
  t.equal((await get('/metrics')).body, 'next');
});

t.test('a throwing or rejecting check is reported, never crashes', async (t) => {
  const bad: HealthCheck[] = [
    { name: 'sync-throw', check: () => { throw 'not an error'; } },
    { name: 'async-reject', check: async () => { throw new Error('boom'); } },
  ];
  const get = await serve(t, { readyz: bad });
  const r = await get('/readyz');
  t.equal(r.status, 500);
  t.equal(r.body, '[-]sync-throw failed: reason withheld\n[-]async-reject failed: reason withheld\nreadyz check failed\n');
  t.equal((await get('/readyz/sync-throw')).body, 'internal server error: not an error\n');
  t.equal((await get('/readyz/async-reject')).body, 'internal server error: boom\n');
});

t.test('an endpoint with no checks answers ping; duplicate names are refused', async (t) => {
  const get = await serve(t, { healthz: [] });
  t.equal((await get('/healthz?verbose')).body, '[+]ping ok\nhealthz check passed\n');
  t.equal((await get('/livez')).status, 404, 'endpoints not configured fall through');
  t.throws(() => healthMiddleware({ readyz: [pingCheck(), pingCheck()] }), /unique/);
});
