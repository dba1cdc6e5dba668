import t from 'tap';
import { LabelInterner } from '../../src/kube/label-interner.js';

t.test('identical label sets share one frozen object until the last owner releases it', async (t) => {
  const li = new LabelInterner();
  const a = li.acquire({ app: 'web', tier: 'fe' });
  const b = li.acquire({ tier: 'fe', app: 'web' });
  t.equal(a, b, 'key order does not matter');
  t.ok(Object.isFrozen(a));
  const c = li.acquire({ app: 'web' });
  t.not(a, c);
  t.equal(li.size, 2);
  li.release(a);
  t.equal(li.size, 2, 'one owner left');
  li.release(b);
  t.equal(li.size, 1, 'released');
  li.release(c);
  t.equal(li.size, 0);
  t.equal(li.acquire({}), li.acquire({}), 'empty labels shared and not counted');
  t.equal(li.size, 0);
});

t.test('values that would collide under naive joining stay distinct', async (t) => {
  const li = new LabelInterner();
  t.not(li.acquire({ a: 'b,c=d' }), li.acquire({ a: 'b', c: 'd' }));
});

t.test('label sets with integer-like keys are released too', async (t) => {
  const interner = new LabelInterner();
  for (let i = 0; i < 100; i++) {
    const shared = interner.acquire({ '10': 'a', '9': 'b', app: 'web' });
    interner.release(shared);
  }
  t.equal(interner.size, 0, 'no set left behind after acquire/release pairs');
});
