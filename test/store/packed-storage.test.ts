// Pods kept as slots in their node's packed storage: whatever happens to a
// node's list of pods (pods moved between nodes, added, removed, reordered,
// replaced, containers changed), every pod keeps its own series and the
// storage stays consistent (invariants.ts).
import t, { type Test } from 'tap';
import { MetricsStore } from '../../src/store/index.js';
import type { NodeScrape } from '../../src/scrape/types.js';
import type { PodTable } from '../../src/store/pod-table.js';
import { CORE_SECOND, MIB, SECOND, START, container, pod, point } from './batches.js';
import { problems } from './invariants.js';

const LONG_AGO = START - 3600 * SECOND;

/** A pod whose containers run at rate + the container's offset cores (CPU counters count from LONG_AGO). */
interface Spec {
  name: string;
  rate: number;
  containers?: string[];
}

const OFFSET: Record<string, number> = { app: 0, side: 1, extra: 2, one: 3 };
const containersOf = (spec: Spec) => spec.containers ?? ['app', 'side'];
const tsOf = (tick: number) => START + tick * 15 * SECOND;

function scrape(tick: number, specs: readonly Spec[]): NodeScrape {
  const ts = tsOf(tick);
  return {
    node: point(LONG_AGO, ts, (ts - LONG_AGO) * 1e6, 100 * MIB),
    pods: specs.map((spec) =>
      pod('ns', spec.name, ...containersOf(spec).map((c) => container(c, point(LONG_AGO, ts, (spec.rate + OFFSET[c]!) * (ts - LONG_AGO) * 1e6, (spec.rate + OFFSET[c]!) * MIB)))),
    ),
  };
}

/** What the store should hold for a pod: the upstream rules, reduced to what these tests vary. */
interface Held {
  spec: Spec;
  node: string;
  tick: number;
  /** Every container was held before at the same rate: all have a rate. */
  paired: boolean;
}

/** A model of the store (first answer wins; a node forgets the pods it held and no longer reports). */
class Model {
  readonly pods = new Map<string, Held>();
  private readonly nodes = new Map<string, number>();

  constructor(private readonly staleTicks: number) {}

  tick(i: number, nodes: [string, Spec[]][]): void {
    for (const [node, specs] of nodes) {
      if (this.nodes.get(node) === i) continue;
      this.nodes.set(node, i);
      for (const spec of specs) {
        const held = this.pods.get(spec.name);
        if (held?.tick === i) continue;
        const paired = held !== undefined && held.spec.rate === spec.rate && containersOf(spec).every((c) => containersOf(held.spec).includes(c));
        this.pods.set(spec.name, { spec, node, tick: i, paired });
      }
      for (const [name, held] of this.pods) if (held.node === node && held.tick !== i) this.pods.delete(name);
    }
    // Nodes unseen for staleTicks go, with the pods they hold.
    for (const [node, last] of this.nodes) {
      if (i - last < this.staleTicks) continue;
      this.nodes.delete(node);
      for (const [name, held] of this.pods) if (held.node === node) this.pods.delete(name);
    }
  }
}

/** Stores one tick of nodes (in the given order) in the store and the model; checks invariants and every pod's usage. */
function tick(t: Test, s: MetricsStore, model: Model, i: number, nodes: [string, Spec[]][]): void {
  s.beginTick();
  for (const [name, specs] of nodes) s.storeNode(name, scrape(i, specs));
  s.endTick();
  model.tick(i, nodes);
  const bad = problems(s);
  if (bad.length > 0) t.fail(`tick ${i}: ${bad.slice(0, 5).join('; ')}`);
  const held = [...model.pods.values()];
  const usage = s.getPodUsage(held.map((h) => ({ namespace: 'ns', name: h.spec.name })));
  let wrong = 0;
  held.forEach((h, k) => {
    const served = h.tick === i && h.paired;
    const want = served ? containersOf(h.spec).map((c) => [c, (h.spec.rate + OFFSET[c]!) * CORE_SECOND, (h.spec.rate + OFFSET[c]!) * MIB]) : undefined;
    const got = usage[k]?.containers.map((c) => [c.name, c.usage.cpuNanocores, c.usage.memoryBytes]);
    if (JSON.stringify(got) !== JSON.stringify(want) && wrong++ < 3) t.fail(`tick ${i}: ${h.spec.name}: ${JSON.stringify(got)}, want ${JSON.stringify(want)}`);
  });
  const containers = held.reduce((sum, h) => sum + containersOf(h.spec).length, 0);
  if (s.seriesCount().containers !== containers) t.fail(`tick ${i}: ${s.seriesCount().containers} containers, want ${containers}`);
  t.ok(bad.length === 0 && wrong === 0, `tick ${i}: ${held.length} pods held consistently, each with its own usage`);
}

const STALE_TICKS = 5;
const newStore = () => new MetricsStore({ metricResolutionNs: 15e9, maxSeries: 100_000, staleTicks: STALE_TICKS });
const specs = (prefix: string, n: number, rate = 1): Spec[] => Array.from({ length: n }, (_, i) => ({ name: `${prefix}${i}`, rate: rate + i }));

t.test('pods moved between nodes keep their series, whether their old node answers before or after', async (t) => {
  const s = newStore();
  const m = new Model(STALE_TICKS);
  const a = specs('a', 4);
  const b = specs('b', 3, 10);
  tick(t, s, m, 0, [['A', a], ['B', b]]);
  tick(t, s, m, 1, [['A', a], ['B', b]]);
  // a1 moves to B, stored before A answers without it: it keeps its series. b0 moves to A after B answered
  // without it: B forgot it, A starts it over.
  const a2 = [a[0]!, a[2]!, a[3]!, b[0]!];
  const b2 = [a[1]!, b[1]!, b[2]!];
  tick(t, s, m, 2, [['B', b2], ['A', a2]]);
  tick(t, s, m, 3, [['A', a2], ['B', b2]]);
  // Back again, while B does not answer: A's pod a1 is taken from B's storage; B's list still names it.
  tick(t, s, m, 4, [['A', [...a2, a[1]!]]]);
  tick(t, s, m, 5, [['A', [...a2, a[1]!]], ['B', [b[1]!, b[2]!]]]);
  // a3 moves to B, then back to A while B is silent, until B goes stale: B's list names a3 to the end.
  tick(t, s, m, 6, [['B', [b[1]!, a[3]!, b[2]!]], ['A', [...a2, a[1]!]]]);
  const a7 = [a[0]!, a[2]!, b[0]!, a[1]!, a[3]!];
  for (let i = 7; i <= 7 + STALE_TICKS; i++) tick(t, s, m, i, [['A', a7]]);
  t.same(s.seriesCount(), { nodes: 1, containers: 2 * a7.length }, 'B went, with nothing of A');
});

t.test('a node answering again first does not drop the pods that moved away while it was silent', async (t) => {
  const s = newStore();
  const m = new Model(STALE_TICKS);
  const c = specs('c', 3);
  const d = specs('d', 2, 20);
  tick(t, s, m, 0, [['C', c], ['D', d]]);
  tick(t, s, m, 1, [['C', c], ['D', d]]);
  tick(t, s, m, 2, [['D', [...d, c[1]!]]]);
  tick(t, s, m, 3, [['C', [c[0]!, c[2]!]], ['D', [...d, c[1]!]]]);
  tick(t, s, m, 4, [['C', [c[0]!, c[2]!]], ['D', [...d, c[1]!]]]);
});

t.test("a pod's slot is reused by a new pod, which starts from its own first point", async (t) => {
  const s = newStore();
  const m = new Model(STALE_TICKS);
  const table = s['table'] as PodTable;
  const a = specs('p', 5);
  tick(t, s, m, 0, [['A', a]]);
  tick(t, s, m, 1, [['A', a]]);
  const slots = table.extent;
  // Pods leave from the middle and the front; new pods, on another node stored after, take their slots.
  tick(t, s, m, 2, [['A', [a[1]!, a[3]!, a[4]!]], ['B', specs('q', 2, 50)]]);
  t.equal(table.extent, slots, 'no new slot: the two freed ones were taken');
  tick(t, s, m, 3, [['A', [a[1]!, a[3]!, a[4]!]], ['B', specs('q', 2, 50)]]);
  t.equal(table.size, 5);
});

t.test('a node grows past its storage, one pod at a time and many at once, new pods first', async (t) => {
  const s = newStore();
  const m = new Model(STALE_TICKS);
  let pods: Spec[] = [];
  for (let i = 0; i < 40; i++) {
    pods = [...specs(`g${i}-`, i < 30 ? 1 : 25, 1 + i), ...pods];
    tick(t, s, m, i, [['A', pods]]);
  }
});

t.test('reordered pods, reordered and changed containers, removals in the middle', async (t) => {
  const s = newStore();
  const m = new Model(STALE_TICKS);
  const a = specs('r', 6);
  tick(t, s, m, 0, [['A', a]]);
  tick(t, s, m, 1, [['A', a]]);
  tick(t, s, m, 2, [['A', [...a].reverse()]]);
  const changed = a.map((p, i) => (i === 2 ? { ...p, containers: ['side', 'app'] } : i === 4 ? { ...p, containers: ['app', 'extra', 'side'] } : p));
  tick(t, s, m, 3, [['A', changed]]);
  tick(t, s, m, 4, [['A', changed]]);
  // Back to the names every other pod has: the list only r2 had is let go (invariants.ts).
  const back = changed.map((p, i) => (i === 2 ? a[2]! : p));
  tick(t, s, m, 5, [['A', back]]);
  tick(t, s, m, 6, [['A', [back[0]!, back[5]!]]]);
  tick(t, s, m, 7, [['A', [back[0]!, back[5]!]]]);
});

t.test('duplicates within a node and across nodes leave one slot per pod', async (t) => {
  const s = newStore();
  const m = new Model(STALE_TICKS);
  const a = specs('d', 3);
  tick(t, s, m, 0, [['A', [a[0]!, a[1]!, a[0]!, a[2]!]], ['B', [a[1]!]]]);
  tick(t, s, m, 1, [['A', [a[0]!, a[1]!, a[0]!, a[2]!]], ['B', [a[1]!]]]);
  t.equal((s['table'] as PodTable).size, 3);
});

t.test('churn: every pod replaced, again and again, pods moving, nodes answering in shifting order', async (t) => {
  const s = newStore();
  const m = new Model(STALE_TICKS);
  const table = s['table'] as PodTable;
  const nodes = 8;
  const perNode = 12;
  let peak = 0;
  for (let i = 0; i < 40; i++) {
    // Each pod lives three ticks (so it is served for two); a third of them is replaced each tick; every
    // tenth tick all of them are, with another shape; every seventh, every node's pods move to the next node.
    const all = i % 10 === 9;
    const shift = i % 7 === 6 ? 1 : 0;
    const list: [string, Spec[]][] = [];
    for (let n = 0; n < nodes; n++) {
      const pods = Array.from({ length: perNode }, (_, p): Spec => {
        const generation = all ? 1000 + i : Math.floor((i + p) / 3);
        return { name: `n${n}-p${p}-g${generation}`, rate: 1 + p, containers: all ? ['one'] : ['app', 'side'] };
      });
      list.push([`node-${(n + shift) % nodes}`, pods]);
    }
    // Answers in another order each tick.
    for (let r = 0; r < i % nodes; r++) list.push(list.shift()!);
    tick(t, s, m, i, list);
    peak = Math.max(peak, table.extent);
  }
  t.ok(peak <= nodes * perNode + perNode, `slots at most one node's pods above the pods held (${peak})`);
});

t.test('random ticks: nodes silent or answering in any order, pods moving, duplicated, reshaped', async (t) => {
  const s = newStore();
  const m = new Model(STALE_TICKS);
  let seed = 2024;
  const random = (n: number) => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return (seed >>> 8) % n;
  };
  const shuffle = <T>(a: T[]) => {
    for (let k = a.length - 1; k > 0; k--) {
      const j = random(k + 1);
      [a[k], a[j]] = [a[j]!, a[k]!];
    }
  };
  const shapes = [['app', 'side'], ['app'], ['side', 'app'], ['app', 'extra', 'side'], ['one']];
  const names = Array.from({ length: 60 }, (_, i) => `f${i}`);
  const nodes = Array.from({ length: 7 }, (_, i) => `node-${i}`);
  // Each pod has a home node it is mostly reported by; now and then another node reports it too, or instead.
  for (let i = 0; i < 150; i++) {
    const answers: [string, Spec[]][] = [];
    for (const node of nodes) {
      if (random(10) < 2) continue;
      const specs: Spec[] = [];
      for (let p = 0; p < names.length; p++) {
        const home = nodes[p % nodes.length] === node;
        if (home ? random(20) === 0 : random(40) !== 0) continue;
        specs.push({ name: names[p]!, rate: 1 + p, containers: shapes[random(12) === 0 ? random(shapes.length) : p % 2]! });
      }
      // Shuffled now and then (mostly the same order, as kubelets answer).
      if (random(4) === 0) shuffle(specs);
      answers.push([node, specs]);
    }
    shuffle(answers);
    // A node answering twice in a tick: the first answer wins.
    if (answers.length > 0 && random(10) === 0) answers.push([answers[0]![0], []]);
    tick(t, s, m, i, answers);
  }
});
