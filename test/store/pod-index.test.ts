// The index maps namespace and name to a pod's slot in an open-addressing
// table: whatever the order of additions and deletions (deletions shift later
// entries back), every pod indexed is found, and nothing else.
import t from 'tap';
import { PodIndex, hashOf } from '../../src/store/pod-index.js';
import { NO_SLOT, PodTable } from '../../src/store/pod-table.js';

function indexed(): { table: PodTable; idx: PodIndex; add: (ns: string, name: string) => number; remove: (s: number) => void } {
  const table = new PodTable();
  const idx = new PodIndex(table);
  return {
    table,
    idx,
    add: (ns, name) => {
      const s = table.alloc();
      idx.add(s, ns, name);
      return s;
    },
    remove: (s) => {
      idx.delete(s);
      table.release(s);
    },
  };
}

t.test('pods are found by namespace and name', async (t) => {
  const { table, idx, add, remove } = indexed();
  const a = add('ns1', 'web');
  const b = add('ns2', 'web');
  t.same([table.namespaceOf(a), table.name[a]], ['ns1', 'web'], 'the slot is given its names');
  t.equal(idx.get('ns1', 'web'), a);
  t.equal(idx.get('ns2', 'web'), b, 'same name, other namespace');
  t.equal(idx.get('ns1/web', ''), NO_SLOT);
  t.equal(idx.get('ns1', 'we'), NO_SLOT);
  t.equal(idx.get('ns', '1web'), NO_SLOT);
  remove(a);
  t.equal(idx.get('ns1', 'web'), NO_SLOT);
  t.equal(idx.get('ns2', 'web'), b, 'the other is kept');
  t.same(table.namespaces.names.filter((n) => n !== ''), ['ns2'], 'the emptied namespace is not kept');
});

t.test("every pod of a namespace is given the namespace's first string", async (t) => {
  const { table, add } = indexed();
  // (JavaScript cannot tell two equal strings apart: bench/store-memory.ts sees the memory.)
  const a = add(['ns', '1'].join('-'), 'a');
  const b = add(['ns', '1'].join('-'), 'b');
  t.same([table.namespaceOf(a), table.namespaceOf(b)], ['ns-1', 'ns-1']);
  t.equal(table.ns[a], table.ns[b], 'one namespace id');
  t.equal(table.namespaces.size, 1);
});

t.test('the hash depends on the seed and on where namespace ends and name begins', async (t) => {
  t.not(hashOf('ab', 'c', 1), hashOf('a', 'bc', 1));
  t.not(hashOf('ns', 'p', 1), hashOf('ns', 'p', 2));
  t.equal(hashOf('ns', 'p', 7), hashOf(['n', 's'].join(''), 'p', 7));
});

t.test('random additions and deletions, through growth and shrinking, against a Map', async (t) => {
  const { idx, add, remove } = indexed();
  const reference = new Map<string, number>();
  let seed = 12345;
  const random = (n: number) => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return (seed >>> 8) % n;
  };
  let wrong = 0;
  const check = () => {
    for (const [key, s] of reference) {
      const [ns, name] = key.split('/') as [string, string];
      if (idx.get(ns, name) !== s) wrong++;
    }
  };
  const keys: string[] = [];
  let maxBuckets = 0;
  // Grow to thousands of pods with deletions mixed in, then shrink to a few dozen, checking as we go.
  for (let round = 0; round < 40_000; round++) {
    // A quarter of the operations delete while growing, two thirds after.
    const deleting = round < 15_000 ? random(4) === 0 : random(3) !== 0;
    if (deleting && keys.length > 0) {
      const k = random(keys.length);
      const key = keys[k]!;
      keys[k] = keys[keys.length - 1]!;
      keys.pop();
      remove(reference.get(key)!);
      reference.delete(key);
    } else if (!deleting || keys.length < 50) {
      const ns = `ns-${random(7)}`;
      const name = `pod-${random(6000)}`;
      const key = `${ns}/${name}`;
      if (!reference.has(key)) {
        reference.set(key, add(ns, name));
        keys.push(key);
      }
    }
    maxBuckets = Math.max(maxBuckets, idx['buckets'].length);
    if (round % 1000 === 999) check();
  }
  check();
  t.equal(wrong, 0, 'every pod found where it is');
  t.equal(idx.get('ns-1', 'pod-6001'), NO_SLOT);
  t.ok(maxBuckets >= 4096, `grew (${maxBuckets} buckets)`);
  t.ok(idx['buckets'].length < maxBuckets, `shrank (${idx['buckets'].length} buckets for ${reference.size} pods)`);
  t.equal(idx['size'], reference.size);
});

t.test('deleting a slot the index does not hold changes nothing', async (t) => {
  const { table, idx, add } = indexed();
  const a = add('ns', 'p');
  const stray = table.alloc();
  table.hash[stray] = table.hash[a]!;
  idx.delete(stray);
  t.equal(idx.get('ns', 'p'), a);
  t.equal(idx['size'], 1);
});
