// The decoders' name interner: the right string for the bytes, whatever the
// hash collisions, and a bounded number of names under churn.
import t from 'tap';
import { Buffer } from 'node:buffer';
import { NameInterner, type NodeNames } from '../../src/scrape/name-interner.js';

function intern(names: NameInterner, s: string, pad = 3): string {
  // The name sits inside a larger body, as in a kubelet response.
  const b = Buffer.from(`${'x'.repeat(pad)}${s}"`, 'latin1');
  return names.intern(b, pad, pad + s.length);
}

t.test('every name comes back as itself, across generations and hash collisions', async (t) => {
  const names = new NameInterner();
  // 200k names: FNV-1a over 32 bits collides many times among them.
  const all = Array.from({ length: 200_000 }, (_, i) => `pod-${(i * 2654435761) >>> 0}-${i}`);
  let wrong = 0;
  for (const s of all) if (intern(names, s) !== s) wrong++;
  names.nextTick();
  for (const s of all.slice(-50_000)) if (intern(names, s, 7) !== s) wrong++;
  names.nextTick();
  names.nextTick();
  t.equal(names.size, 50_000, 'names not read for two ticks were dropped');
  for (const s of all.slice(0, 50_000)) if (intern(names, s) !== s) wrong++;
  t.equal(wrong, 0);
  t.equal(intern(names, ''), '', 'the empty name');
});

t.test('bounded: names not read for two ticks are dropped; names still read stay', async (t) => {
  const names = new NameInterner();
  const steady = Array.from({ length: 1000 }, (_, i) => `steady-${i}`);
  let max = 0;
  for (let round = 0; round < 200; round++) {
    for (const s of steady) intern(names, s);
    // 1,000 names per round that are never seen again (a Job storm).
    for (let i = 0; i < 1000; i++) intern(names, `job-${round}-${i}`);
    max = Math.max(max, names.size);
    names.nextTick();
  }
  t.ok(max <= 4000, `about two ticks of names kept (${max} of the 201,000 seen)`);
  t.ok(names.size >= 1000);
  for (const s of steady) t.equal(intern(names, s), s);
});

/** Interns the names of one body through a node's view, as the decoders do. */
function body(view: NodeNames, list: readonly string[]): string[] {
  view.rewind();
  const text = Buffer.from(list.map((s) => `"${s}"`).join(','), 'latin1');
  const out: string[] = [];
  let at = 0;
  for (const s of list) {
    out.push(view.intern(text, at + 1, at + 1 + s.length));
    at += s.length + 3;
  }
  return out;
}

t.test("a node's view: the right names whatever changed since its last body", async (t) => {
  const names = new NameInterner();
  const view = names.forNode();
  const pods = Array.from({ length: 30 }, (_, i) => `web-${i}`);
  t.same(body(view, pods), pods, 'first body');
  t.same(body(view, pods), pods, 'same body again');
  // Same lengths, other bytes: a hint must be compared, not trusted by position.
  const renamed = pods.map((s) => s.replace('web', 'api'));
  t.same(body(view, renamed), renamed, 'every name replaced by one of the same length');
  const shifted = ['new-pod', ...renamed];
  t.same(body(view, shifted), shifted, 'a name inserted in front shifts the rest');
  t.same(body(view, shifted.slice(0, 3)), shifted.slice(0, 3), 'a shorter body');
  t.same(body(view, shifted), shifted, 'then a longer one');
  t.same(body(view, ['', 'a', '']), ['', 'a', ''], 'empty names');
  t.equal(names.size, pods.length * 2 + 1 + 1 + 1, 'every distinct name interned once');
});

t.test("names read through a node's view stay held by the interner", async (t) => {
  const names = new NameInterner();
  const view = names.forNode();
  const list = ['default', 'kube-system', 'main', 'sidecar'];
  for (let tick = 0; tick < 5; tick++) {
    t.same(body(view, list), list);
    names.nextTick();
  }
  // Found by position every tick after the first: the interner still counts them as read.
  t.equal(names.size, list.length);
  // Another node's view gets the same entries (nothing new interned).
  t.same(body(names.forNode(), list), list);
  t.equal(names.size, list.length);
});
