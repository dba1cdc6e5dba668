// /metrics/resource decoding: upstream decode_test.go cases (as fixtures and
// inline), the kind capture, Prometheus text details, and malformed input.
import { readFileSync } from 'node:fs';
import t from 'tap';
import { DecodeError } from '../../src/scrape/decode-error.js';
import { decodeResource } from '../../src/scrape/decode-resource.js';
import { setStartNanos } from '../../src/scrape/decode-nanos.js';
import type { NodeScrape } from '../../src/scrape/types.js';
import { fixturePath } from '../helpers/paths.js';

const fixture = (name: string) => readFileSync(fixturePath('kubelet', 'resource', name));
const REQUEST_TIME = Date.UTC(2077, 6, 7, 7, 7, 7); // upstream's defaultTime
const decode = (text: string, requestTimeMs = REQUEST_TIME): NodeScrape => decodeResource(Buffer.from(text), requestTimeMs);

const CORE_DNS = 'container_cpu_usage_seconds_total{container="coredns",namespace="kube-system",pod="coredns-558bd4d5db-4dpjz"} 4.710169 1633253812125\n';
const CORE_DNS_MEM = 'container_memory_working_set_bytes{container="coredns",namespace="kube-system",pod="coredns-558bd4d5db-4dpjz"} 1.253376e+07 1633253812125\n';
const CORE_DNS_START = 'container_start_time_seconds{container="coredns",namespace="kube-system",pod="coredns-558bd4d5db-4dpjz"} 1.633252712e+9 1633253812125\n';
const NODE_CPU = 'node_cpu_usage_seconds_total 357.35491 1633253809720\n';
const NODE_MEM = 'node_memory_working_set_bytes 1.616273408e+09 1633253809720\n';

const node1 = { timestampMs: Date.UTC(2021, 9, 3, 9, 36, 49, 720), startTimeMs: 0, startSubMsNs: 0, cpuSec: 357, cpuNsec: 354_910_000, memoryBytes: 1616273408 };
const coredns = {
  namespace: 'kube-system',
  name: 'coredns-558bd4d5db-4dpjz',
  containers: [{ name: 'coredns', timestampMs: Date.UTC(2021, 9, 3, 9, 36, 52, 125), startTimeMs: Date.UTC(2021, 9, 3, 9, 18, 32), startSubMsNs: 0, cpuSec: 4, cpuNsec: 710_169_000, memoryBytes: 12533760 }],
};

t.test('upstream "Normal" (metrics-server-decode-normal.txt)', async (t) => {
  t.same(decodeResource(fixture('metrics-server-decode-normal.txt'), REQUEST_TIME), { node: node1, pods: [coredns] });
});

t.test('upstream "Without timestamp uses defaultTime" (metrics-server-decode-no-timestamps.txt)', async (t) => {
  const s = decodeResource(fixture('metrics-server-decode-no-timestamps.txt'), REQUEST_TIME);
  t.same(s, {
    node: { ...node1, timestampMs: REQUEST_TIME },
    pods: [{ ...coredns, containers: [{ ...coredns.containers[0], timestampMs: REQUEST_TIME }] }],
  });
});

t.test('upstream "Containing an incorrect timestamp" (metrics-server-decode-bad-timestamp.txt) is an error', async (t) => {
  t.throws(() => decodeResource(fixture('metrics-server-decode-bad-timestamp.txt'), REQUEST_TIME), {
    name: 'DecodeError',
    // Prometheus textparse's message, wrapped as upstream's decodeBatch does.
    message:
      'failed parsing metrics: expected timestamp or new record, got "-" ("INVALID") while parsing: ' +
      '"container_start_time_seconds{container=\\"metrics-server\\",namespace=\\"kubernetes-dashboard\\",pod=\\"kubernetes-dashboard-metrics-server-77db45cdf4-fppzx\\"} -6.7953645788713455e+09 -"',
  });
});

t.test('upstream inline cases', async (t) => {
  t.same(decode(CORE_DNS + CORE_DNS_MEM + CORE_DNS_START), { pods: [coredns] }, 'pods only');
  t.same(decode(CORE_DNS_MEM), { pods: [] }, 'no container CPU drops container metrics');
  t.same(decode(CORE_DNS.replace('4.710169', '0') + CORE_DNS_MEM), { pods: [] }, 'zero container CPU');
  t.same(decode(CORE_DNS), { pods: [] }, 'no container memory');
  t.same(decode(CORE_DNS + CORE_DNS_MEM.replace('1.253376e+07', '0')), { pods: [] }, 'zero container memory');
  t.same(decode(NODE_CPU + NODE_MEM), { node: node1, pods: [] }, 'single node');
  t.same(decode(NODE_MEM), { pods: [] }, 'no node CPU drops metric');
  t.same(decode(NODE_CPU.replace('357.35491', '0') + NODE_MEM), { pods: [] }, 'zero node CPU');
  t.same(decode(NODE_CPU), { pods: [] }, 'no node memory');
  t.same(decode(NODE_CPU + NODE_MEM.replace('1.616273408e+09', '0')), { pods: [] }, 'zero node memory');
  t.same(decode(''), { pods: [] }, 'empty body');
});

t.test('metrics-server-kind-1.txt (kind, 70 containers)', async (t) => {
  const s = decodeResource(fixture('metrics-server-kind-1.txt'), REQUEST_TIME);
  t.same(s.node, node1);
  t.equal(s.pods.length, 70);
  t.equal(s.pods.reduce((n, p) => n + p.containers.length, 0), 70);
  const etcd = s.pods.find((p) => p.name === 'etcd-e2e-control-plane');
  t.same(etcd, {
    namespace: 'kube-system',
    name: 'etcd-e2e-control-plane',
    containers: [{ name: 'etcd', timestampMs: 1633253814387, startTimeMs: 0, startSubMsNs: 0, cpuSec: 31, cpuNsec: 349_402_000, memoryBytes: 40783872 }],
  });
});

t.test("CPU is uint64(value * 1e9), upstream's truncation included", async (t) => {
  const s = decode('node_cpu_usage_seconds_total 1.000001 5\nnode_memory_working_set_bytes 1 5\n');
  // 1.000001 * 1e9 is 1000000999.9999999 in float64.
  t.same([s.node?.cpuSec, s.node?.cpuNsec], [1, 999]);
  const big = decode('node_cpu_usage_seconds_total 1.8e10 5\nnode_memory_working_set_bytes 1 5\n');
  t.same([big.node?.cpuSec, big.node?.cpuNsec], [18_000_000_000, 0], 'counters past 2^53 ns split exactly');
});

t.test('container start times to the nanosecond of time.Unix(0, int64(value*1e9)), as upstream', async (t) => {
  const text = [
    'container_cpu_usage_seconds_total{container="c",namespace="ns",pod="p"} 6.123456 1735032848123',
    'container_memory_working_set_bytes{container="c",namespace="ns",pod="p"} 4096 1735032848123',
    'container_start_time_seconds{container="c",namespace="ns",pod="p"} 1.7350328354172356e+09 1735032848123',
  ].join('\n');
  const c = decode(text).pods[0]!.containers[0]!;
  // 1.7350328354172356e9 * 1e9 is the double 1735032835417235712 (Go's int64 of it too).
  t.equal(c.startTimeMs, 1_735_032_835_417);
  t.equal(c.startSubMsNs, 235_712);
});

t.test('setStartNanos splits any integer-valued double exactly (BigInt as the oracle)', async (t) => {
  let seed = 7;
  const random = () => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
  const values = [0, 1, 999_999, 1_000_000, -1, -1_000_001, 1.7350328354172356e9 * 1e9, 2 ** 53, 2 ** 53 + 2, 2 ** 62, -(2 ** 62), 9.2e18];
  for (let i = 0; i < 2_000; i++) values.push(Math.trunc((random() - 0.2) * 2e9) * 1e9 + Math.trunc(random() * 1e9));
  for (let i = 0; i < 2_000; i++) values.push(Math.trunc(random() * 2 ** 31) * 2 ** 32 + Math.trunc(random() * 2 ** 32));
  let wrong = 0;
  for (const ns of values) {
    const p = { timestampMs: 0, startTimeMs: 0, startSubMsNs: 0, cpuSec: 0, cpuNsec: 0, memoryBytes: 0 };
    setStartNanos(p, ns);
    const big = BigInt(ns);
    const sub = ((big % 1_000_000n) + 1_000_000n) % 1_000_000n;
    if (p.startSubMsNs !== Number(sub) || BigInt(p.startTimeMs) !== (big - sub) / 1_000_000n) wrong++;
  }
  t.equal(wrong, 0, `${values.length} values`);
});

t.test('a point takes the time of its last CPU or memory line', async (t) => {
  const s = decode('node_cpu_usage_seconds_total 1 1000\nnode_memory_working_set_bytes 1\n', 7777);
  t.equal(s.node?.timestampMs, 7777);
});

t.test('labels: any order, spacing, trailing comma, escapes; other labels and series ignored', async (t) => {
  const text = [
    '# HELP container_cpu_usage_seconds_total [ALPHA] Cumulative cpu time',
    '# TYPE container_cpu_usage_seconds_total counter',
    '# just a comment',
    '',
    '  container_cpu_usage_seconds_total { pod = "p\\"q" , extra="a\\\\b\\nc", namespace="ns\\\\x", container="c\\n1", } 2 10',
    'container_memory_working_set_bytes{namespace="ns\\\\x",container="c\\n1",pod="p\\"q"}\t3\t20',
    'container_start_time_seconds{pod="p\\"q",namespace="ns\\\\x",container="c\\n1"} 1.5',
    'container_cpu_usage_seconds_total_other{container="x",namespace="y",pod="z"} 9 1',
    'pod_cpu_usage_seconds_total{namespace="ns",pod="p"} 1 1',
    'container_swap_usage_bytes{container="c",namespace="ns",pod="p"} NaN 1',
    'scrape_error 0',
    'unicode_label{v="\u00e9t\u00e9"} +Inf',
  ].join('\n');
  t.same(decode(text), {
    pods: [{ namespace: 'ns\\x', name: 'p"q', containers: [{ name: 'c\n1', timestampMs: 20, startTimeMs: 1500, startSubMsNs: 0, cpuSec: 2, cpuNsec: 0, memoryBytes: 3 }] }],
  });
});

t.test('malformed input is a DecodeError with the line, never another exception', async (t) => {
  const bad: [string, string][] = [
    ['NaN CPU', 'node_cpu_usage_seconds_total NaN 1\n'],
    ['infinite memory', 'node_memory_working_set_bytes +Inf 1\n'],
    ['negative CPU', CORE_DNS.replace('4.710169', '-4.7')],
    ['CPU past uint64 nanoseconds', 'node_cpu_usage_seconds_total 1e11 1\n'],
    ['value out of float range', 'scrape_error 1e400\n'],
    ['hex value', 'node_cpu_usage_seconds_total 0x10 1\n'],
    ['underscore in value', 'node_cpu_usage_seconds_total 1_0 1\n'],
    ['word for value', 'node_cpu_usage_seconds_total true\n'],
    ['missing value', 'node_cpu_usage_seconds_total\n'],
    ['fractional timestamp', 'node_cpu_usage_seconds_total 1 1.5\n'],
    ['junk after timestamp', 'node_cpu_usage_seconds_total 1 15 x\n'],
    ['CRLF line ends', 'node_cpu_usage_seconds_total 1 15\r\n'],
    ['timestamp past 2^53', 'node_cpu_usage_seconds_total 1 99999999999999999999\n'],
    ['container series without labels', 'container_cpu_usage_seconds_total 1 1\n'],
    ['container series without pod label', 'container_cpu_usage_seconds_total{container="c",namespace="n"} 1 1\n'],
    ['unterminated label value', 'container_cpu_usage_seconds_total{container="c} 1 1\n'],
    ['unterminated labels', 'container_cpu_usage_seconds_total{container="c" 1 1\n'],
    ['label without value', 'x{a=} 1\n'],
    ['single quotes', "x{a='b'} 1\n"],
    ['invalid UTF-8 label value', 'container_cpu_usage_seconds_total{container="\xff",namespace="n",pod="p"} 1 1\n'],
    ['garbage', '\u0000\u0001\u0002'],
    ['binary', '{{{{'],
  ];
  for (const [what, body] of bad) {
    const bytes = what === 'invalid UTF-8 label value' ? Buffer.from(body, 'latin1') : Buffer.from(body);
    t.throws(() => decodeResource(bytes, 0), DecodeError, what);
  }
});

t.test('random byte flips in a real payload never throw anything but DecodeError', async (t) => {
  const body = fixture('metrics-server-kind-1.txt');
  let seed = 7;
  const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  for (let i = 0; i < 300; i++) {
    const copy = Uint8Array.from(body);
    for (let k = 0; k < 3; k++) copy[Math.floor(rand() * copy.length)] = Math.floor(rand() * 256);
    try {
      decodeResource(copy, 0);
    } catch (e) {
      if (!(e instanceof DecodeError)) t.fail(`flip ${i}: ${String(e)}`);
    }
  }
  for (let cut = 0; cut < body.length; cut += 101) {
    try {
      decodeResource(body.subarray(0, cut), 0);
    } catch (e) {
      if (!(e instanceof DecodeError)) t.fail(`cut ${cut}: ${String(e)}`);
    }
  }
  t.pass('no other exception');
});
