// GAS answers a malformed ?timeout= with 400 before authentication; watches
// (which read timeoutSeconds) and requests without the parameter pass.
import t from 'tap';
import Koa from 'koa';
import type { AddressInfo } from 'node:net';
import { errorHandler } from '../../src/api/error-handler.js';
import { unauthorized } from '../../src/api/status.js';
import { silentLogger } from '../../src/log.js';
import { requestDeadlineMiddleware } from '../../src/server/request-deadline.js';

const koa = new Koa();
koa.silent = true;
koa.use(errorHandler(silentLogger()));
koa.use(requestDeadlineMiddleware());
// Stands in for authentication: nothing gets past it without a header.
koa.use(async (ctx, next) => {
  if (ctx.get('x-user') === '') throw unauthorized();
  await next();
});
koa.use((ctx) => {
  ctx.body = { served: ctx.path };
});
const server = koa.listen(0, '127.0.0.1');
await new Promise((r) => server.once('listening', r));
t.teardown(() => server.close());
const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

async function get(path: string, user = true): Promise<{ status: number; body: { message?: string; reason?: string } }> {
  const res = await fetch(base + path, { headers: user ? { 'x-user': 'u' } : {} });
  return { status: res.status, body: (await res.json()) as { message?: string; reason?: string } };
}

t.test('malformed values: 400 with Go parse error, before authentication', async (t) => {
  const cases: [string, string][] = [
    ['soon', 'time: invalid duration "soon"'],
    ['30', 'time: missing unit in duration "30"'],
    ['5sec', 'time: unknown unit "sec" in duration "5sec"'],
    ['-', 'time: invalid duration "-"'],
  ];
  for (const [value, err] of cases) {
    const r = await get(`/apis/metrics.k8s.io/v1beta1/pods?timeout=${encodeURIComponent(value)}`, false);
    t.equal(r.status, 400, value);
    t.equal(r.body.reason, 'BadRequest');
    t.equal(r.body.message, `invalid timeout specified in the request URL - ${err}`);
  }
  t.equal((await get('/healthz?timeout=x1')).status, 400, 'every path, as the filter wraps the whole server');
  t.equal((await get('/apis/metrics.k8s.io/v1beta1/pods?timeout=soon&timeout=5s')).status, 400, 'the first value counts');
});

t.test('valid, empty or absent values pass, as do watches', async (t) => {
  for (const q of ['', '?timeout=', '?timeout=5s', '?timeout=0', '?timeout=1h30m', '?timeout=-1s', '?timeout=3000h', '?timeout=5s&timeout=soon']) {
    t.equal((await get(`/apis/metrics.k8s.io/v1beta1/pods${q}`)).status, 200, q || 'no query');
  }
  t.equal((await get('/apis/metrics.k8s.io/v1beta1/pods?timeout=5s', false)).status, 401, 'then authentication decides');
  t.equal((await get('/apis/metrics.k8s.io/v1beta1/pods?watch=true&timeout=soon')).status, 200, 'a watch: timeout is not read');
  t.equal((await get('/apis/metrics.k8s.io/v1beta1/watch/pods?timeout=soon')).status, 200, 'nor on a /watch/ path');
  t.equal((await get('/apis/metrics.k8s.io/v1beta1/pods?watch=false&timeout=soon')).status, 400, 'watch=false is a list');
});
