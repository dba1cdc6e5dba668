// The in-place HTTP/1.1 response reader: every framing a kubelet (Go's
// net/http) can send, split at every byte boundary, over pooled buffers that
// still hold earlier bytes; and the responses it must refuse.
import t from 'tap';
import { BodyPool } from '../../src/scrape/body-pool.js';
import { Http1Response, ResponseError } from '../../src/scrape/http1-response.js';

const MAX = 1024 * 1024;

/** Feeds raw to a response in reads of the given sizes (cycled); returns the response and whether it completed. */
function feed(raw: string | Buffer, sizes: number[], opts: { pool?: BodyPool; max?: number; hint?: number } = {}): { r: Http1Response; done: boolean; fedAll: boolean } {
  const bytes = typeof raw === 'string' ? Buffer.from(raw, 'latin1') : raw;
  const r = new Http1Response(opts.pool ?? new BodyPool(4), opts.hint ?? 0, opts.max ?? MAX);
  let at = 0;
  let i = 0;
  let done = false;
  while (at < bytes.length && !done) {
    const space = r.space();
    const n = Math.min(sizes[i++ % sizes.length]!, bytes.length - at, space.length);
    bytes.copy(space, 0, at, at + n);
    at += n;
    done = r.received(n);
  }
  return { r, done, fedAll: at === bytes.length };
}

function body(r: Http1Response): string {
  return Buffer.from(r.bytes()).toString('latin1');
}

function reason(fn: () => unknown): string {
  try {
    fn();
    return 'none';
  } catch (e) {
    return e instanceof ResponseError ? e.reason : `not a ResponseError: ${String(e)}`;
  }
}

const payload = JSON.stringify({ node: { nodeName: 'n1', cpu: { usageNanoCores: 123 } }, pods: Array.from({ length: 40 }, (_, i) => ({ name: `pod-${i}` })) });
// Uneven chunks, none empty (a zero-size chunk ends the body).
const half = Math.floor(payload.length / 2);
const chunks = [payload.slice(0, 7), payload.slice(7, half), payload.slice(half)];
const chunked =
  'HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\nDate: Mon, 01 Jan 2024 00:00:00 GMT\r\n\r\n' +
  chunks.map((c, i) => `${c.length.toString(16)}${i === 1 ? ';ext=1' : ''}\r\n${c}\r\n`).join('') +
  '0\r\nX-Trailer: yes\r\n\r\n';
const withLength = `HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: ${payload.length}\r\n\r\n${payload}`;

t.test('Content-Length and chunked bodies, in one read or split at every byte', async (t) => {
  for (const [what, raw] of [
    ['content-length', withLength],
    ['chunked', chunked],
    ['chunked, upper-case hex', chunked.replace(/^5d([0-9a-f]*)\r\n/m, (m) => m.toUpperCase())],
  ] as const) {
    for (const sizes of [[1 << 20], [1], [2, 3, 5, 7, 11, 13], [4096]]) {
      const { r, done } = feed(raw, sizes);
      t.ok(done, `${what}, reads of ${sizes.join('/')}: complete`);
      t.equal(body(r), payload, `${what}, reads of ${sizes.join('/')}: body`);
      t.equal(r.statusCode, 200);
      t.ok(r.reusable, 'connection reusable');
    }
  }
});

t.test('a reused buffer that still holds an earlier response does not end the head or a line early', async (t) => {
  const pool = new BodyPool(1);
  const stale = pool.acquire(64 * 1024);
  stale.fill(Buffer.from('\r\n\r\n0\r\n\r\n'));
  pool.release(stale);
  const cut = chunked.indexOf('\r\n\r\n') - 1;
  const { r, done } = feed(chunked.slice(0, cut), [1 << 20], { pool });
  t.notOk(done, 'half a head is not a head');
  t.equal(r.statusCode, 0);
  const again = new BodyPool(1);
  const s2 = again.acquire(64 * 1024);
  s2.fill(Buffer.from('\r\n'));
  again.release(s2);
  const inChunk = chunked.indexOf('5d') + 1;
  t.notOk(feed(chunked.slice(0, inChunk), [1 << 20], { pool: again }).done, 'half a chunk-size line is not a line');
});

t.test('interim 1xx responses are skipped; 204 has no body', async (t) => {
  const { r, done } = feed(`HTTP/1.1 100 Continue\r\n\r\n${withLength}`, [3]);
  t.ok(done);
  t.equal(r.statusCode, 200);
  t.equal(body(r), payload);
  const nc = feed('HTTP/1.1 204 No Content\r\nDate: x\r\n\r\n', [1 << 20]);
  t.ok(nc.done);
  t.equal(nc.r.statusCode, 204);
  t.equal(nc.r.bodyLength, 0);
});

t.test('status codes other than 200 are reported once the head is read', async (t) => {
  const { r, done } = feed('HTTP/1.1 401 Unauthorized\r\nContent-Length: 12\r\n\r\nUnauth', [1 << 20]);
  t.notOk(done, 'body not complete yet');
  t.equal(r.statusCode, 401, 'but the status is known');
});

t.test('what makes a connection unusable afterwards', async (t) => {
  t.notOk(feed(withLength.replace('HTTP/1.1', 'HTTP/1.0'), [1 << 20]).r.reusable, 'HTTP/1.0');
  t.notOk(feed(withLength.replace('Content-Type', 'Connection: close\r\nContent-Type'), [1 << 20]).r.reusable, 'Connection: close');
  const extra = feed(`${withLength}HTTP/1.1 200 OK\r\n`, [1 << 20]);
  t.ok(extra.done);
  t.equal(body(extra.r), payload, 'the body is the declared length');
  t.notOk(extra.r.reusable, 'bytes nobody asked for');
  t.ok(feed(withLength.replace('Content-Type', 'Connection: keep-alive\r\nContent-Type'), [1 << 20]).r.reusable, 'keep-alive');
});

t.test('a body without length ends with the connection', async (t) => {
  const { r, done, fedAll } = feed(`HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n${payload}`, [100]);
  t.ok(fedAll);
  t.notOk(done, 'not complete before the end of the connection');
  t.ok(r.eof(), 'complete at the end');
  t.equal(body(r), payload);
  t.notOk(r.reusable);
  const cut = feed(withLength.slice(0, -10), [1 << 20]);
  t.notOk(cut.r.eof(), 'a declared length cut short is not complete');
  t.equal(reason(() => feed(`HTTP/1.1 200 OK\r\n\r\n${'x'.repeat(5000)}`, [1 << 20], { max: 4096 })), 'size', 'over the limit');
});

t.test('limits: declared or chunked bodies over the maximum, oversized heads and lines', async (t) => {
  t.equal(reason(() => feed(withLength, [1 << 20], { max: payload.length - 1 })), 'size', 'Content-Length over the maximum');
  t.equal(feed(withLength, [1 << 20], { max: payload.length }).done, true, 'exactly the maximum');
  t.equal(reason(() => feed(chunked, [1 << 20], { max: payload.length - 1 })), 'size', 'chunks adding up past the maximum');
  t.equal(reason(() => feed(`HTTP/1.1 200 OK\r\nX: ${'a'.repeat(70 * 1024)}\r\n\r\n`, [1 << 20])), 'protocol', 'head over 64 KiB');
  t.equal(reason(() => feed(`HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;${'e'.repeat(5000)}`, [1 << 20])), 'protocol', 'endless chunk-size line');
  t.equal(reason(() => feed(`HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n${'f'.repeat(13)}\r\n`, [1 << 20])), 'protocol', 'chunk size past 12 hex digits');
});

t.test('malformed responses are refused', async (t) => {
  const cases: [string, string][] = [
    ['not HTTP', 'SSH-2.0-OpenSSH\r\n\r\n'],
    ['HTTP/2 status line', 'HTTP/2 200\r\n\r\n'],
    ['header without colon', 'HTTP/1.1 200 OK\r\nbroken\r\n\r\n'],
    ['bad Content-Length', 'HTTP/1.1 200 OK\r\nContent-Length: 12a\r\n\r\n'],
    ['two different Content-Lengths', 'HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab'],
    ['Content-Length with chunked', 'HTTP/1.1 200 OK\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n'],
    ['an encoding we do not read', 'HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n'],
    ['bad chunk size', 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n'],
    ['empty chunk size', 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n\r\n'],
    ['chunk data longer than its size', 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabc\r\n0\r\n\r\n'],
    ['101 Switching Protocols', 'HTTP/1.1 101 Switching Protocols\r\n\r\n'],
  ];
  for (const [what, raw] of cases) t.equal(reason(() => feed(raw, [1 << 20])), 'protocol', what);
  t.equal(feed('HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 2\r\n\r\nab', [1 << 20]).done, true, 'repeated equal Content-Lengths are fine');
});

t.test('framing headers are found whatever their case and surrounding whitespace; look-alikes are not', async (t) => {
  const te = feed(chunked.replace('Transfer-Encoding: chunked', ' transfer-ENCODING :\t Chunked  '), [1 << 20]);
  t.ok(te.done, 'chunked body read');
  t.equal(body(te.r), payload);
  const cl = feed(withLength.replace('Content-Length:', 'CONTENT-length:  '), [5]);
  t.ok(cl.done);
  t.equal(body(cl.r), payload);
  t.notOk(feed(withLength.replace('Content-Type', 'CONNECTION: Keep-Alive, Close\r\nContent-Type'), [1 << 20]).r.reusable, 'close in a list');
  // Names that only look like Content-Length frame nothing: the body runs to the end of the connection.
  for (const name of ['Content-Lengthy', 'Content-Lengt', 'X-Content-Length']) {
    const { r, done } = feed(`HTTP/1.1 200 OK\r\n${name}: 3\r\n\r\n${payload}`, [1 << 20]);
    t.notOk(done, name);
    t.ok(r.eof(), `${name}: complete at the end of the connection`);
    t.equal(body(r), payload, name);
  }
  t.equal(feed('HTTP/1.1 200\r\nContent-Length: 2\r\n\r\nab', [1]).done, true, 'a status line without a reason phrase');
  const statusLines = ['HTTP/1.1 20 OK', 'HTTP/1.1 200OK', 'HTTP/1.2 200 OK', 'HTTP/1.1  200 OK', 'HTTP/1.1 2x0 OK', 'http/1.1 200 OK'];
  for (const line of statusLines) t.equal(reason(() => feed(`${line}\r\nContent-Length: 0\r\n\r\n`, [1 << 20])), 'protocol', line);
  t.equal(reason(() => feed('HTTP/1.1 200 OK\r\n: empty name\r\n\r\n', [1 << 20])), 'protocol', 'a header without a name');
  t.equal(reason(() => feed('HTTP/1.1 200 OK\r\nContent-Length: 2\r\nbroken\r\n\r\nab:', [1 << 20])), 'protocol', 'a colon only after the head');
});

t.test('the buffer grows for bodies larger than the hint and goes back to the pool', async (t) => {
  const pool = new BodyPool(4);
  const big = 'y'.repeat(200 * 1024);
  const { r, done } = feed(`HTTP/1.1 200 OK\r\nContent-Length: ${big.length}\r\n\r\n${big}`, [16 * 1024], { pool, hint: 100 });
  t.ok(done);
  t.equal(body(r), big);
  r.release();
  t.ok(pool.size >= 1, 'buffers returned');
});

t.test('Content-Encoding is read (lower case; identity or none is empty); the body is left as sent', async (t) => {
  const cases: [string | undefined, string][] = [
    [undefined, ''],
    ['gzip', 'gzip'],
    [' GZIP ', 'gzip'],
    ['identity', ''],
    ['br', 'br'],
  ];
  for (const [value, want] of cases) {
    const head = value === undefined ? '' : `Content-Encoding:${value}\r\n`;
    const { r, done } = feed(`HTTP/1.1 200 OK\r\n${head}Content-Length: 5\r\n\r\nhello`, [7]);
    t.ok(done);
    t.equal(r.encoding, want, JSON.stringify(value));
    t.equal(body(r), 'hello');
  }
});
