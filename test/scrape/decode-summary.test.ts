// /stats/summary decoding: every real payload, upstream's completeness rules,
// exact uint64 counters, and malformed input always failing as DecodeError.
import { readFileSync } from 'node:fs';
import t from 'tap';
import { DecodeError } from '../../src/scrape/decode-error.js';
import { decodeSummary } from '../../src/scrape/decode-summary.js';
import { NameInterner } from '../../src/scrape/name-interner.js';
import type { NodeScrape } from '../../src/scrape/types.js';
import { fixturePath } from '../helpers/paths.js';

const fixture = (name: string) => readFileSync(fixturePath('kubelet', 'summary', name));
const decode = (json: string): NodeScrape => decodeSummary(Buffer.from(json), 0);
const ms = (iso: string) => Date.parse(iso);
const containerCount = (s: NodeScrape) => s.pods.reduce((n, p) => n + p.containers.length, 0);
const find = (s: NodeScrape, ns: string, name: string) => s.pods.find((p) => p.namespace === ns && p.name === name);

t.test('otel-minikube-1.json', async (t) => {
  const s = decodeSummary(fixture('otel-minikube-1.json'), 0);
  t.same(s.node, {
    timestampMs: ms('2020-04-20T22:52:27Z'),
    startTimeMs: ms('2020-04-20T22:38:53Z'), startSubMsNs: 0,
    cpuSec: 263,
    cpuNsec: 475_389_988,
    memoryBytes: 1234567890, // hand-edited by the otel maintainers
  });
  t.equal(s.pods.length, 9);
  t.equal(containerCount(s), 9);
  t.same(find(s, 'kube-system', 'kube-scheduler-minikube')?.containers, [
    { name: 'kube-scheduler', timestampMs: ms('2020-04-20T22:52:26Z'), startTimeMs: ms('2020-04-20T22:39:30Z'), startSubMsNs: 0, cpuSec: 4, cpuNsec: 560_175_707, memoryBytes: 11640832 },
  ]);
});

t.test('otel-minikube-2.json is +2 s and +2e9 ns everywhere', async (t) => {
  const a = decodeSummary(fixture('otel-minikube-1.json'), 0);
  const b = decodeSummary(fixture('otel-minikube-2.json'), 0);
  t.equal(b.node!.timestampMs - a.node!.timestampMs, 2000);
  t.equal(b.node!.cpuSec - a.node!.cpuSec, 2);
  t.equal(b.node!.cpuNsec, a.node!.cpuNsec);
  t.equal(b.pods.length, a.pods.length);
  for (const pod of b.pods) {
    const before = find(a, pod.namespace, pod.name)!;
    for (const [i, c] of pod.containers.entries()) {
      t.equal(c.timestampMs - before.containers[i]!.timestampMs, 2000, `${pod.name}/${c.name} time`);
      t.equal(c.cpuSec * 1e9 + c.cpuNsec - (before.containers[i]!.cpuSec * 1e9 + before.containers[i]!.cpuNsec), 2e9, `${pod.name}/${c.name} cpu`);
    }
  }
});

t.test('nri-k8s-1.35.json (kubelet v1.35: io, swap, psi, process_stats are skipped)', async (t) => {
  const s = decodeSummary(fixture('nri-k8s-1.35.json'), 0);
  t.same(s.node, { timestampMs: ms('2026-06-26T10:14:35Z'), startTimeMs: ms('2026-06-26T09:18:15Z'), startSubMsNs: 0, cpuSec: 62, cpuNsec: 148_052_000, memoryBytes: 917110784 });
  t.equal(s.pods.length, 17);
  t.equal(containerCount(s), 17);
  const kcm = find(s, 'kube-system', 'kube-controller-manager-datagen-1-35')!.containers[0]!;
  t.same([kcm.cpuSec, kcm.cpuNsec, kcm.memoryBytes], [1, 877_547_000, 66174976]);
});

t.test('nri-k8s-1.20.json: zero node CPU and memory (old kubelet on cgroup v2) drop the node point only', async (t) => {
  const s = decodeSummary(fixture('nri-k8s-1.20.json'), 0);
  t.equal(s.node, undefined);
  t.equal(s.pods.length, 17);
  t.equal(containerCount(s), 17);
  const busybox = find(s, 'scraper', 'e2e-statefulset-0')!.containers[0]!;
  t.same([busybox.name, busybox.cpuSec, busybox.cpuNsec, busybox.memoryBytes], ['busybox', 0, 12_748_000, 311296]);
});

t.test('nri-k8s-1.16.json', async (t) => {
  const s = decodeSummary(fixture('nri-k8s-1.16.json'), 0);
  t.same(s.node, { timestampMs: ms('2021-12-15T13:51:05Z'), startTimeMs: ms('2021-12-15T13:42:30Z'), startSubMsNs: 0, cpuSec: 216, cpuNsec: 639_857_637, memoryBytes: 1446182912 });
  t.equal(s.pods.length, 15);
  t.equal(containerCount(s), 15);
});

t.test('datadog-windows-1.json: a pod whose init containers report zero is dropped entirely', async (t) => {
  const s = decodeSummary(fixture('datadog-windows-1.json'), 0);
  t.same(s.node, { timestampMs: ms('2020-04-24T15:54:11Z'), startTimeMs: ms('2020-04-24T15:44:31Z'), startSubMsNs: 0, cpuSec: 452, cpuNsec: 800_000_000, memoryBytes: 924364800 });
  // dd-datadog-lbvkl: process-agent (no usageNanoCores, but a cumulative counter),
  // trace-agent and agent are fine; init-config and init-volume report 0.
  t.equal(find(s, 'default', 'dd-datadog-lbvkl'), undefined);
  t.same(
    s.pods.map((p) => [p.name, p.containers.map((c) => [c.name, c.cpuSec, c.cpuNsec, c.memoryBytes])]),
    [['windows-server-iis-6c68545d57-gwtn9', [['windows-server-iis', 70, 140_625_000, 136814592]]]],
  );
});

const node = (cpu: string, mem = '"workingSetBytes": 5') =>
  `{"node": {"startTime": "2026-01-01T00:00:00Z", "cpu": {"time": "2026-01-01T00:01:00Z", "usageCoreNanoSeconds": ${cpu}}, "memory": {${mem}}}}`;

t.test('node completeness: CPU and memory present and non-zero, start and CPU time set', async (t) => {
  t.ok(decode(node('1')).node);
  t.equal(decode(node('0')).node, undefined, 'zero CPU');
  t.equal(decode(node('null')).node, undefined, 'null CPU');
  t.equal(decode(node('1', '"workingSetBytes": 0')).node, undefined, 'zero memory');
  t.equal(decode(node('1', '"usageBytes": 7')).node, undefined, 'no working set');
  t.equal(decode('{"node": {"cpu": {"time": "2026-01-01T00:01:00Z", "usageCoreNanoSeconds": 1}, "memory": {"workingSetBytes": 1}}}').node, undefined, 'no start time');
  t.equal(decode('{"node": {"startTime": "2026-01-01T00:00:00Z", "cpu": {"usageCoreNanoSeconds": 1}, "memory": {"workingSetBytes": 1}}}').node, undefined, 'no CPU time');
  t.equal(decode(node('1').replace('2026-01-01T00:00:00Z', '0001-01-01T00:00:00Z')).node, undefined, "Go's zero time is unset");
  t.same(decode('{}'), { pods: [] });
  t.same(decode('null'), { pods: [] });
  t.same(decode('{"node": null, "pods": null}'), { pods: [] });
});

t.test('uint64 counters are split exactly, up to 2^64-1', async (t) => {
  t.same(decode(node('18446744073709551615')).node, {
    timestampMs: ms('2026-01-01T00:01:00Z'),
    startTimeMs: ms('2026-01-01T00:00:00Z'), startSubMsNs: 0,
    cpuSec: 18446744073,
    cpuNsec: 709551615,
    memoryBytes: 5,
  });
  t.same([decode(node('999999999')).node?.cpuSec, decode(node('999999999')).node?.cpuNsec], [0, 999999999]);
  t.same([decode(node('9007199254740993')).node?.cpuSec, decode(node('9007199254740993')).node?.cpuNsec], [9007199, 254740993], '2^53 + 1 is not rounded');
});

const pod = (containers: string) => `{"pods": [{"podRef": {"name": "p", "namespace": "ns", "uid": "u"}, "containers": [${containers}]}]}`;
const ctr = (name: string, cpu: string, mem = '5', start = '"2026-01-01T00:00:00Z"') =>
  `{"name": "${name}", "startTime": ${start}, "cpu": {"time": "2026-01-01T00:01:00.250Z", "usageNanoCores": 3, "usageCoreNanoSeconds": ${cpu}}, "memory": {"workingSetBytes": ${mem}}, "rootfs": {"usedBytes": 1}}`;

t.test('pod completeness: one incomplete container drops the whole pod', async (t) => {
  t.same(decode(pod(ctr('a', '1500000001'))).pods, [
    { namespace: 'ns', name: 'p', containers: [{ name: 'a', timestampMs: ms('2026-01-01T00:01:00.250Z'), startTimeMs: ms('2026-01-01T00:00:00Z'), startSubMsNs: 0, cpuSec: 1, cpuNsec: 500000001, memoryBytes: 5 }] },
  ]);
  t.same(decode(pod(`${ctr('a', '1')},${ctr('b', '0')}`)).pods, [], 'zero CPU');
  t.same(decode(pod(`${ctr('a', '1')},${ctr('b', '1', '0')}`)).pods, [], 'zero memory');
  t.same(decode(pod(`${ctr('a', '1')},${ctr('b', '1', 'null')}`)).pods, [], 'null memory');
  t.same(decode(pod(`${ctr('a', '1')},${ctr('b', '1', '1', 'null')}`)).pods, [], 'no start time');
  t.same(decode(pod('')).pods, [], 'a pod without containers has nothing to serve');
  t.same(decode(`{"pods": [{"containers": [${ctr('a', '1')}]}]}`).pods, [], 'a pod without podRef cannot be served');
});

t.test("repeated members and nulls read as Go's encoding/json reads them into the kubelet's types", async (t) => {
  const START = '"startTime": "2026-01-01T00:00:00Z"';
  const CPU = '"cpu": {"time": "2026-01-01T00:01:00Z", "usageCoreNanoSeconds": 7}';
  const MEM = '"memory": {"workingSetBytes": 5}';
  const whole = decode(`{"node": {${START}, ${CPU}, ${MEM}}}`).node;
  t.ok(whole, 'a complete node');
  // NodeStats is a struct: null leaves it, a later object sets only its own fields.
  t.same(decode(`{"node": {${START}, ${CPU}, ${MEM}}, "node": null}`).node, whole, 'a later null node changes nothing');
  t.same(decode(`{"node": {${START}, ${CPU}, ${MEM}}, "node": {"nodeName": "n"}}`).node, whole, 'a later node object keeps the fields it lacks');
  t.same(decode(`{"node": {${START}, ${CPU}}, "pods": [], "node": {${MEM}}}`).node, whole, 'fields from two node objects, pods between them');
  // *CPUStats and *MemoryStats are pointers: null unsets them, a later object sets only its own fields.
  t.equal(decode(`{"node": {${START}, ${CPU}, ${MEM}, "cpu": null}}`).node, undefined, 'a later null cpu unsets it');
  t.equal(decode(`{"node": {${START}, ${CPU}, ${MEM}, "memory": null}}`).node, undefined, 'a later null memory unsets it');
  t.same(
    decode(`{"node": {${START}, ${CPU}, ${MEM}, "cpu": {"time": "2026-01-01T00:02:00Z"}, "memory": {"usageBytes": 9}}}`).node,
    { ...whole!, timestampMs: ms('2026-01-01T00:02:00Z') },
    'later cpu and memory objects keep the fields they lack',
  );
  t.equal(decode(`{"node": {${START}, ${CPU}, ${MEM}, "cpu": null, "cpu": {"usageCoreNanoSeconds": 7}}}`).node, undefined, 'cpu set again after null has no time');
  const container = ctr('a', '1');
  t.same(decode(pod(container.replace('"rootfs"', '"memory": null, "rootfs"'))).pods, [], 'a container with a later null memory drops its pod');
  t.same(decode(pod(container.replace('"rootfs"', '"cpu": null, "rootfs"'))).pods, [], 'a container with a later null cpu drops its pod');
  // PodReference is a struct too.
  t.same(
    decode(`{"pods": [{"podRef": {"name": "p", "namespace": "ns"}, "podRef": null, "containers": [${container}], "podRef": {"uid": "u"}}]}`).pods.map((p) => `${p.namespace}/${p.name}`),
    ['ns/p'],
    'a later null or partial podRef keeps the names',
  );
});

t.test('field order, unknown fields, escapes and time zones', async (t) => {
  const s = decode(
    `{"extra": [1, -2.5e3, true, false, null, {"x": "\\"y\\""}], "pods": [{"containers": [{"memory": {"workingSetBytes": 9}, "cpu": {"usageCoreNanoSeconds": 7, "time": "2026-01-01T02:01:00+02:00"}, "startTime": "2025-12-31T23:00:00,5-01:00", "name": "c\\u00e9"}], "podRef": {"namespace": "n\\/s", "name": "p\u00e9"}}]}`,
  );
  t.same(s.pods, [{ namespace: 'n/s', name: 'p\u00e9', containers: [{ name: 'c\u00e9', timestampMs: ms('2026-01-01T00:01:00Z'), startTimeMs: ms('2026-01-01T00:00:00.500Z'), startSubMsNs: 0, cpuSec: 0, cpuNsec: 7, memoryBytes: 9 }] }]);
});

t.test('malformed input is a DecodeError, never another exception', async (t) => {
  const bad: [string, string][] = [
    ['empty body', ''],
    ['garbage', '\u0000\u00ff\u0001garbage'],
    ['a string', '"summary"'],
    ['pods is an object', '{"pods": {}}'],
    ['node is an array', '{"node": []}'],
    ['container is a number', pod('3')],
    ['CPU as a string', node('"12"')],
    ['CPU with a fraction', node('1.5')],
    ['CPU with an exponent', node('1e9')],
    ['negative CPU', node('-1')],
    ['CPU past uint64', node('18446744073709551616')],
    ['huge CPU', node('99999999999999999999999999')],
    ['NaN', node('NaN')],
    ['leading zero', node('0123')],
    ['memory as a float', node('1', '"workingSetBytes": 1.0')],
    ['invalid time', node('1').replace('2026-01-01T00:01:00Z', 'yesterday')],
    ['impossible date', node('1').replace('2026-01-01T00:01:00Z', '2026-02-30T00:00:00Z')],
    ['time as a number', node('1').replace('"2026-01-01T00:01:00Z"', '1767225660')],
    ['name as a number', pod(ctr('a', '1').replace('"a"', '1'))],
    ['trailing data', '{} {}'],
    ['unterminated string', '{"node": {"nodeName": "x'],
    ['bad escape', '{"x": "\\q"}'],
    ['raw control character', '{"x": "a\nb"}'],
    ['missing colon', '{"node" {}}'],
    ['trailing comma', '{"pods": [],}'],
    ['deep nesting', '{"x": ' + '['.repeat(100000) + ']'.repeat(100000) + '}'],
  ];
  for (const [what, body] of bad) t.throws(() => decode(body), DecodeError, what);
});

t.test('every truncation of a real payload is a DecodeError', async (t) => {
  const body = fixture('nri-k8s-1.35.json');
  let failures = 0;
  for (let cut = 0; cut < body.length - 1; cut += 97) {
    try {
      decodeSummary(body.subarray(0, cut), 0);
      failures++;
    } catch (e) {
      if (!(e instanceof DecodeError)) throw e;
    }
  }
  t.equal(failures, 0);
});

t.test('random byte flips never throw anything but DecodeError', async (t) => {
  const body = fixture('otel-minikube-1.json');
  let seed = 42;
  const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  for (let i = 0; i < 300; i++) {
    const copy = Uint8Array.from(body);
    for (let k = 0; k < 3; k++) copy[Math.floor(rand() * copy.length)] = Math.floor(rand() * 256);
    try {
      decodeSummary(copy, 0);
    } catch (e) {
      if (!(e instanceof DecodeError)) t.fail(`flip ${i}: ${String(e)}`);
    }
  }
  t.pass('no other exception');
});

t.test('a body JSON.parse refuses is refused, wherever the damage lands (skipped members too)', async (t) => {
  let seed = 7;
  const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  const text = new TextDecoder();
  let invalid = 0;
  const accepted: string[] = [];
  for (const name of ['otel-minikube-1.json', 'nri-k8s-1.35.json', 'datadog-windows-1.json']) {
    const body = fixture(name);
    for (let i = 0; i < 400; i++) {
      const copy = Uint8Array.from(body);
      copy[Math.floor(rand() * copy.length)] = Math.floor(rand() * 128);
      try {
        JSON.parse(text.decode(copy));
        continue; // still JSON: what it means is another test's business
      } catch {
        invalid++;
      }
      try {
        decodeSummary(copy, 0);
        accepted.push(`${name}, flip ${i}`);
      } catch (e) {
        if (!(e instanceof DecodeError)) throw e;
      }
    }
  }
  t.ok(invalid > 300, `${invalid} invalid bodies tried`);
  t.same(accepted, [], 'none decoded');
});

// The skipper's paths: every kind of value in skipped members, validated but unused.
const skipped = (value: string) => `{"extra": ${value}, "node": {"startTime": "2026-01-01T00:00:00Z", "x": ${value}, "cpu": {"time": "2026-01-01T00:01:00Z", "y": ${value}, "usageCoreNanoSeconds": 7}, "memory": {"workingSetBytes": 5, "z": ${value}}}}`;

t.test('skipped values of every kind are validated and ignored', async (t) => {
  const good = [
    '0', '-0', '12', '-3.25', '1e9', '1E+9', '2.5e-3', '0.5', '10000000000000000000000000',
    '""', '"plain text of some length, past four bytes"', '"\\"quoted\\" \\\\ \\/ \\b\\f\\n\\r\\t \\u00e9\\uD83D\\uDE00"', '"caf\u00e9 \u{1F600}"',
    'true', 'false', 'null', '{}', '[]', '[[]]', '{"a": {}}', '[1, "two", {"three": [3]}, null]',
    ' \n\t\r [ \n  1 ,\n  {\n   "k"  :  "v"\n  }\n ] \n',
    '['.repeat(500) + ']'.repeat(500),
  ];
  for (const v of good) t.same(decode(skipped(v)).node?.cpuNsec, 7, v.slice(0, 40));
  const bad = [
    '01', '-', '1.', '.5', '1e', '1e+', '+1', '0x10', 'NaN', 'Infinity', 'tru', 'nul', 'falsy',
    '"\\x"', '"\\u12G4"', '"\\u12"', '"tab\there"', '"unterminated',
    '{', '[', '{"a"}', '{"a" 1}', '{"a": 1,}', '[1,]', '[1 2]', '{1: 2}', '{"a": 1 "b": 2}', '}', ']',
    '['.repeat(100000) + ']'.repeat(100000),
  ];
  for (const v of bad) t.throws(() => decode(skipped(v)), DecodeError, v.slice(0, 40));
});

t.test('time strings that repeat are read from the cache, and a different one is parsed', async (t) => {
  const two = `{"pods": [{"podRef": {"name": "p", "namespace": "ns"}, "containers": [${ctr('a', '1')}, ${ctr('b', '2', '5', '"2026-01-01T00:00:01Z"')}, ${ctr('c', '3', '5', '"2026-01-01T00:00:0xZ"')}]}]}`;
  t.throws(() => decode(two), DecodeError, 'a bad time after cached ones still fails');
  const s = decode(two.replace('0xZ', '02Z'));
  t.same(
    s.pods[0]!.containers.map((c) => c.startTimeMs - ms('2026-01-01T00:00:00Z')),
    [0, 1000, 2000],
  );
});

t.test('a time is read anew when it differs from the cached one anywhere, its first bytes too (words compared from the end)', async (t) => {
  // Lengths 20–30: whole words from the end, then a word overlapping the first bytes (or none).
  for (const [a, b] of [
    ['2026-01-01T00:00:00.123456789Z', '1026-01-01T00:00:00.123456789Z'], // 30 bytes: only the first byte differs
    ['2026-01-01T00:00:00.5Z', '2126-01-01T00:00:00.5Z'], // 22
    ['2026-01-01T00:00:00.25Z', '3026-01-01T00:00:00.25Z'], // 23
    ['2026-01-01T00:00:00Z', '1026-01-01T00:00:00Z'], // 20: whole words only
  ]) {
    const s = decode(pod(`${ctr('a', '1', '5', `"${a}"`)}, ${ctr('b', '2', '5', `"${b}"`)}, ${ctr('c', '3', '5', `"${a}"`)}`));
    t.same(s.pods[0]!.containers.map((c) => c.startTimeMs), [ms(a), ms(b), ms(a)], `${a} then ${b}`);
  }
});

t.test('every truncation of a small summary is a DecodeError', async (t) => {
  const body = Buffer.from(pod(`${ctr('a', '1')},${ctr('b', '2')}`).replace('"pods"', '"node": {"x": [1.5e3, "\\u00e9", true, null, {}]}, "pods"'));
  t.equal(decodeSummary(body, 0).pods.length, 1);
  for (let cut = 0; cut < body.length; cut++) {
    // Cuts inside trailing whitespace would be valid; this body has none.
    t.throws(() => decodeSummary(body.subarray(0, cut), 0), DecodeError, `cut at ${cut}`);
  }
});

t.test('the scanner reads Buffers and plain Uint8Array views at any offset alike', async (t) => {
  const json = pod(ctr('a', '1500000001'));
  const expected = decode(json).pods;
  for (let offset = 0; offset < 5; offset++) {
    const backing = new Uint8Array(offset + json.length + 3);
    backing.set(Buffer.from(json), offset);
    t.same(decodeSummary(new Uint8Array(backing.buffer, offset, json.length), 0).pods, expected, `offset ${offset}`);
  }
});

t.test('names go through the interner when one is given: same strings every decode', async (t) => {
  const names = new NameInterner();
  const body = fixture('otel-minikube-1.json');
  const a = decodeSummary(body, 0, names);
  const b = decodeSummary(body, 0, names);
  t.same(a, decodeSummary(body, 0), 'same result as without the interner');
  t.ok(a.pods.every((p, i) => p.name === b.pods[i]!.name && p.namespace === b.pods[i]!.namespace));
  t.ok(names.size > 0);
  t.same(decodeSummary(Buffer.from(pod(ctr('c\\u00e9', '1'))), 0, names).pods[0]!.containers[0]!.name, 'c\u00e9', 'escaped names bypass it');
  // Raw UTF-8: the interner declines it and the scanner decodes it, as without an interner.
  for (let i = 0; i < 2; i++) t.same(decodeSummary(Buffer.from(pod(ctr('c\u00e9\u{1F600}', '1'))), 0, names.forNode()).pods[0]!.containers[0]!.name, 'c\u00e9\u{1F600}', 'raw UTF-8 names are decoded');
});

// Keys remembered from earlier objects (decode-json.ts Keys.predicted) only ever
// shortcut bytes that read as the same key: summaries whose objects order, spell,
// space and rename their keys differently, decoded one after another, each give
// what their own content says.
t.test('remembered keys never decide another object: shuffled, escaped, spaced and near-miss keys', async (t) => {
  let seed = 7;
  const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  const pick = <T>(a: T[]): T => a[Math.floor(rand() * a.length)]!;
  type Obj = { [k: string]: unknown };
  const T0 = Date.parse('2026-03-01T10:00:00Z');
  const iso = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');
  const point = (i: number, node: boolean): Obj => {
    const memory: Obj = { time: iso(T0 + 1000), usageBytes: 100 + i, workingSetBytes: 50 + i, rssBytes: 7, pageFaults: 1, majorPageFaults: 0 };
    if (node) memory['availableBytes'] = 9;
    return { startTime: iso(T0 - 3_600_000 - i * 1000), cpu: { time: iso(T0 + i), usageNanoCores: 5, usageCoreNanoSeconds: 3_000_000_000 * i + 17 }, memory };
  };
  const doc = (pods: number): Obj => ({
    node: { nodeName: 'n1', ...point(1, true) },
    pods: Array.from({ length: pods }, (_, p) => ({
      podRef: { name: `pod-${p}`, namespace: `ns-${p % 3}`, uid: `u${p}` },
      startTime: iso(T0),
      containers: Array.from({ length: 1 + (p % 3) }, (_, c) => ({ name: `c${c}`, ...point(p * 10 + c + 1, false) })),
      cpu: { time: iso(T0), usageNanoCores: 1, usageCoreNanoSeconds: 2 },
      memory: { time: iso(T0), usageBytes: 3, workingSetBytes: 4 },
    })),
  });
  // What a summary says, read with JSON.parse (values below 2^53 here).
  const reference = (o: Obj): NodeScrape => {
    const pt = (x: Obj) => {
      const cpu = x['cpu'] as Obj | undefined;
      const mem = x['memory'] as Obj | undefined;
      const usage = cpu?.['usageCoreNanoSeconds'] as number | undefined;
      const ws = mem?.['workingSetBytes'] as number | undefined;
      const start = x['startTime'] as string | undefined;
      const time = cpu?.['time'] as string | undefined;
      if (!usage || !ws || !start || !time) return undefined;
      return { timestampMs: Date.parse(time), startTimeMs: Date.parse(start), startSubMsNs: 0, cpuSec: Math.floor(usage / 1e9), cpuNsec: usage % 1e9, memoryBytes: ws };
    };
    const out: NodeScrape = { pods: [] };
    const node = pt(o['node'] as Obj);
    if (node) out.node = node;
    for (const p of o['pods'] as Obj[]) {
      const ref = p['podRef'] as Obj;
      const containers = (p['containers'] as Obj[]).map((c) => {
        const q = pt(c);
        return q && { name: c['name'] as string, ...q };
      });
      if (containers.length === 0 || containers.some((c) => c === undefined)) continue;
      out.pods.push({ namespace: ref['namespace'] as string, name: ref['name'] as string, containers: containers as NonNullable<(typeof containers)[number]>[] });
    }
    return out;
  };
  // Rewrites: the same content, keys written in other orders, spellings and spacing.
  const escapeKey = (k: string) => `\\u${k.charCodeAt(0).toString(16).padStart(4, '0')}${k.slice(1)}`;
  const write = (v: unknown, mode: string): string => {
    if (v === null || typeof v !== 'object') return JSON.stringify(v);
    if (Array.isArray(v)) return `[${v.map((x) => write(x, mode)).join(',')}]`;
    let keys = Object.keys(v);
    if (mode === 'shuffle' || rand() < 0.05) keys = keys.map((k) => [rand(), k] as const).sort((a, b) => a[0] - b[0]).map(([, k]) => k);
    const members = keys.map((k) => {
      const key = mode === 'escape' && rand() < 0.3 ? escapeKey(k) : k;
      const gap = mode === 'space' && rand() < 0.3 ? ' \n\t' : '';
      return `"${key}"${gap}:${gap}${write((v as Obj)[k], mode)}`;
    });
    if (mode === 'extra' && rand() < 0.5) members.splice(Math.floor(rand() * (members.length + 1)), 0, `"${pick(['timex', 'tim', 'workingSetByte', 'usageCoreNanoSecondsX', 'name2'])}":${pick(['1', '"s"', '{"a":[1]}', 'null'])}`);
    return `{${members.join(',')}}`;
  };
  let decoded = 0;
  for (let i = 0; i < 300; i++) {
    const o = doc(1 + Math.floor(rand() * 6));
    if (rand() < 0.3) {
      // A near miss: a used key spelled otherwise, in its place (that point is incomplete).
      const pods = o['pods'] as Obj[];
      const c = pick((pick(pods)['containers'] as Obj[]));
      const which = pick(['cpu', 'memory', 'startTime']);
      const inner = which === 'startTime' ? c : (c[which] as Obj);
      const key = which === 'cpu' ? 'usageCoreNanoSeconds' : which === 'memory' ? 'workingSetBytes' : 'startTime';
      const renamed: Obj = {};
      for (const [k, v] of Object.entries(inner)) renamed[k === key ? `${key.slice(0, -1)}${key.endsWith('s') ? 'z' : 's'}` : k] = v;
      if (which === 'startTime') {
        for (const k of Object.keys(c)) delete c[k];
        Object.assign(c, renamed);
      } else c[which] = renamed;
    }
    const mode = pick(['plain', 'plain', 'shuffle', 'escape', 'space', 'extra']);
    const got = decodeSummary(Buffer.from(write(o, mode)), 0);
    if (JSON.stringify(got) !== JSON.stringify(reference(o))) {
      t.same(got, reference(o), `document ${i} (${mode})`);
      return;
    }
    decoded++;
  }
  t.equal(decoded, 300, 'every document decoded as its own content says');
});
