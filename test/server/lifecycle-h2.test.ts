// Graceful shutdown of the serving listener with HTTP/2 and HTTP/1.1 clients:
// HTTP/2 sessions get GOAWAY and their in-flight streams finish, idle HTTP/1.1
// keep-alive connections do not hold shutdown open, and past the drain timeout
// both kinds are cut and the stop hooks still run.
import t, { type Test } from 'tap';
import { Agent, request } from 'node:https';
import { createLifecycle, type StopHook } from '../../src/server/lifecycle.js';
import { createSecureServer } from '../../src/server/https-server.js';
import { silentLogger } from '../../src/log.js';
import { h2Connect, h2Request } from '../helpers/h2-client.js';
import { closeServer, listen, sleep, tempDir } from './authn/harness.js';

async function start(t: Test, drainTimeoutMs: number, hooks: StopHook[]) {
  const dir = tempDir();
  const server = await createSecureServer({ certDir: dir.path, tlsMinVersion: 'VersionTLS12', tlsCipherSuites: [] }, (req, res) => {
    const ms = Number(new URL(req.url ?? '/', 'https://x').searchParams.get('ms') ?? 0);
    setTimeout(() => res.end(`done ${req.httpVersion}`), ms).unref();
  });
  const port = await listen(server);
  t.teardown(async () => {
    if (server.listening) await closeServer(server);
    dir.remove();
  });
  const lifecycle = createLifecycle({ log: silentLogger(), shutdownDelayMs: 0, servers: [server], drainTimeoutMs, stopHooks: hooks });
  return { port, lifecycle };
}

function h1Get(port: number, path: string, agent: Agent | false = false): Promise<string> {
  return new Promise((resolve, reject) => {
    request({ host: '127.0.0.1', port, path, rejectUnauthorized: false, agent }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve(body));
    })
      .on('error', reject)
      .end();
  });
}

t.test('HTTP/2: GOAWAY, the in-flight stream completes, then the hooks run', async (t) => {
  const events: string[] = [];
  const { port, lifecycle } = await start(t, 60_000, [{ name: 'scraper', stop: () => void events.push('stop scraper') }]);
  const keepAlive = new Agent({ keepAlive: true, rejectUnauthorized: false });
  t.teardown(() => keepAlive.destroy());
  t.equal(await h1Get(port, '/', keepAlive), 'done 1.1', 'an idle HTTP/1.1 keep-alive connection is open');
  const s = h2Connect(port);
  const slow = h2Request(s, '/?ms=500').then((r) => {
    events.push('slow request done');
    return r;
  });
  await sleep(50);
  const done = lifecycle.shutdown('SIGTERM').then(() => events.push('shutdown done'));
  await sleep(50);
  t.same(s.goaways, [0], 'the HTTP/2 client got GOAWAY (NO_ERROR)');
  await t.rejects(h2Request(s, '/'), 'no new streams on it');
  const r = await slow;
  t.equal(r.status, 200);
  t.equal(r.body.toString(), 'done 2.0', 'the in-flight stream completed');
  await done;
  t.same(events, ['slow request done', 'stop scraper', 'shutdown done'], 'hooks after draining');
});

t.test('past the drain timeout, stuck HTTP/2 streams and HTTP/1.1 requests are cut', async (t) => {
  const stopped: string[] = [];
  const { port, lifecycle } = await start(t, 200, [{ name: 'scraper', stop: () => void stopped.push('scraper') }]);
  const s = h2Connect(port);
  const stuck2 = h2Request(s, '/?ms=5000').then((r) => (r.status === 200 ? 'completed' : 'cut'), () => 'cut');
  const stuck1 = h1Get(port, '/?ms=5000').then(() => 'completed', () => 'cut');
  await sleep(50);
  const t0 = Date.now();
  await lifecycle.shutdown();
  const took = Date.now() - t0;
  t.ok(took >= 150 && took < 2000, `waited about the drain timeout (${took} ms)`);
  t.equal(await stuck2, 'cut', 'the HTTP/2 session was ended');
  t.equal(await stuck1, 'cut', 'the HTTP/1.1 connection was closed');
  t.same(stopped, ['scraper']);
});
