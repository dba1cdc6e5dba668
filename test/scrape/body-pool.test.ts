// Reused response buffers: a body grows across chunks without losing bytes,
// and what is pooled stays bounded.
import t from 'tap';
import { BodyBuilder, BodyPool } from '../../src/scrape/body-pool.js';

t.test('a body grows past its size hint and keeps every byte in order', async (t) => {
  const pool = new BodyPool(4);
  const body = new BodyBuilder(pool, 10);
  const expected: number[] = [];
  for (let i = 0; i < 5000; i++) {
    const chunk = Uint8Array.from({ length: 1 + (i % 37) }, (_, j) => (i + j) & 0xff);
    body.append(chunk);
    expected.push(...chunk);
  }
  t.equal(body.byteLength, expected.length);
  t.same(Array.from(body.bytes()), expected);
  t.ok(pool.size <= 4, 'outgrown buffers went back to the pool, within its bound');
  body.release();
});

t.test('released buffers are reused; the pool keeps at most maxFree, and none above 1 MiB', async (t) => {
  const pool = new BodyPool(2);
  const a = pool.acquire(20_000);
  const b = pool.acquire(20_000);
  const c = pool.acquire(20_000);
  pool.release(a);
  pool.release(b);
  pool.release(c);
  t.equal(pool.size, 2, 'the third is dropped');
  const again = pool.acquire(10_000);
  t.ok(again === a || again === b, 'a released buffer comes back');
  t.ok(again.length >= 10_000);
  pool.release(pool.acquire(2 * 1024 * 1024));
  t.equal(pool.size, 1, 'a 2 MiB buffer is not kept');
  t.ok(pool.acquire(100_000).length >= 100_000, 'too small pooled buffers are not handed out');
});
