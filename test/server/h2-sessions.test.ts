// HTTP/2 sessions close with GOAWAY once idle, as x/net/http2's IdleTimeout:
// idle means no open stream (PINGs do not count), and a session busy with a
// slow request is never cut. destroyAll ends the busy ones too.
import t from 'tap';
import { createSecureServer } from 'node:http2';
import type { AddressInfo } from 'node:net';
import { Http2Sessions, HTTP2_IDLE_TIMEOUT_MS } from '../../src/server/h2-sessions.js';
import { createCA, issueCert } from '../../src/util/pki.js';
import { h2Connect, h2Request } from '../helpers/h2-client.js';
import { sleep } from './authn/harness.js';

t.test('idle sessions get GOAWAY; busy ones are left alone', async (t) => {
  t.equal(HTTP2_IDLE_TIMEOUT_MS, 90_000, "GAS's IdleTimeout");
  const serving = await issueCert(await createCA('ca'), { cn: 'localhost', ips: ['127.0.0.1'], serverAuth: true });
  const server = createSecureServer({ cert: serving.cert, key: serving.key }, (req, res) => {
    setTimeout(() => res.end('done'), Number(new URL(req.url, 'https://x').searchParams.get('ms') ?? 0)).unref();
  });
  const sessions = new Http2Sessions(server, 1 << 20, 150);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  t.teardown(() => new Promise<void>((r) => server.close(() => r())));

  const s = h2Connect(port);
  t.equal((await h2Request(s, '/?ms=400')).body.toString(), 'done', 'a request longer than the idle timeout completes');
  t.same(s.goaways, [], 'no GOAWAY while a stream was open');
  let pings = 0;
  for (let i = 0; i < 5; i++) {
    await sleep(40);
    if (s.session.closed || s.session.destroyed) continue;
    s.session.ping(() => {});
    pings++;
  }
  t.ok(pings >= 3, `pings sent: ${pings}`);
  t.same(s.goaways, [0], 'GOAWAY after 150 ms without a stream, pings notwithstanding');
  await sleep(50);
  t.equal(sessions.size, 0, 'the session is gone');

  const busy = h2Connect(port);
  const stuck = h2Request(busy, '/?ms=60000').then((r) => `status ${r.status}`, (e: NodeJS.ErrnoException) => e.code);
  await sleep(50);
  t.equal(sessions.size, 1);
  sessions.destroyAll();
  t.match(await stuck, /^(status 0|ERR_HTTP2.*)$/, 'destroyAll cuts a busy session: no answer');
  busy.session.destroy();
});
