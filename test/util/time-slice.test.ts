// Long loops yield once their slice is spent, and only then.
import t from 'tap';
import { TimeSlicer } from '../../src/util/time-slice.js';

t.test('a slice is spent after its length; next() starts a new one after the event loop ran', async (t) => {
  let clock = 1000;
  const s = new TimeSlicer(10, () => clock);
  t.notOk(s.due, 'fresh slice');
  clock = 1009.9;
  t.notOk(s.due, 'just before its end');
  clock = 1010;
  t.ok(s.due, 'at its end');
  let ran = false;
  setImmediate(() => (ran = true));
  await s.next();
  t.ok(ran, 'what was ready ran before next() resolved');
  t.notOk(s.due, 'a new slice from the clock at resumption');
  clock = 1020;
  t.ok(s.due);
});

t.test('a zero-length slice is always due; an infinite one never', async (t) => {
  let clock = 0;
  t.ok(new TimeSlicer(0, () => clock).due);
  const never = new TimeSlicer(Infinity, () => clock);
  clock = 1e12;
  t.notOk(never.due);
});
