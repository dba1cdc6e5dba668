// /metrics/resource decoding takes fast paths on the text kubelets write (label
// sets matched byte for byte against the container expected next, the literal
// {container=..,namespace=..,pod=..} form, plain values, 13-digit timestamps,
// lookups by a hash of label bytes). Here: the fast paths agree with a slow
// reference decoder on a realistic payload, and every rewrite of that payload
// that forces the general paths decodes to the same result.
import { readFileSync } from 'node:fs';
import t from 'tap';
import { DecodeError } from '../../src/scrape/decode-error.js';
import { decodeResource } from '../../src/scrape/decode-resource.js';
import { setCpuNanos } from '../../src/scrape/decode-nanos.js';
import type { ContainerPoint, MetricsPoint, NodeScrape, PodPoints } from '../../src/scrape/types.js';
import { UsageModel } from '../../src/sim/model.js';
import { renderResourceMetrics } from '../../src/sim/render-resource.js';
import { fixturePath } from '../helpers/paths.js';

const NOW = Date.UTC(2026, 0, 2, 3, 4, 5, 678);
const REQUEST_TIME = NOW + 999;
const decode = (text: string, requestTimeMs = REQUEST_TIME): NodeScrape => decodeResource(Buffer.from(text), requestTimeMs);

/** A simulated kubelet's body: families in order, one line per container, timestamps on all but start times. */
function simBody(pods: number, containers: number): string {
  const model = new UsageModel({ nodes: 1, podsPerNode: pods, containersPerPod: containers, nowMs: NOW - 3_600_000 });
  return renderResourceMetrics(model, model.nodes[0]!, NOW);
}

/**
 * A slow, obviously correct decoder for plain payloads (no escapes, one sample
 * per line, Number() for values), as the reference for the fast paths.
 */
function reference(text: string, requestTimeMs: number): NodeScrape {
  let node: MetricsPoint | undefined;
  let nodeCpuNs = 0;
  const pods = new Map<string, { pod: PodPoints; ns: Map<string, number> }>();
  const containers = new Map<string, ContainerPoint & { hasCpu: boolean; hasMemory: boolean }>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const m = /^(\w+)(?:\{(.*)\})? (\S+)(?: (\d+))?$/.exec(line);
    if (!m) throw new Error(`reference cannot read ${line}`);
    const [, name, labelText, valueText, tsText] = m;
    const value = Number(valueText);
    const ts = tsText === undefined ? requestTimeMs : Number(tsText);
    if (name === 'node_cpu_usage_seconds_total' || name === 'node_memory_working_set_bytes') {
      node ??= { timestampMs: 0, startTimeMs: 0, startSubMsNs: 0, cpuSec: 0, cpuNsec: 0, memoryBytes: 0 };
      node.timestampMs = ts;
      if (name === 'node_cpu_usage_seconds_total') nodeCpuNs = Math.trunc(value * 1e9);
      else node.memoryBytes = Math.trunc(value);
      continue;
    }
    if (!name!.startsWith('container_')) continue;
    const labels = Object.fromEntries([...labelText!.matchAll(/(\w+)="([^"]*)"/g)].map((l) => [l[1], l[2]]));
    const podKey = `${labels.namespace}/${labels.pod}`;
    let pod = pods.get(podKey);
    if (!pod) {
      pod = { pod: { namespace: labels.namespace!, name: labels.pod!, containers: [] }, ns: new Map() };
      pods.set(podKey, pod);
    }
    const key = `${podKey}/${labels.container}`;
    let c = containers.get(key);
    if (!c) {
      c = { name: labels.container!, timestampMs: 0, startTimeMs: 0, startSubMsNs: 0, cpuSec: 0, cpuNsec: 0, memoryBytes: 0, hasCpu: false, hasMemory: false };
      containers.set(key, c);
      pod.pod.containers.push(c);
    }
    if (name === 'container_cpu_usage_seconds_total') {
      pod.ns.set(c.name, Math.trunc(value * 1e9));
      c.hasCpu = true;
      c.timestampMs = ts;
    } else if (name === 'container_memory_working_set_bytes') {
      c.memoryBytes = Math.trunc(value);
      c.hasMemory = true;
      c.timestampMs = ts;
    } else if (name === 'container_start_time_seconds') {
      // time.Unix(0, int64(value*1e9)), split with BigInt: ms floored and the nanoseconds past it.
      const ns = BigInt(Math.trunc(value * 1e9));
      const sub = ((ns % 1_000_000n) + 1_000_000n) % 1_000_000n;
      c.startTimeMs = Number((ns - sub) / 1_000_000n);
      c.startSubMsNs = Number(sub);
    }
  }
  const out: NodeScrape = { pods: [] };
  if (node && nodeCpuNs !== 0 && node.memoryBytes !== 0) {
    setCpuNanos(node, nodeCpuNs);
    out.node = node;
  }
  for (const { pod, ns } of pods.values()) {
    const complete = pod.containers.every((c) => {
      const full = containers.get(`${pod.namespace}/${pod.name}/${c.name}`)!;
      return full.hasCpu && full.hasMemory && ns.get(c.name) !== 0 && c.memoryBytes !== 0;
    });
    if (!complete) continue;
    pod.containers = pod.containers.map(({ name, timestampMs, startTimeMs, startSubMsNs, memoryBytes }) => {
      const point = { name, timestampMs, startTimeMs, startSubMsNs, cpuSec: 0, cpuNsec: 0, memoryBytes };
      setCpuNanos(point, ns.get(name)!);
      return point;
    });
    out.pods.push(pod);
  }
  return out;
}

/** Rewrites each sample line matching `re` with `fn` (HELP/TYPE lines left alone). */
function rewrite(text: string, re: RegExp, fn: (line: string) => string): string {
  return text
    .split('\n')
    .map((l) => (!l.startsWith('#') && re.test(l) ? fn(l) : l))
    .join('\n');
}

/** Rewrites the value of each sample line matching `re` (the simulated lines have no blanks in their labels). */
function rewriteValue(text: string, re: RegExp, fn: (value: string) => string): string {
  return rewrite(text, re, (l) => {
    const parts = l.split(' ');
    parts[1] = fn(parts[1]!);
    return parts.join(' ');
  });
}

const SIM = simBody(30, 2);
const FIXTURE = readFileSync(fixturePath('kubelet', 'resource', 'metrics-server-kind-1.txt'), 'utf8');

t.test('the fast paths agree with a slow reference decoder', async (t) => {
  const sim = decode(SIM);
  t.equal(sim.pods.length, 30);
  t.equal(sim.pods.reduce((n, p) => n + p.containers.length, 0), 60);
  t.same(sim, reference(SIM, REQUEST_TIME), 'simulated node, 30 pods × 2 containers');
  t.same(decode(FIXTURE), reference(FIXTURE, REQUEST_TIME), 'kind capture');
  const many = simBody(400, 3);
  t.same(decode(many), reference(many, REQUEST_TIME), '400 pods × 3 containers (tables grow)');
});

t.test('rewrites that force the general paths decode the same', async (t) => {
  const want = decode(SIM);
  const same = (text: string, what: string, requestTimeMs = REQUEST_TIME) => {
    t.not(text, SIM, `${what}: rewritten`);
    t.same(decode(text, requestTimeMs), want, what);
  };
  const container = /^container_/;

  same(rewrite(SIM, container, (l) => l.replace(/\{container="([^"]*)",namespace="([^"]*)",pod="([^"]*)"\}/, '{pod="$3",container="$1",namespace="$2"}')), 'labels in another order');
  same(rewrite(SIM, /^container_memory/, (l) => l.replace(/\{container="([^"]*)",namespace="([^"]*)",pod="([^"]*)"\}/, '{namespace="$2",pod="$3",container="$1"}')), 'one family in another order');
  same(rewrite(SIM, container, (l) => l.replace('{', '{aaa="x",').replace('}', ',zzz="y\\"z"}')), 'extra labels, escaped extra value');
  same(rewrite(SIM, container, (l) => l.replace('{', '{ ').replace(/,/g, ' , ').replace('}', ' }')), 'blanks inside the braces');
  same(rewrite(SIM, container, (l) => l.replace('}', ',}')), 'trailing comma');
  same(rewrite(SIM, /./, (l) => l.replace(' ', '\t')), 'tab before the value');
  same(rewrite(SIM, /^pod_/, (l) => l.replace('{namespace', '{a="b",namespace')), 'pod lines in another form');
  same(rewrite(SIM, /^pod_memory/, (l) => l.replace('{namespace', '{a="b",namespace')), 'pod memory lines unlike pod CPU lines');

  // Values: exponents, more digits than the fast path takes, leading zeros.
  same(rewriteValue(SIM, container, (v) => v.replace(/^(\d+)\.(\d+)$/, (_m, i: string, f: string) => `${i}${f}e-${f.length}`)), 'decimals as exponents');
  same(rewriteValue(SIM, container, (v) => (v.includes('e') ? v.replace('e', '0000000000000000e') : v.includes('.') ? `${v}0000000000000000` : `${v}.0000000000000000`)), 'trailing zeros past 15 digits');
  same(rewriteValue(SIM, container, (v) => `000${v}`), 'leading zeros');
  same(rewriteValue(SIM, /^container_memory/, (v) => String(Number(v))), 'memory as plain digits');
  same(rewriteValue(SIM, /^container_memory/, (v) => `${Number(v)}E0`), 'memory with a capital exponent');

  // Timestamps and line ends.
  same(rewrite(SIM, /./, (l) => l.replace(/ (\d{13})$/, ' 000$1')), 'timestamps with leading zeros');
  same(rewrite(SIM, /./, (l) => l.replace(/ (\d{13})$/, '')), 'no timestamps: the request time', NOW);
  same(SIM.replace(/\n$/, ''), 'no trailing newline');
  // A body whose last line has a timestamp (a kubelet's ends with resource_scrape_error, which has none).
  const lastStamped = SIM.split('\n').filter((l) => !l.includes('resource_scrape_error')).join('\n');
  same(lastStamped.replace(/\n$/, ' '), 'a blank and no newline after the last timestamp');
  same(lastStamped.replace(/\n$/, ' \t\n'), 'blanks after the last timestamp');
  same(lastStamped.replace(/\n$/, ''), 'no newline after the last timestamp');
  same(SIM.replace(/\n/g, '\n\n'), 'blank lines');
  same(rewrite(SIM, /./, (l) => `  ${l}`), 'blanks before each line');

  // Order and repetition: the cursor loses its place and finds it again.
  const lines = SIM.split('\n');
  const mem = lines.filter((l) => l.startsWith('container_memory'));
  const shuffled = lines.filter((l) => !l.startsWith('container_memory')).join('\n') + '\n' + mem.reverse().join('\n') + '\n';
  same(shuffled, 'memory lines reversed, after the other families');
  same(SIM + SIM.split('\n').filter((l) => l.startsWith('container_start')).join('\n') + '\n', 'a family repeated');
  same(rewrite(SIM, /^container_memory/, (l) => `${l}\n${l}`), 'each memory line twice');
});

t.test('escaped, non-ASCII and newline label values', async (t) => {
  const cpu = (labels: string, v = '2', ts = '10') => `container_cpu_usage_seconds_total{${labels}} ${v} ${ts}\n`;
  const mem = (labels: string, v = '3', ts = '20') => `container_memory_working_set_bytes{${labels}} ${v} ${ts}\n`;
  const point = (name: string) => ({ name, timestampMs: 20, startTimeMs: 0, startSubMsNs: 0, cpuSec: 2, cpuNsec: 0, memoryBytes: 3 });

  // Escapes: the same container whether its values are plain bytes or not.
  let s = decode(cpu('container="c\\\\1",namespace="n\\"s",pod="p\\n"') + mem('container="c\\\\1",namespace="n\\"s",pod="p\\n"'));
  t.same(s.pods, [{ namespace: 'n"s', name: 'p\n', containers: [point('c\\1')] }], 'escaped values');
  s = decode(cpu('container="c",namespace="ns",pod="p\\n1"') + mem('container="c",namespace="ns",pod="p\n1"'));
  t.same(s.pods, [{ namespace: 'ns', name: 'p\n1', containers: [point('c')] }], 'an escaped newline and a raw one are the same pod');
  s = decode(cpu('container="c",namespace="ns",pod="p"') + cpu('container="c\\n",namespace="ns",pod="p"') + mem('container="c",namespace="ns",pod="p"') + mem('container="c\\n",namespace="ns",pod="p"'));
  t.same(s.pods, [{ namespace: 'ns', name: 'p', containers: [point('c'), point('c\n')] }], 'a plain and an escaped container in one pod');
  s = decode(cpu('container="x\\y",namespace="ns",pod="p"') + mem('namespace="ns",pod="p",container="x\\y"'));
  t.same(s.pods, [{ namespace: 'ns', name: 'p', containers: [point('x\\y')] }], 'other escapes stay as written');

  // UTF-8 values go through the general parser and are still found again.
  s = decode(cpu('container="été",namespace="ns",pod="pöd"') + mem('container="été",namespace="ns",pod="pöd"'));
  t.same(s.pods, [{ namespace: 'ns', name: 'pöd', containers: [point('été')] }], 'UTF-8 values');

  // Names alike but for one byte, in the middle of a long run of equal ones.
  const podA = 'pod-aaaaXaaaaaaaaaaaaaaaaaaaaaaaaa-end';
  const podB = 'pod-aaaaYaaaaaaaaaaaaaaaaaaaaaaaaa-end';
  s = decode(
    cpu(`container="c",namespace="ns",pod="${podA}"`) +
      cpu(`container="c",namespace="ns",pod="${podB}"`) +
      mem(`container="c",namespace="ns",pod="${podB}"`, '5') +
      mem(`container="c",namespace="ns",pod="${podA}"`, '7'),
  );
  t.same(
    s.pods.map((p) => [p.name, p.containers[0]!.memoryBytes]),
    [
      [podA, 7],
      [podB, 5],
    ],
    'pods alike but for one byte',
  );
  const cA = podA.replace('pod', 'box');
  const cB = podB.replace('pod', 'box');
  s = decode(cpu(`container="${cA}",namespace="ns",pod="p"`) + cpu(`container="${cB}",namespace="ns",pod="p"`) + mem(`container="${cB}",namespace="ns",pod="p"`, '5') + mem(`container="${cA}",namespace="ns",pod="p"`, '7'));
  t.same(
    s.pods[0]!.containers.map((c) => [c.name, c.memoryBytes]),
    [
      [cA, 7],
      [cB, 5],
    ],
    'container names too',
  );
  s = decode(cpu('container="ab",namespace="n",pod="p"') + cpu('container="ba",namespace="n",pod="p"') + mem('container="ba",namespace="n",pod="p"') + mem('container="ab",namespace="n",pod="p"', '4'));
  t.same(
    s.pods[0]!.containers.map((c) => [c.name, c.memoryBytes]),
    [
      ['ab', 4],
      ['ba', 3],
    ],
    'short names',
  );
});

t.test('fast and general paths fail alike', async (t) => {
  const line = 'container_cpu_usage_seconds_total{container="c",namespace="ns",pod="p"} 2 1633253812125\n';
  const memLine = line.replace('container_cpu_usage_seconds_total', 'container_memory_working_set_bytes');
  const bad: [string, string, RegExp][] = [
    ['CRLF', line.replace('\n', '\r\n'), /expected next entry after timestamp/],
    ['CRLF without timestamp', line.replace(' 1633253812125\n', '\r\n'), /invalid syntax/],
    ['timestamp past 2^53', line.replace('1633253812125', '9007199254740993'), /timestamp 9007199254740993 out of range/],
    ['digits then junk in the timestamp', line.replace('1633253812125', '16332538x2125'), /expected next entry after timestamp/],
    ['value with junk after the digits', line.replace(' 2 ', ' 2x '), /strconv.ParseFloat: parsing "2x": invalid syntax/],
    ['value with two points', line.replace(' 2 ', ' 2.5.1 '), /invalid syntax/],
    ['value out of range', line.replace(' 2 ', ' 1e400 '), /value out of range/],
    ['unterminated value in the literal form', line.slice(0, line.indexOf('ns"') + 2), /expected label value/],
    ['unterminated label set in the literal form', 'container_cpu_usage_seconds_total{container="c",namespace="ns",pod="p" 1\n', /expected label name/],
    ['repeated labels, cut short', line + memLine.slice(0, memLine.indexOf('ns"')), /expected label value/],
    ['unused family repeating the last one, then not', 'pod_cpu_usage_seconds_total{namespace="a",pod="b"} 1 1\npod_memory_working_set_bytes{namespace="a",pod=b} 1 1\n', /expected label value/],
    ['unused family repeating the last one, junk after', 'pod_cpu_usage_seconds_total{namespace="a",pod="b"} 1 1\npod_memory_working_set_bytes{namespace="a",pod="b"}} 1 1\n', /strconv.ParseFloat: parsing "}": invalid syntax/],
    ['memory family line, junk after its labels', line + memLine.replace('} 2', '}x 2'), /strconv.ParseFloat: parsing "x": invalid syntax/],
  ];
  for (const [what, body, message] of bad) t.throws(() => decode(body), { name: 'DecodeError', message }, what);
  t.throws(() => decode(line + memLine.replace('2 1633', '-2 1633')), DecodeError, 'negative memory on the fast path');
});
