// The /stats/summary decoder against a plain reading of its rules, on random valid
// summaries. Its fast paths (keys remembered by position, times compared with the
// last one read, names interned) assume what kubelets write; these bodies vary it:
// members in any order, unknown members of every JSON type, escaped names, times
// with offsets and fractions, nulls, zeros, missing members, counters up to 2^64-1.
// The reference reads the summary's model the generator wrote it from
// (upstream pkg/scraper/client/summary/decode.go's rules):
// - a point is its cpu.time, startTime, usageCoreNanoSeconds (exact) and
//   workingSetBytes, complete when all are set and the last two non-zero;
// - the node point is dropped when incomplete; a pod when it has no name, no
//   namespace or no containers, or any container is incomplete.
import t from 'tap';
import { decodeSummary } from '../../src/scrape/decode-summary.js';
import type { MetricsPoint, NodeScrape } from '../../src/scrape/types.js';
import { DecodeBothWays } from '../helpers/decode-both-ways.js';
import { random, type Random } from '../helpers/random.js';

/** A point as written: undefined members are left out, null ones written as null. */
interface PointModel {
  startTime?: TimeModel | null;
  cpu?: { time?: TimeModel | null; usage?: string | null } | null;
  memory?: { workingSet?: string | null } | null;
}

/** A time's text and the milliseconds it means (NaN: Go's zero time, which means unset). */
interface TimeModel {
  text: string;
  ms: number;
}

interface PodModel {
  name?: string;
  namespace?: string;
  containers?: (PointModel & { name?: string })[] | null;
}

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

function time(r: Random): TimeModel {
  if (r.int(20) === 0) return { text: '0001-01-01T00:00:00Z', ms: NaN };
  const ms = Date.UTC(2024 + r.int(3), r.int(12), 1 + r.int(28), r.int(24), r.int(60), r.int(60), r.int(4) === 0 ? r.int(1000) : 0);
  const d = new Date(ms);
  const frac = d.getUTCMilliseconds() === 0 && r.int(2) === 0 ? '' : `${r.int(2) === 0 ? '.' : ','}${pad(d.getUTCMilliseconds(), 3)}${'0123456789'.slice(0, r.int(7))}`;
  // The same instant in another zone now and then.
  const offsetMin = r.int(3) === 0 ? (r.int(2) === 0 ? -1 : 1) * 15 * r.int(57) : 0;
  const local = new Date(ms + offsetMin * 60_000);
  const zone = offsetMin === 0 && r.int(2) === 0 ? 'Z' : `${offsetMin < 0 ? '-' : '+'}${pad(Math.floor(Math.abs(offsetMin) / 60))}:${pad(Math.abs(offsetMin) % 60)}`;
  const text = `${local.getUTCFullYear()}-${pad(local.getUTCMonth() + 1)}-${pad(local.getUTCDate())}T${pad(local.getUTCHours())}:${pad(local.getUTCMinutes())}:${pad(local.getUTCSeconds())}${frac}${zone}`;
  return { text, ms };
}

/** A uint64 counter's digits: CPU nanoseconds are exact to 2^64-1, bytes (a double) to 2^53. */
function counter(r: Random, max: 'uint64' | 'double'): string {
  switch (r.int(6)) {
    case 0:
      return '0';
    case 1:
      return max === 'uint64' ? '18446744073709551615' : '9007199254740991';
    case 2:
      return max === 'uint64' ? String(BigInt(Math.floor(r.next() * 2 ** 32)) * 2n ** 32n + BigInt(Math.floor(r.next() * 2 ** 32))) : String(Math.floor(r.next() * 2 ** 53));
    default:
      return String(1 + Math.floor(r.next() * 10 ** (1 + r.int(15))));
  }
}

function pointModel(r: Random): PointModel {
  const m: PointModel = {};
  const maybe = <T>(v: () => T): T | null | undefined => (r.int(12) === 0 ? undefined : r.int(15) === 0 ? null : v());
  m.startTime = maybe(() => time(r));
  m.cpu = maybe(() => ({ time: maybe(() => time(r)), usage: maybe(() => counter(r, 'uint64')) }));
  m.memory = maybe(() => ({ workingSet: maybe(() => counter(r, 'double')) }));
  return m;
}

const NAMES = ['web', 'kube-system', 'x"y', 'b\\c', 'é', '🚀', 'a/b', 'coredns-558bd4d5db-4dpjz', 'c', ''];

/** JSON text of a value written by hand: members shuffled, spacing and escapes varied, unknown members mixed in. */
class Writer {
  constructor(private readonly r: Random) {}

  str(s: string): string {
    const r = this.r;
    let out = '"';
    for (const ch of s) {
      const code = ch.codePointAt(0)!;
      if (ch === '"' || ch === '\\') out += `\\${ch}`;
      else if (code < 0x20 || (code < 0x10000 && r.int(6) === 0)) out += `\\u${r.int(2) === 0 ? code.toString(16).padStart(4, '0') : code.toString(16).padStart(4, '0').toUpperCase()}`;
      else if (ch === '/' && r.int(2) === 0) out += '\\/';
      else out += ch;
    }
    return `${out}"`;
  }

  obj(members: [string, string | undefined][]): string {
    const r = this.r;
    const present = members.filter((m): m is [string, string] => m[1] !== undefined);
    const UNKNOWN = ['1.5e3', '-2', 'true', 'false', 'null', '"x"', '{"usageNanoCores": 3, "a": [1, {}]}', '[]', '[null, "y", 0.25]'];
    for (let i = r.int(3); i > 0; i--) present.push([['rootfs', 'logs', 'usageNanoCores', 'nodeName', 'uid', 'time2', 'extra'][r.int(7)]!, UNKNOWN[r.int(UNKNOWN.length)]!]);
    present.sort(() => r.next() - 0.5);
    const sp = r.int(4) === 0 ? ' \n\t' : r.int(2) === 0 ? ' ' : '';
    return `{${sp}${present.map(([k, v]) => `${this.str(k)}${sp}:${sp}${v}`).join(`,${sp}`)}${sp}}`;
  }

  time(v: TimeModel | null | undefined): string | undefined {
    return v === undefined ? undefined : v === null ? 'null' : `"${v.text}"`;
  }

  point(m: PointModel, extra: [string, string | undefined][] = []): string {
    const cpu = m.cpu === undefined ? undefined : m.cpu === null ? 'null' : this.obj([['time', this.time(m.cpu.time)], ['usageCoreNanoSeconds', m.cpu.usage === undefined ? undefined : String(m.cpu.usage)]]);
    const memory = m.memory === undefined ? undefined : m.memory === null ? 'null' : this.obj([['workingSetBytes', m.memory.workingSet === undefined ? undefined : String(m.memory.workingSet)]]);
    return this.obj([['startTime', this.time(m.startTime)], ['cpu', cpu], ['memory', memory], ...extra]);
  }
}

function summary(r: Random): { text: string; want: NodeScrape } {
  const w = new Writer(r);
  const node = r.int(10) === 0 ? undefined : pointModel(r);
  const pods: PodModel[] = Array.from({ length: r.int(5) }, () => ({
    name: r.int(12) === 0 ? undefined : r.int(4) === 0 ? NAMES[r.int(NAMES.length)]! : `pod-${r.int(9)}`,
    namespace: r.int(12) === 0 ? undefined : r.int(4) === 0 ? NAMES[r.int(NAMES.length)]! : `ns${r.int(3)}`,
    containers: r.int(15) === 0 ? null : Array.from({ length: r.int(15) === 0 ? 0 : 1 + r.int(3) }, () => ({ ...pointModel(r), name: r.int(4) === 0 ? NAMES[r.int(NAMES.length)]! : `c${r.int(4)}` })),
  }));
  const podText = (p: PodModel) => {
    const ref = w.obj([['name', p.name === undefined ? undefined : w.str(p.name)], ['namespace', p.namespace === undefined ? undefined : w.str(p.namespace)]]);
    const containers = p.containers === null ? 'null' : `[${p.containers!.map((c) => w.point(c, [['name', c.name === undefined ? undefined : w.str(c.name)]])).join(',')}]`;
    return w.obj([['podRef', ref], ['containers', containers]]);
  };
  const text = w.obj([['node', node === undefined ? undefined : w.point(node)], ['pods', `[${pods.map(podText).join(', ')}]`]]);
  return { text, want: reference(node, pods) };
}

/** The point a model gives, or undefined when it is incomplete. */
function point(m: PointModel): MetricsPoint | undefined {
  const start = m.startTime?.ms;
  const sample = m.cpu?.time?.ms;
  const usage = m.cpu?.usage;
  const memory = m.memory?.workingSet;
  if (start === undefined || Number.isNaN(start) || sample === undefined || Number.isNaN(sample)) return undefined;
  if (usage === undefined || usage === null || usage === '0' || memory === undefined || memory === null || memory === '0') return undefined;
  const n = BigInt(usage);
  return { timestampMs: sample, startTimeMs: start, startSubMsNs: 0, cpuSec: Number(n / 1_000_000_000n), cpuNsec: Number(n % 1_000_000_000n), memoryBytes: Number(memory) };
}

function reference(node: PointModel | undefined, pods: PodModel[]): NodeScrape {
  const out: NodeScrape = { node: node ? point(node) : undefined, pods: [] };
  for (const p of pods) {
    if (!p.name || !p.namespace || !p.containers || p.containers.length === 0) continue;
    const points = p.containers.map((c) => point(c));
    if (points.some((x) => x === undefined)) continue;
    out.pods.push({ namespace: p.namespace, name: p.name, containers: points.map((x, i) => ({ name: p.containers![i]!.name ?? '', ...x! })) });
  }
  return out;
}

t.test('random valid summaries decode as the reference reads them, alone and with shared names and recycled objects', async (t) => {
  const r = random(11);
  const both = new DecodeBothWays(decodeSummary, 0);
  let pods = 0;
  let nodePoints = 0;
  for (let i = 0; i < 3_000; i++) {
    const { text, want } = summary(r);
    pods += want.pods.length;
    if (want.node) nodePoints++;
    const { alone, shared } = both.run(text);
    const wanted = JSON.stringify(want);
    if (alone !== wanted || shared !== wanted) {
      t.fail(`summary ${i}:\n${text}\ndecoded ${alone}\nshared  ${shared}\nwanted  ${wanted}`);
      return;
    }
  }
  t.ok(pods > 300 && nodePoints > 500, `3,000 summaries, ${nodePoints} node points and ${pods} pods kept, as the reference reads them`);
});
