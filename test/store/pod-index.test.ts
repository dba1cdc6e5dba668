// The index maps namespace and name to a pod's slot, keeping one namespace
// string for all its pods.
import t from 'tap';
import { PodIndex } from '../../src/store/pod-index.js';
import { NO_SLOT } from '../../src/store/pod-table.js';

t.test('pods are found by namespace and name; a namespace whose last pod goes is dropped', async (t) => {
  const idx = new PodIndex();
  idx.add('ns1', 'web', 1);
  idx.add('ns2', 'web', 2);
  t.equal(idx.get('ns1', 'web'), 1);
  t.equal(idx.get('ns2', 'web'), 2, 'same name, other namespace');
  t.equal(idx.get('ns1/web', ''), NO_SLOT);
  t.equal(idx.get('ns1', 'we'), NO_SLOT);
  idx.delete('ns1', 'web', 1);
  t.equal(idx.get('ns1', 'web'), NO_SLOT);
  t.equal(idx.get('ns2', 'web'), 2, 'the other is kept');
  t.same([...idx['byNamespace'].keys()], ['ns2'], 'the emptied namespace is not kept');
});

t.test('deleting a slot the index no longer holds leaves its successor', async (t) => {
  const idx = new PodIndex();
  idx.add('ns', 'p', 7);
  idx.add('ns', 'p', 8);
  idx.delete('ns', 'p', 7);
  t.equal(idx.get('ns', 'p'), 8);
});

// (JavaScript cannot tell two equal strings apart: this checks the answer, bench/store-memory.ts the memory.)
t.test("every pod of a namespace is given the namespace's first string", async (t) => {
  const idx = new PodIndex();
  const first = ['ns', '1'].join('-');
  const second = ['ns', '1'].join('-');
  t.equal(idx.add(first, 'a', 0), first);
  t.equal(idx.add(second, 'b', 1), 'ns-1');
});
