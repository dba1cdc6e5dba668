import t from 'tap';
import type { PodEntry } from '../../src/store/entries.js';
import { PodIndex } from '../../src/store/pod-index.js';

const entry = (namespace: string, name: string): PodEntry => ({ kind: 'pod', namespace, name, node: 'n', names: ['c'], data: [], prevCount: 0, seenTick: 0, live: true });

t.test('pods are found by namespace and name; a namespace whose last pod goes is dropped', async (t) => {
  const idx = new PodIndex();
  const a = entry('ns1', 'web');
  const b = entry('ns2', 'web');
  idx.add(a);
  idx.add(b);
  t.equal(idx.get('ns1', 'web'), a);
  t.equal(idx.get('ns2', 'web'), b, 'same name, other namespace');
  t.equal(idx.get('ns1/web', ''), undefined);
  t.equal(idx.get('ns1', 'we'), undefined);
  idx.delete(a);
  t.equal(idx.get('ns1', 'web'), undefined);
  t.equal(idx.get('ns2', 'web'), b, 'the other is kept');
  t.same([...idx['byNamespace'].keys()], ['ns2'], 'the emptied namespace is not kept');
});

t.test('deleting an entry the index no longer holds leaves its successor', async (t) => {
  const idx = new PodIndex();
  const old = entry('ns', 'p');
  const successor = entry('ns', 'p');
  idx.add(old);
  idx.add(successor);
  idx.delete(old);
  t.equal(idx.get('ns', 'p'), successor);
});
