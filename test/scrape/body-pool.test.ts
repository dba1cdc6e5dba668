// Reused response buffers: what is pooled stays bounded (growth across reads is
// http1-response.test.ts's).
import t from 'tap';
import { BodyPool } from '../../src/scrape/body-pool.js';

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
