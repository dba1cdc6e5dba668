import t from 'tap';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import Koa from 'koa';
import { indexMiddleware, SERVED_PATHS } from '../../src/server/index-lister.js';
import { versionMiddleware } from '../../src/server/version.js';
import { VERSION } from '../../src/options.js';

async function serve(t: { teardown(fn: () => unknown): void }): Promise<string> {
  const app = new Koa();
  app.use(versionMiddleware());
  app.use(indexMiddleware());
  const server = http.createServer(app.callback());
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.teardown(() => new Promise<void>((r) => server.close(() => r())));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

t.test('GET / lists the served paths; unknown non-API paths are 404 with the same body', async (t) => {
  const base = await serve(t);
  const root = await fetch(`${base}/`);
  t.equal(root.status, 200);
  const body = (await root.json()) as { paths: string[] };
  t.same(body.paths, [...SERVED_PATHS]);
  t.same([...body.paths].sort(), body.paths, 'sorted like GAS');
  const missing = await fetch(`${base}/no/such/path`);
  t.equal(missing.status, 404);
  t.same(await missing.json(), { paths: SERVED_PATHS });
});

t.test('GET /version reports the project version as version.Info', async (t) => {
  const base = await serve(t);
  const res = await fetch(`${base}/version`);
  t.equal(res.status, 200);
  t.match(res.headers.get('content-type'), /application\/json/);
  const info = (await res.json()) as Record<string, string>;
  t.equal(info['gitVersion'], `v${VERSION}`);
  t.equal(`${info['major']}.${info['minor']}`, VERSION.split('.').slice(0, 2).join('.'));
  t.match(info['platform'], /\//);
});
