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

t.test('a full pool keeps its larger buffers: outgrown small ones do not crowd them out', async (t) => {
  const pool = new BodyPool(2);
  const small = [pool.acquire(1000), pool.acquire(1000)];
  const large = pool.acquire(100_000);
  for (const b of small) pool.release(b);
  pool.release(large);
  t.equal(pool.size, 2);
  t.equal(pool.acquire(50_000), large, 'the large one was kept in place of a small one');
  pool.release(large);
  pool.release(Buffer.allocUnsafeSlow(16 * 1024));
  t.equal(pool.size, 2, 'a buffer no larger than the smallest kept is dropped when full');
  t.equal(pool.acquire(50_000), large, 'and the large one is still there');
});
