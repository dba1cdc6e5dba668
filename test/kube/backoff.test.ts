import t from 'tap';
import { Backoff } from '../../src/kube/backoff.js';

t.test('doubles from initialMs up to maxMs, resets after a quiet period', async (t) => {
  let now = 0;
  const b = new Backoff({ initialMs: 100, maxMs: 1000, resetMs: 5000, jitter: 0 }, () => now);
  t.same([b.next(), b.next(), b.next(), b.next(), b.next(), b.next()], [100, 200, 400, 800, 1000, 1000]);
  now += 4000;
  t.equal(b.next(), 1000, 'failures 4 s apart keep the streak');
  now += 6000;
  t.equal(b.next(), 100, 'healthy for longer than resetMs: back to the start');
});

t.test('jitter adds up to the given fraction, never beyond maxMs', async (t) => {
  const b = new Backoff({ initialMs: 100, maxMs: 150, resetMs: 5000, jitter: 1 }, () => 0, () => 0.4);
  t.equal(b.next(), 140);
  t.equal(b.next(), 150);
});
