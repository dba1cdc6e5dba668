// The /metrics/resource decoder is one object reused for every body. Nothing
// one body leaves behind (tables, accumulators, label positions) may show in
// the next: each decode must give what a fresh decoder gives, after bodies of
// other sizes, after a body that failed half-way, and with or without the
// scrape recycler.
import { readFileSync } from 'node:fs';
import t from 'tap';
import { DecodeError } from '../../src/scrape/decode-error.js';
import { decodeResource } from '../../src/scrape/decode-resource.js';
import { NameInterner } from '../../src/scrape/name-interner.js';
import { ScrapeRecycler } from '../../src/scrape/scrape-recycler.js';
import type { NodeScrape } from '../../src/scrape/types.js';
import { UsageModel } from '../../src/sim/model.js';
import { renderResourceMetrics } from '../../src/sim/render-resource.js';
import { fixturePath } from '../helpers/paths.js';

const NOW = Date.UTC(2026, 0, 2, 3, 4, 5, 678);
const simBody = (pods: number, containers: number): Buffer => {
  const model = new UsageModel({ nodes: 1, podsPerNode: pods, containersPerPod: containers, nowMs: NOW - 3_600_000 });
  return Buffer.from(renderResourceMetrics(model, model.nodes[0]!, NOW));
};
const json = (s: NodeScrape): string => JSON.stringify(s);

// The first decode in this process is a fresh decoder's: record every expectation that way.
const small = simBody(5, 3);
const expectedSmall = json(decodeResource(small, NOW));
const big = simBody(30, 2);
const kind = readFileSync(fixturePath('kubelet', 'resource', 'metrics-server-kind-1.txt'));

t.test('a body decodes the same after bigger and different ones', async (t) => {
  const bigResult = decodeResource(big, NOW);
  t.equal(bigResult.pods.length, 30);
  t.ok(decodeResource(kind, NOW).pods.length > 0);
  t.equal(json(decodeResource(small, NOW)), expectedSmall, 'no pod, container or label position carried over');
  t.equal(json(decodeResource(big, NOW)), json(bigResult), 'and the big one again');
});

t.test("same offsets, other names: the new names, never the previous body's", async (t) => {
  const before = decodeResource(big, NOW);
  const text = big.toString('latin1');
  const renamed = Buffer.from(text.replace(/pod="([a-z])/g, 'pod="q'), 'latin1');
  t.not(renamed.toString('latin1'), text, 'the rename changed something');
  const after = decodeResource(renamed, NOW);
  t.equal(after.pods.length, before.pods.length);
  t.same(
    after.pods.map((p) => p.name),
    before.pods.map((p) => `q${p.name.slice(1)}`),
    'every pod under its new name',
  );
  t.equal(json({ ...after, pods: after.pods.map((p) => ({ ...p, name: '' })) }), json({ ...before, pods: before.pods.map((p) => ({ ...p, name: '' })) }));
});

t.test('after a body that fails half-way', async (t) => {
  const text = big.toString('latin1');
  const cut = text.indexOf('\ncontainer_memory_working_set_bytes{') + 1;
  t.ok(cut > 0, 'the body has container memory lines');
  const broken = Buffer.from(`${text.slice(0, cut)}container_memory_working_set_bytes{container="x",namespace="y",pod="z"} not-a-number\n`, 'latin1');
  t.throws(() => decodeResource(broken, NOW), DecodeError);
  t.equal(json(decodeResource(small, NOW)), expectedSmall);
});

t.test('with the recycler and the name interner, as the kubelet client decodes', async (t) => {
  const names = new NameInterner();
  const recycler = new ScrapeRecycler();
  for (let i = 0; i < 3; i++) {
    const a = decodeResource(big, NOW, names, recycler);
    t.equal(a.pods.length, 30);
    recycler.release(a);
    const b = decodeResource(small, NOW, names, recycler);
    t.equal(json(b), expectedSmall, `round ${i}`);
    recycler.release(b);
  }
});
