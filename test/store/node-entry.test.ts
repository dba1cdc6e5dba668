// A node's packed storage: a changed tail replaces what followed the pods kept
// in place; the arrays grow past their capacity and shrink when mostly empty,
// keeping the node point and the kept pods.
import t from 'tap';
import { STRIDE } from '../../src/store/layout.js';
import { NodeEntries, commitTail, containerBase, releasePods } from '../../src/store/node-entry.js';

/** Scratch for `pods` pods of one container each, record values from `value`. */
function scratch(pods: number, value: number) {
  const slots = Int32Array.from({ length: pods }, (_, i) => value + i);
  const records = new Float64Array(pods * STRIDE).map((_, i) => value + Math.floor(i / STRIDE));
  return { slots, records };
}

const recordsOf = (data: Float64Array, containers: number) => Array.from({ length: containers }, (_, i) => data[containerBase(i)]);

t.test('node ids are reused once their node is removed', async (t) => {
  const entries = new NodeEntries();
  const a = entries.create('a');
  const b = entries.create('b');
  t.same([a.id, b.id], [0, 1]);
  entries.remove(a);
  entries.remove(a);
  t.equal(entries.byId[a.id], undefined);
  const c = entries.create('c');
  t.equal(c.id, a.id, "a's id went to c");
  t.equal(entries.byId[c.id], c);
  t.equal(entries.create('d').id, 2, 'once, not twice');
});

t.test('a tail replaces what followed the kept pods; the node point and the kept records stay', async (t) => {
  const e = new NodeEntries().create('n');
  e.data[0] = 42;
  const first = scratch(4, 100);
  commitTail(e, 0, 0, first.slots, 4, first.records, 4);
  t.equal(e.data.length, containerBase(4), 'exactly what is needed on a first fill');
  t.same([...e.pods.subarray(0, e.podCount)], [100, 101, 102, 103]);
  t.same(recordsOf(e.data, 4), [100, 101, 102, 103]);
  t.equal(e.series, 4);

  const tail = scratch(1, 200);
  commitTail(e, 2, 2, tail.slots, 1, tail.records, 1);
  t.same([...e.pods.subarray(0, e.podCount)], [100, 101, 200]);
  t.same(recordsOf(e.data, 3), [100, 101, 200]);
  t.equal(e.series, 3);
  t.equal(e.data[0], 42, 'the node point is not touched');
});

t.test('growth past the capacity keeps the kept part, with room for a few more; a mostly empty node shrinks', async (t) => {
  const e = new NodeEntries().create('n');
  e.data[0] = 42;
  let held = 0;
  for (let round = 0; round < 40; round++) {
    const more = scratch(round + 1, 1000 * round);
    commitTail(e, held, held, more.slots, more.slots.length, more.records, more.slots.length);
    held += more.slots.length;
    t.ok(e.data.length >= containerBase(held) && e.pods.length >= held);
  }
  t.equal(e.data[0], 42);
  const expected = Array.from({ length: 40 }, (_, round) => Array.from({ length: round + 1 }, (_, i) => 1000 * round + i)).flat();
  t.same(recordsOf(e.data, held), expected, 'every record where it was put');
  t.same([...e.pods.subarray(0, held)], expected);
  t.ok(e.data.length <= containerBase(held + (held >> 3)), 'growth leaves at most an eighth spare');

  const few = scratch(2, 7);
  commitTail(e, 3, 3, few.slots, 2, few.records, 2);
  t.equal(e.data.length, containerBase(5), 'shrunk to what is used');
  t.equal(e.pods.length, 5);
  t.same(recordsOf(e.data, 5), [0, 1000, 1001, 7, 8]);
  t.same([...e.pods], [0, 1000, 1001, 7, 8]);
  t.equal(e.data[0], 42);

  releasePods(e);
  t.same([e.podCount, e.series, e.data.length], [0, 0, STRIDE], 'a forgotten node lets its pods go');
});
