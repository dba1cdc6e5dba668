// errorHandler: Status errors keep their code, other errors become a generic 500,
// and every response gets GAS's Cache-Control and Audit-Id.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import Koa from 'koa';
import t from 'tap';
import { auditIdOf, errorHandler } from '../../src/api/error-handler.js';
import { respond } from '../../src/api/codec/index.js';
import { StatusError } from '../../src/api/status.js';
import { silentLogger } from '../../src/log.js';

t.test('error handler', async (t) => {
  const app = new Koa();
  app.use(errorHandler(silentLogger()));
  app.use((ctx) => {
    switch (ctx.path) {
      case '/busy':
        throw new StatusError(429, 'TooManyRequests', 'too many requests, please try again later', { retryAfterSeconds: 1 });
      case '/boom':
        throw new TypeError("Cannot read properties of undefined (reading 'labels')");
      case '/string':
        throw 'a thrown string';
      case '/custom-cache':
        ctx.set('Cache-Control', 'public');
        respond(ctx, { kind: 'APIGroupList', apiVersion: 'v1', groups: [] }, { discovery: true });
        return;
      default:
        respond(ctx, { kind: 'APIGroupList', apiVersion: 'v1', groups: [] }, { discovery: true });
    }
  });
  const server = createServer(app.callback());
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.teardown(() => new Promise<void>((r) => server.close(() => r())));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const busy = await fetch(`${base}/busy`);
  t.equal(busy.status, 429);
  t.equal(busy.headers.get('retry-after'), '1');
  t.equal(
    await busy.text(),
    '{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"too many requests, please try again later","reason":"TooManyRequests","details":{"retryAfterSeconds":1},"code":429}\n',
  );

  for (const path of ['/boom', '/string']) {
    const res = await fetch(`${base}${path}`, { headers: { 'Audit-ID': 'fixed-id' } });
    t.equal(res.status, 500, path);
    const body = await res.text();
    t.equal(
      body,
      '{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"an internal error occurred while serving the request (audit ID fixed-id); see the server log","code":500}\n',
      path,
    );
    t.notMatch(body, /labels|thrown|at /, 'no error text or stack reaches the client');
  }

  const ok = await fetch(`${base}/`);
  t.equal(ok.headers.get('cache-control'), 'no-cache, private');
  const ids = new Set<string>();
  for (let i = 0; i < 3; i++) ids.add((await fetch(`${base}/`)).headers.get('audit-id') ?? '');
  t.equal(ids.size, 3, 'a fresh Audit-Id per request');
  const custom = await fetch(`${base}/custom-cache`);
  t.equal(custom.headers.get('cache-control'), 'public', 'a handler may override Cache-Control');
});

t.test('Audit-Id: the incoming one kept, else a new one', async (t) => {
  const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
  t.equal(auditIdOf('a2f3c1d0-0000-4000-8000-000000000001'), 'a2f3c1d0-0000-4000-8000-000000000001');
  t.equal(auditIdOf('first, second\tthird'), 'first, second\tthird', 'any value a header may carry is echoed');
  const made = auditIdOf('');
  t.match(made, uuid, 'none sent: a new UUID');
  t.not(auditIdOf(''), made, 'a new one each time');
  // HTTP/2 lets a DEL through; Node.js would refuse to write it back.
  t.match(auditIdOf('bad\x7fvalue'), uuid, 'a value that cannot be echoed: a new UUID');
});
