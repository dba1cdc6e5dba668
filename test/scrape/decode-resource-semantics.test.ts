// The /metrics/resource decoder against a plain reading of its semantics, on random
// valid bodies. The decoder's fast paths assume what kubelets write (families in a
// fixed order, each listing its containers in the same order with the same label
// text); these bodies break the assumptions: lines in any order, families swapped,
// repeated lines, labels reordered, spaced, escaped or extra, values in every float
// form, timestamps missing, zero values. Whatever the path, the numbers must be the
// reference's (upstream pkg/scraper/client/resource/decode.go's rules):
// - CPU = uint64(value * 1e9) ns, memory = uint64(value), start = value * 1e9 ns;
// - a sample's time is its timestamp, else the request time; a point's time is that
//   of the last of its CPU and memory lines; a later line of a series replaces an earlier;
// - the node point needs non-zero CPU and memory; a pod is dropped if any of its
//   containers lacks either or has zero;
// - pods and containers in the order they first appear.
import t from 'tap';
import { decodeResource } from '../../src/scrape/decode-resource.js';
import type { MetricsPoint, NodeScrape } from '../../src/scrape/types.js';
import { DecodeBothWays } from '../helpers/decode-both-ways.js';
import { random, type Random } from '../helpers/random.js';

const REQUEST_TIME = Date.UTC(2026, 10, 24, 5, 0, 0);

interface PodSpec {
  namespace: string;
  name: string;
  containers: string[];
}

/** One line of a body; samples of the series the decoder reads carry what the reference needs. */
interface Line {
  text: string;
  sample?: { series: 'cpu' | 'memory' | 'start' | 'nodeCpu' | 'nodeMemory'; value: number; timestampMs: number; pod?: PodSpec; container?: string };
}

const NAMES = ['a', 'web', 'kube-system', 'x"y', 'b\\c', 'n\nl', 'é', 'coredns-558bd4d5db-4dpjz', 'p1', 'c', ''];

function body(r: Random): { text: string; lines: Line[] } {
  const pick = <T>(a: readonly T[]): T => a[r.int(a.length)]!;
  const escape = (s: string) => s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
  const pods: PodSpec[] = Array.from({ length: r.int(6) }, () => ({
    namespace: r.int(4) === 0 ? pick(NAMES) : `ns${r.int(3)}`,
    name: r.int(4) === 0 ? pick(NAMES) : `pod-${r.int(8)}`,
    containers: Array.from({ length: 1 + r.int(3) }, () => (r.int(4) === 0 ? pick(NAMES) : `c${r.int(4)}`)),
  }));
  const labels = (l: [string, string][]): string => {
    const entries = [...l];
    if (r.int(3) === 0) entries.sort(() => r.next() - 0.5);
    if (r.int(5) === 0) entries.splice(r.int(entries.length + 1), 0, ['extra', pick(NAMES)]);
    const sp = r.int(6) === 0 ? ' ' : '';
    return `{${sp}${entries.map(([k, v]) => `${k}${sp}=${sp}"${escape(v)}"`).join(`,${sp}`)}${entries.length > 0 && r.int(8) === 0 ? ',' : ''}${sp}}`;
  };
  // A value in one of the forms Go's ParseFloat reads, and the double it reads as.
  const value = (v: number): [string, number] => {
    let text: string;
    switch (r.int(4)) {
      case 0:
        text = v.toExponential();
        break;
      case 1:
        text = v.toExponential(r.int(10)).replace(/e\+/, pick(['e+', 'e', 'E+', 'E']));
        break;
      case 2:
        text = Number.isInteger(v) ? v.toFixed(r.int(3)) : String(v);
        break;
      default:
        text = String(v);
    }
    return [text, Number(text)];
  };
  const blank = () => (r.int(8) === 0 ? '\t' : ' ');
  const sampleLine = (metric: string, labelText: string, series: NonNullable<Line['sample']>['series'], v: number, pod?: PodSpec, container?: string): Line => {
    const [text, parsed] = value(v);
    const timestampMs = r.int(4) === 0 ? undefined : REQUEST_TIME - r.int(100_000);
    return {
      text: `${metric}${labelText}${blank()}${text}${timestampMs === undefined ? '' : `${blank()}${timestampMs}`}`,
      sample: { series, value: parsed, timestampMs: timestampMs ?? REQUEST_TIME, pod, container },
    };
  };
  const cpu = () => (r.int(10) === 0 ? 0 : Math.round(r.next() * 10 ** r.int(7) * 1e6) / 1e6);
  const memory = () => (r.int(10) === 0 ? 0 : Math.floor(r.next() * 2 ** (10 + r.int(30))));
  const families: Line[][] = [[], [], [], [], []];
  const [cpus, memories, starts, nodes, others] = families as [Line[], Line[], Line[], Line[], Line[]];
  const containerLabels = (p: PodSpec, c: string) => labels([['container', c], ['namespace', p.namespace], ['pod', p.name]]);
  for (const p of pods) {
    for (const c of p.containers) {
      if (r.int(20) !== 0) cpus.push(sampleLine('container_cpu_usage_seconds_total', containerLabels(p, c), 'cpu', cpu(), p, c));
      if (r.int(20) !== 0) memories.push(sampleLine('container_memory_working_set_bytes', containerLabels(p, c), 'memory', memory(), p, c));
      if (r.int(5) !== 0) starts.push(sampleLine('container_start_time_seconds', containerLabels(p, c), 'start', 1.7e9 + Math.round(r.next() * 1e11) / 1e3, p, c));
    }
    if (r.int(2) === 0) others.push({ text: `pod_cpu_usage_seconds_total${labels([['namespace', p.namespace], ['pod', p.name]])} 1.5` });
  }
  // A later line of the same container and series now and then.
  for (const [family, series] of [[cpus, 'cpu'], [memories, 'memory']] as const) {
    const again = family.length > 0 && r.int(6) === 0 ? family[r.int(family.length)]!.sample! : undefined;
    if (again) {
      const metric = series === 'cpu' ? 'container_cpu_usage_seconds_total' : 'container_memory_working_set_bytes';
      family.splice(r.int(family.length + 1), 0, sampleLine(metric, containerLabels(again.pod!, again.container!), series, series === 'cpu' ? cpu() : memory(), again.pod, again.container));
    }
  }
  if (r.int(10) !== 0) nodes.push(sampleLine('node_cpu_usage_seconds_total', r.int(6) === 0 ? '{}' : '', 'nodeCpu', cpu()));
  if (r.int(10) !== 0) nodes.push(sampleLine('node_memory_working_set_bytes', '', 'nodeMemory', memory()));
  others.push({ text: '# TYPE scrape_error gauge' }, { text: 'scrape_error 0' });
  cpus.unshift({ text: '# HELP container_cpu_usage_seconds_total [STABLE] Cumulative cpu time' }, { text: '# TYPE container_cpu_usage_seconds_total counter' });
  if (r.int(3) === 0) families.sort(() => r.next() - 0.5);
  let lines = families.flat();
  if (r.int(4) === 0) lines = lines.sort(() => r.next() - 0.5);
  if (r.int(5) === 0) lines.splice(r.int(lines.length + 1), 0, { text: '' });
  return { text: lines.map((l) => l.text).join('\n') + (r.int(4) === 0 ? '' : '\n'), lines };
}

function cpuPoint(ns: number): Pick<MetricsPoint, 'cpuSec' | 'cpuNsec'> {
  const n = BigInt(ns);
  return { cpuSec: Number(n / 1_000_000_000n), cpuNsec: Number(n % 1_000_000_000n) };
}

function reference(lines: Line[]): NodeScrape {
  let nodeSeen = false;
  let nodeCpu = 0;
  let nodeMemory = 0;
  let nodeTime = 0;
  type Acc = { name: string; timestampMs: number; startTimeMs: number; startSubMsNs: number; cpuNs: number; memoryBytes: number; cpu: boolean; memory: boolean };
  const pods = new Map<string, { namespace: string; name: string; containers: Map<string, Acc> }>();
  for (const { sample: s } of lines) {
    if (!s) continue;
    if (s.series === 'nodeCpu' || s.series === 'nodeMemory') {
      nodeSeen = true;
      nodeTime = s.timestampMs;
      if (s.series === 'nodeCpu') nodeCpu = Math.trunc(s.value * 1e9);
      else nodeMemory = Math.trunc(s.value);
      continue;
    }
    const key = `${s.pod!.namespace}\u0000${s.pod!.name}`;
    let pod = pods.get(key);
    if (!pod) pods.set(key, (pod = { namespace: s.pod!.namespace, name: s.pod!.name, containers: new Map() }));
    let c = pod.containers.get(s.container!);
    if (!c) pod.containers.set(s.container!, (c = { name: s.container!, timestampMs: 0, startTimeMs: 0, startSubMsNs: 0, cpuNs: 0, memoryBytes: 0, cpu: false, memory: false }));
    if (s.series === 'cpu') {
      c.cpuNs = Math.trunc(s.value * 1e9);
      c.cpu = true;
      c.timestampMs = s.timestampMs;
    } else if (s.series === 'memory') {
      c.memoryBytes = Math.trunc(s.value);
      c.memory = true;
      c.timestampMs = s.timestampMs;
    } else {
      const ns = BigInt(Math.trunc(s.value * 1e9));
      c.startTimeMs = Number(ns / 1_000_000n);
      c.startSubMsNs = Number(ns % 1_000_000n);
    }
  }
  const out: NodeScrape = { node: undefined, pods: [] };
  if (nodeSeen && nodeCpu !== 0 && nodeMemory !== 0) out.node = { timestampMs: nodeTime, startTimeMs: 0, startSubMsNs: 0, ...cpuPoint(nodeCpu), memoryBytes: nodeMemory };
  for (const p of pods.values()) {
    const cs = [...p.containers.values()];
    if (!cs.every((c) => c.cpu && c.memory && c.cpuNs !== 0 && c.memoryBytes !== 0)) continue;
    out.pods.push({
      namespace: p.namespace,
      name: p.name,
      containers: cs.map((c) => ({ name: c.name, timestampMs: c.timestampMs, startTimeMs: c.startTimeMs, startSubMsNs: c.startSubMsNs, ...cpuPoint(c.cpuNs), memoryBytes: c.memoryBytes })),
    });
  }
  return out;
}

t.test('random valid bodies decode as the reference reads them, alone and with shared names and recycled objects', async (t) => {
  const r = random(24);
  const both = new DecodeBothWays(decodeResource, REQUEST_TIME);
  let pods = 0;
  for (let i = 0; i < 3_000; i++) {
    const { text, lines } = body(r);
    const want = reference(lines);
    pods += want.pods.length;
    const { alone, shared } = both.run(text);
    const wanted = JSON.stringify(want);
    if (alone !== wanted || shared !== wanted) {
      t.fail(`body ${i}:\n${text}\ndecoded ${alone}\nshared  ${shared}\nwanted  ${wanted}`);
      return;
    }
  }
  t.ok(pods > 1_000, `3,000 bodies, ${pods} pods kept, as the reference reads them`);
});
