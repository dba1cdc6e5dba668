// GAS's max-in-flight filter: beyond the limit, 429 with Go's text and Retry-After: 1;
// a place is freed when a response finishes or its connection closes.
import t from 'tap';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { constants as http2constants } from 'node:http2';
import { createSecureServer } from '../../src/server/https-server.js';
import { MAX_REQUESTS_IN_FLIGHT, withMaxInFlight } from '../../src/server/max-in-flight.js';
import { h2Connect, h2Request } from '../helpers/h2-client.js';
import { closeServer, listen, sleep, tempDir } from './authn/harness.js';

t.test('the limit is upstream default', async (t) => {
  t.equal(MAX_REQUESTS_IN_FLIGHT, 400);
});

t.test('requests beyond the limit are 429 at once; finished or aborted ones free their place', async (t) => {
  const held: ServerResponse[] = [];
  let rejected = 0;
  const server = createServer(
    withMaxInFlight(
      (req, res) => {
        if (req.url === '/hold') held.push(res);
        else res.end('ok');
      },
      2,
      () => rejected++,
    ),
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => server.close());
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const until = async (cond: () => boolean) => {
    while (!cond()) await new Promise((r) => setTimeout(r, 5));
  };

  const first = fetch(`${url}/hold`);
  const abort = new AbortController();
  const second = fetch(`${url}/hold`, { signal: abort.signal }).catch(() => undefined);
  await until(() => held.length === 2);

  const refused = await fetch(`${url}/`);
  t.equal(refused.status, 429);
  t.equal(refused.headers.get('retry-after'), '1');
  t.equal(refused.headers.get('content-type'), 'text/plain; charset=utf-8');
  t.equal(await refused.text(), 'Too many requests, please try again later.\n', "Go's http.Error text");
  t.equal(rejected, 1, 'counted');

  held[0]!.end('done');
  t.equal(await (await first).text(), 'done');
  t.equal((await fetch(`${url}/`)).status, 200, 'a finished response frees its place');

  // The second is still held: one place left, taken by a third hold, then the next is refused.
  const third = fetch(`${url}/hold`);
  await until(() => held.length === 3);
  t.equal((await fetch(`${url}/`)).status, 429, 'full again');
  abort.abort();
  await second;
  await until(() => held[1]!.destroyed || held[1]!.writableEnded);
  await new Promise((r) => setTimeout(r, 20));
  t.equal((await fetch(`${url}/`)).status, 200, 'a connection closed by its client frees its place');
  held[2]!.end('x');
  await third;
});

t.test('over HTTP/2: streams count as requests; a reset stream frees its place', async (t) => {
  const dir = tempDir();
  const held: ServerResponse[] = [];
  const server = await createSecureServer(
    { certDir: dir.path, tlsMinVersion: 'VersionTLS12', tlsCipherSuites: [] },
    withMaxInFlight((req, res) => {
      if (req.url === '/hold') held.push(res);
      else res.end('ok');
    }, 2),
  );
  const port = await listen(server);
  const s = h2Connect(port);
  t.teardown(async () => {
    s.session.destroy();
    await closeServer(server);
    dir.remove();
  });
  const first = h2Request(s, '/hold');
  const second = s.session.request({ ':path': '/hold' }, { endStream: true });
  second.on('error', () => {});
  while (held.length < 2) await sleep(5);
  const refused = await h2Request(s, '/');
  t.equal(refused.status, 429);
  t.same(refused.headers.filter(([n]) => n !== 'date'), [['content-type', 'text/plain; charset=utf-8'], ['x-content-type-options', 'nosniff'], ['retry-after', '1']]);
  t.equal(refused.body.toString(), 'Too many requests, please try again later.\n');
  held[0]!.end('done');
  t.equal((await first).body.toString(), 'done');
  t.equal((await h2Request(s, '/')).status, 200, 'a finished stream frees its place');
  const third = h2Request(s, '/hold');
  while (held.length < 3) await sleep(5);
  t.equal((await h2Request(s, '/')).status, 429, 'full again');
  const closed = new Promise((r) => held[1]!.once('close', r));
  second.close(http2constants.NGHTTP2_CANCEL);
  await closed;
  t.equal((await h2Request(s, '/')).status, 200, 'a stream the client reset frees its place');
  held[2]!.end('x');
  await third;
});
