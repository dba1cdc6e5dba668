// Pod slots: released slots are handed out again, and the columns keep their
// values when they grow.
import t from 'tap';
import { NO_NODE, PodTable } from '../../src/store/pod-table.js';

t.test('a released slot is the next one handed out, its strings let go', async (t) => {
  const table = new PodTable();
  const a = table.alloc();
  const b = table.alloc();
  t.not(a, b);
  table.name[a] = 'pod-a';
  table.owner[a] = 3;
  table.seen[a] = 7;
  t.equal(table.size, 2);
  table.release(a);
  t.equal(table.size, 1);
  t.same([table.name[a], table.owner[a], table.seen[a]], ['', NO_NODE, 0], 'nothing of the old pod is kept');
  t.equal(table.alloc(), a, 'reused');
  t.equal(table.alloc(), 2, 'then new ones');
  t.equal(table.size, 3);
});

t.test('columns grow past their initial capacity keeping every value', async (t) => {
  const table = new PodTable();
  const initial = table.first.length;
  const n = 10 * initial;
  let order = 0;
  for (let i = 0; i < n; i++) {
    const s = table.alloc();
    if (s !== i) order++;
    table.first[s] = i;
    table.list[s] = i + 1;
    table.withPrev[s] = i + 2;
    table.seen[s] = i + 3;
    table.hash[s] = i + 4;
    table.owner[s] = i + 5;
    table.ns[s] = i + 6;
    table.name[s] = `p${i}`;
  }
  t.equal(order, 0, 'slots handed out in order');
  t.ok(table.first.length >= n);
  let bad = 0;
  for (let s = 0; s < n; s++) {
    const columns = [table.first, table.list, table.withPrev, table.seen, table.hash, table.owner, table.ns];
    if (columns.some((column, k) => column[s] !== s + k) || table.name[s] !== `p${s}`) bad++;
  }
  t.equal(bad, 0, 'no slot lost a value');
  t.equal(table.size, n);
  t.equal(table.extent, n);
});

t.test('namespaces are counted by pod and let go with their last', async (t) => {
  const table = new PodTable();
  const ns = table.namespaces;
  const a = ns.acquire('a');
  t.equal(ns.acquire('a'), a);
  const b = ns.acquire('b');
  t.not(a, b);
  ns.release(a);
  t.equal(ns.names[a], 'a', 'one pod left');
  ns.release(a);
  t.equal(ns.names[a], '', 'gone with its last pod');
  t.equal(ns.size, 1);
  t.equal(ns.acquire('c'), a, 'its id reused');
  t.equal(ns.names[b], 'b');
});
