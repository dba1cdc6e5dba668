// The decoders' name interner: the right string for the bytes, whatever the
// hash collisions, and a bounded number of names under churn.
import t from 'tap';
import { Buffer } from 'node:buffer';
import { NameInterner, type NodeNames, type Slot } from '../../src/scrape/name-interner.js';

function intern(names: NameInterner, s: string, pad = 3): string {
  // The name sits inside a larger body, as in a kubelet response.
  const b = Buffer.from(`${'x'.repeat(pad)}${s}"`, 'latin1');
  return defined(names.intern(b, pad, pad + s.length), s);
}

function slotOf(names: NameInterner, s: string, pad = 3): Slot {
  const b = Buffer.from(`${'x'.repeat(pad)}${s}"`, 'latin1');
  return defined(names.slot(b, pad, pad + s.length), s);
}

function defined<T>(v: T | undefined, s: string): T {
  if (v === undefined) throw new Error(`${JSON.stringify(s)} was not interned`);
  return v;
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

// Four names with one FNV-1a hash (2131042474), found by brute force: the two
// 13-byte names collide, so do the two suffixes from that hash on, and so
// every prefix-suffix pair. They share a home cell whatever the table's size.
const COLLIDING = ['nginx-1vv4s37-1ebny', 'nginx-1vv4s37-d02pe', 'nginx-1rcccwc-1ebny', 'nginx-1rcccwc-d02pe'];

t.test('names with one hash: each found as itself, and still found after others of its run are dropped', async (t) => {
  const names = new NameInterner();
  const first = COLLIDING.map((s, i) => slotOf(names, s, i));
  t.same(first.map((slot) => slot.s), COLLIDING);
  t.equal(names.size, 4);
  for (const [i, s] of COLLIDING.entries()) t.equal(slotOf(names, s, 9 - i), first[i], `${s}: the same slot again`);
  // Drop the first and the third of the run (not read for two ticks); the others were read every tick.
  for (let tick = 0; tick < 3; tick++) {
    names.nextTick();
    t.equal(slotOf(names, COLLIDING[1]!), first[1]);
    t.equal(slotOf(names, COLLIDING[3]!), first[3]);
  }
  t.equal(names.size, 2, 'the two names not read were dropped');
  t.equal(slotOf(names, COLLIDING[3]!), first[3], 'the last of the run still found');
  const again = slotOf(names, COLLIDING[0]!);
  t.not(again, first[0], 'a dropped name gets a fresh slot');
  t.equal(again.s, COLLIDING[0]);
  t.equal(slotOf(names, COLLIDING[2]!).s, COLLIDING[2]);
  t.equal(names.size, 4);
  for (const [i, s] of COLLIDING.entries()) t.equal(slotOf(names, s).s, s, `${s} (${i}) found`);
});

t.test('the empty name: one slot', async (t) => {
  const names = new NameInterner();
  const empty = slotOf(names, '');
  t.equal(empty.s, '');
  t.equal(slotOf(names, '', 0), empty);
  t.equal(names.size, 1);
});

t.test('a name is dropped once not read for KEEP_TICKS (two) ticks; read again, it gets a fresh slot', async (t) => {
  const names = new NameInterner();
  const read = slotOf(names, 'kube-system');
  const touched = slotOf(names, 'coredns-7db6d8ff4d-abcde');
  names.nextTick();
  names.nextTick();
  t.equal(names.size, 2, 'read two ticks ago: held');
  t.equal(slotOf(names, 'kube-system'), read, 'the same slot');
  names.touch(touched);
  names.nextTick();
  names.nextTick();
  t.equal(names.size, 2);
  names.nextTick();
  t.equal(names.size, 0, 'not read in the last two ticks: both dropped');
  const fresh = slotOf(names, 'kube-system');
  t.not(fresh, read);
  t.equal(fresh.s, 'kube-system');
  t.equal(slotOf(names, 'kube-system'), fresh);
  t.equal(names.size, 1);
});

t.test('growth: every name found as the same slot past many doublings, and after ticks', async (t) => {
  const names = new NameInterner();
  const all = Array.from({ length: 300_000 }, (_, i) => `ns-${i % 97}/pod-${i}-${(i * 40503) & 0xffff}`);
  const slots: Slot[] = [];
  let wrong = 0;
  for (const [i, s] of all.entries()) {
    slots.push(slotOf(names, s));
    // Every name so far, now and then (the table has just doubled when 2^k + 1 names are held: i a power of two).
    if ((i & (i - 1)) === 0 || i % 49_999 === 0) for (let j = 0; j <= i; j++) if (slotOf(names, all[j]!) !== slots[j]) wrong++;
  }
  t.equal(wrong, 0, 'every name found as its slot while the table grew');
  t.equal(names.size, all.length);
  names.nextTick();
  // Half the names read in tick 1, then two more ticks: the other half dropped.
  for (let j = 0; j < all.length; j += 2) if (slotOf(names, all[j]!, 5) !== slots[j]) wrong++;
  names.nextTick();
  names.nextTick();
  t.equal(names.size, all.length / 2);
  for (let j = 0; j < all.length; j += 2) if (slotOf(names, all[j]!) !== slots[j]) wrong++;
  t.equal(wrong, 0, 'the names read stayed the same slots');
  t.equal(names.size, all.length / 2, 'nothing interned twice');
});

t.test('a big drop, then growth again: the names held stay found', async (t) => {
  const names = new NameInterner();
  const big = Array.from({ length: 100_000 }, (_, i) => `big-${i}`);
  const kept = big.slice(0, 10).map((s) => slotOf(names, s));
  for (const s of big) slotOf(names, s);
  for (let tick = 0; tick < 4; tick++) {
    names.nextTick();
    for (const [i, slot] of kept.entries()) t.equal(slotOf(names, big[i]!), slot);
  }
  t.equal(names.size, 10, 'down to the ten names still read');
  const again = Array.from({ length: 50_000 }, (_, i) => `again-${i}`);
  const slots = again.map((s) => slotOf(names, s));
  let wrong = 0;
  for (const [i, s] of again.entries()) if (slotOf(names, s) !== slots[i]) wrong++;
  for (const [i, slot] of kept.entries()) if (slotOf(names, big[i]!) !== slot) wrong++;
  t.equal(wrong, 0);
  t.equal(names.size, 50_010);
});

t.test('full churn tick after tick: two ticks of names held, each found as its slot', async (t) => {
  const names = new NameInterner();
  const ticks: { s: string; slot: Slot }[][] = [];
  let wrong = 0;
  let miscounted = 0;
  let max = 0;
  for (let tick = 0; tick < 120; tick++) {
    // Every pod replaced each tick (and the count wobbles, as pods come and go).
    const n = 7_000 + ((tick * 977) % 3_000);
    const current: { s: string; slot: Slot }[] = [];
    for (let j = 0; j < n; j++) {
      const s = `ns-${j % 13}/pod-${tick}-${j}-${(j * 2654435761) >>> 20}`;
      current.push({ s, slot: slotOf(names, s, j % 5) });
    }
    for (const { s, slot } of current) if (slotOf(names, s) !== slot || slot.s !== s) wrong++;
    ticks.push(current);
    max = Math.max(max, names.size);
    names.nextTick();
    // The names of this tick and the last one are held; those of the one before were dropped.
    if (names.size !== current.length + (ticks[tick - 1]?.length ?? 0)) miscounted++;
  }
  t.equal(wrong, 0, 'every name found as its slot in its tick');
  t.equal(miscounted, 0, 'the names of the last two ticks counted after each tick');
  t.ok(max < 30_000, `bounded (at most ${max} names held)`);
  for (const { s, slot } of [...ticks.at(-1)!, ...ticks.at(-2)!]) if (slotOf(names, s, 2) !== slot) wrong++;
  t.equal(wrong, 0, 'the names of the last two ticks found as their slots after it');
  t.equal(names.size, ticks.at(-1)!.length + ticks.at(-2)!.length, 'nothing interned twice');
});

/** Interns the names of one body through a node's view, as the decoders do. */
function body(view: NodeNames, list: readonly string[]): string[] {
  view.rewind();
  const text = Buffer.from(list.map((s) => `"${s}"`).join(','), 'latin1');
  const out: string[] = [];
  let at = 0;
  for (const s of list) {
    out.push(defined(view.intern(text, at + 1, at + 1 + s.length), s));
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

t.test('bytes that are not all ASCII are not interned: the caller decodes them', async (t) => {
  const names = new NameInterner();
  const view = names.forNode();
  const list = ['default', 'p\u00e9', 'main', 'caf\u00e9-\u{1F600}'];
  const text = Buffer.from(list.map((s) => `"${s}"`).join(','), 'utf8');
  // Twice: the second pass reads the first one's hints, which must not answer for the others.
  for (let pass = 0; pass < 2; pass++) {
    const out: (string | undefined)[] = [];
    for (let at = 0; at < text.length; ) {
      const start = text.indexOf(0x22, at) + 1;
      const end = text.indexOf(0x22, start);
      out.push(view.intern(text, start, end));
      at = end + 1;
    }
    t.same(out, ['default', undefined, 'main', undefined], `pass ${pass + 1}: through a node's view`);
  }
  const b = Buffer.from('x\u00e9y', 'utf8');
  t.equal(names.intern(b, 0, b.length), undefined, 'through the interner');
  t.equal(names.intern(b, 0, 1), 'x', 'its ASCII part alone is interned');
  t.equal(names.size, 3, 'only the ASCII names are held');
});
