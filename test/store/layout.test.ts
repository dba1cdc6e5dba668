// newSlots hands out zeroed point arrays copied from one shared template: each
// must be its own array of exactly the length asked for, whatever was written
// into earlier ones.
import t from 'tap';
import { newSlots, STRIDE } from '../../src/store/layout.js';

t.test('newSlots: zeros of the asked length, independent of each other', async (t) => {
  const a = newSlots(2 * STRIDE);
  t.equal(a.length, 2 * STRIDE);
  t.ok(a.every((v) => v === 0), 'all zeros');
  a.fill(1.5e12);
  const b = newSlots(2 * STRIDE);
  t.ok(b.every((v) => v === 0), 'a later array is not touched by writes to an earlier one');
  const big = newSlots(50 * STRIDE);
  t.equal(big.length, 50 * STRIDE, 'longer than any before');
  t.ok(big.every((v) => v === 0));
  big[0] = NaN;
  t.equal(newSlots(STRIDE)[0], 0);
  t.same(newSlots(0), []);
});
