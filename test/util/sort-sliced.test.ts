// sortSliced sorts as Array.prototype.sort does (stably), and yields while it runs.
import t, { type Test } from 'tap';
import { SORT_RUN, sortSliced } from '../../src/util/sort-sliced.js';
import { CountingSlicer } from '../helpers/counting-slicer.js';

interface Item {
  key: number;
  seq: number;
}
const byKey = (a: Item, b: Item): number => a.key - b.key;

/** A seeded generator, so a failure repeats. */
function random(seed: number): (n: number) => number {
  return (n) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed % n);
}

function items(keys: number[]): Item[] {
  return keys.map((key, seq) => ({ key, seq }));
}

async function sameAsNative(t: Test, name: string, input: Item[]): Promise<void> {
  const slicer = new CountingSlicer();
  const before = input.slice();
  const got = await sortSliced(input, byKey, slicer);
  t.same(got, [...input].sort(byKey), `${name}: as the native (stable) sort`);
  t.same(input, before, `${name}: input untouched`);
  t.not(got, input, `${name}: a new array`);
}

t.test('sorts as the native stable sort at every size around a run and beyond', async (t) => {
  const rand = random(7);
  const sizes = [0, 1, 2, SORT_RUN - 1, SORT_RUN, SORT_RUN + 1, 2 * SORT_RUN, 2 * SORT_RUN + 1, 3 * SORT_RUN - 5, 5 * SORT_RUN + 17, 8 * SORT_RUN, 20_000];
  for (const n of sizes) {
    await sameAsNative(t, `random ${n}`, items(Array.from({ length: n }, () => rand(1_000_000))));
  }
});

t.test('presorted, reversed and nearly sorted inputs', async (t) => {
  const n = 6 * SORT_RUN + 123;
  await sameAsNative(t, 'presorted', items(Array.from({ length: n }, (_, i) => i)));
  await sameAsNative(t, 'reversed', items(Array.from({ length: n }, (_, i) => n - i)));
  const nearly = Array.from({ length: n }, (_, i) => i);
  const rand = random(3);
  for (let s = 0; s < 40; s++) {
    const a = rand(n);
    const b = rand(n);
    [nearly[a], nearly[b]] = [nearly[b]!, nearly[a]!];
  }
  await sameAsNative(t, 'nearly sorted', items(nearly));
});

t.test('equal items keep their order across runs and merges', async (t) => {
  const rand = random(11);
  // Few distinct keys: every run and merge meets ties, on both sides of a merge.
  for (const n of [SORT_RUN + 1, 4 * SORT_RUN, 7 * SORT_RUN + 3]) {
    await sameAsNative(t, `duplicates ${n}`, items(Array.from({ length: n }, () => rand(5))));
  }
  await sameAsNative(t, 'all equal', items(new Array<number>(3 * SORT_RUN + 1).fill(1)));
  // Reversed blocks of equal keys: the in-order fast path must not reorder ties either.
  await sameAsNative(t, 'descending blocks', items(Array.from({ length: 5 * SORT_RUN }, (_, i) => 10 - Math.floor(i / SORT_RUN))));
});

t.test('yields while it sorts, never for long, and not at all when the slice is never spent', async (t) => {
  const rand = random(5);
  const input = Array.from({ length: 40 * SORT_RUN }, () => rand(1e9));
  let compares = 0;
  let mostBetweenYields = 0;
  const slicer = new CountingSlicer(() => {
    mostBetweenYields = Math.max(mostBetweenYields, compares);
    compares = 0;
  });
  const got = await sortSliced(
    input,
    (a, b) => {
      compares++;
      return a - b;
    },
    slicer,
  );
  t.same(got, [...input].sort((a, b) => a - b));
  t.ok(slicer.yields >= 40, `yielded after each run at least (${slicer.yields})`);
  // One run's native sort is ~n log n compares; a whole merge pass here would be 80k.
  t.ok(mostBetweenYields <= SORT_RUN * 12, `at most a run's sort between yields (${mostBetweenYields} compares)`);
  const never = new CountingSlicer(undefined, false);
  t.same(await sortSliced(input, (a, b) => a - b, never), got, 'same result');
  t.equal(never.yields, 0, 'no yield while the slice lasts');
  const small = new CountingSlicer();
  await sortSliced(input.slice(0, SORT_RUN), (a, b) => a - b, small);
  t.equal(small.yields, 0, 'one run is sorted at once');
});
