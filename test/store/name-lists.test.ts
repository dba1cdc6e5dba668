// Container name lists shared by pods: one list per distinct sequence of
// names, counted by pod, let go with its last, found again through hash
// collisions.
import t from 'tap';
import type { ContainerPoint } from '../../src/scrape/types.js';
import { NameLists } from '../../src/store/name-lists.js';

const points = (...names: string[]): ContainerPoint[] =>
  names.map((name) => ({ name, timestampMs: 0, startTimeMs: 0, startSubMsNs: 0, cpuSec: 0, cpuNsec: 0, memoryBytes: 0 }));

t.test('one list per sequence of names, counted by pod', async (t) => {
  const lists = new NameLists();
  const a = lists.acquire(points('app', 'side'));
  t.equal(lists.acquire(points('app', 'side')), a, 'the same names, the same list');
  const b = lists.acquire(points('side', 'app'));
  t.not(b, a, 'another order, another list');
  t.not(lists.acquire(points('appside')), a, 'names are not run together');
  t.not(lists.acquire(points('app', 'side', 'x')), a);
  t.same(lists.names[a], ['app', 'side']);
  t.equal(lists.size, 4);
  lists.release(a);
  t.same(lists.names[a], ['app', 'side'], 'one pod still has it');
  lists.release(a);
  t.same(lists.names[a], [], 'let go with its last pod');
  t.equal(lists.size, 3);
  t.equal(lists.acquire(points('web')), a, 'its id reused');
  t.same(lists.names[b], ['side', 'app']);
});

t.test('lists whose hashes collide are told apart, and let go in any order', async (t) => {
  // FNV-1a of these two single names is the same 32-bit value.
  const lists = new NameLists();
  const x = lists.acquire(points('c693596'));
  const y = lists.acquire(points('c1170850'));
  t.not(x, y);
  t.equal(lists['byHash'].size, 1, 'they share one hash');
  t.equal(lists.acquire(points('c693596')), x);
  t.equal(lists.acquire(points('c1170850')), y);
  lists.release(x);
  lists.release(x);
  t.equal(lists.acquire(points('c1170850')), y, 'found once the other went from behind it');
  const x2 = lists.acquire(points('c693596'));
  t.same(lists.names[x2], ['c693596']);
  for (let i = 0; i < 3; i++) lists.release(y);
  t.equal(lists.acquire(points('c693596')), x2, 'found once the other went from in front of it');
  lists.release(x2);
  lists.release(x2);
  t.equal(lists['byHash'].size, 0);
  t.equal(lists.size, 0);
});
