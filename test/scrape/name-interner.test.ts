// The decoders' name interner: the right string for the bytes, whatever the
// hash collisions, and a bounded number of names under churn.
import t from 'tap';
import { Buffer } from 'node:buffer';
import { NameInterner } from '../../src/scrape/name-interner.js';

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
