// Pod slots: released slots are handed out again, and the columns keep their
// values when they grow.
import t from 'tap';
import { PodTable } from '../../src/store/pod-table.js';

t.test('a released slot is the next one handed out, its strings let go', async (t) => {
  const table = new PodTable();
  const a = table.alloc();
  const b = table.alloc();
  t.not(a, b);
  table.name[a] = 'pod-a';
  table.namespace[a] = 'ns';
  table.seen[a] = 7;
  t.equal(table.size, 2);
  table.release(a);
  t.equal(table.size, 1);
  t.same([table.name[a], table.namespace[a], table.owner[a], table.seen[a]], ['', '', undefined, 0], 'nothing of the old pod is kept');
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
    table.count[s] = i + 1;
    table.withPrev[s] = i + 2;
    table.seen[s] = i + 3;
    table.name[s] = `p${i}`;
  }
  t.equal(order, 0, 'slots handed out in order');
  t.ok(table.first.length >= n);
  let bad = 0;
  for (let s = 0; s < n; s++) {
    if (table.first[s] !== s || table.count[s] !== s + 1 || table.withPrev[s] !== s + 2 || table.seen[s] !== s + 3 || table.name[s] !== `p${s}`) bad++;
  }
  t.equal(bad, 0, 'no slot lost a value');
  t.equal(table.size, n);
});
