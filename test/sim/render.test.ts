// The simulated kubelets' bodies say what the model says, render after render
// through churn: nothing remembered from an earlier render (start times by second)
// is served for a container that restarted or changed its usage, or for another
// pod in the same place of the node's list.
import t, { type Test } from 'tap';
import { createRequire } from 'node:module';
import { containerCpuNs, UsageModel, type SimNode } from '../../src/sim/model.js';
import { renderResourceMetrics } from '../../src/sim/render-resource.js';
import { renderSummary } from '../../src/sim/render-summary.js';

const parsePrometheus = createRequire(import.meta.url)('parse-prometheus-text-format') as (text: string) => { name: string; metrics: { value: string; labels?: Record<string, string>; timestamp_ms?: string }[] }[];

/** metav1.Time at whole seconds, worked out here rather than by the renderer's own (memoised) function. */
const rfc3339 = (ms: number): string => new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');

interface CpuJson {
  time: string;
  usageNanoCores: number;
  usageCoreNanoSeconds: number;
}
interface MemoryJson {
  time: string;
  workingSetBytes: number;
  usageBytes: number;
  rssBytes: number;
}
interface SummaryJson {
  node: { nodeName: string; startTime: string; cpu: CpuJson; memory: MemoryJson };
  pods: { podRef: { name: string; namespace: string; uid: string }; startTime: string; containers: { name: string; startTime: string; cpu: CpuJson; memory: MemoryJson }[]; cpu: CpuJson; memory: MemoryJson }[];
}

/** Every value of the node's summary, checked against the model at nowMs. */
function checkSummary(t: Test, model: UsageModel, node: SimNode, nowMs: number, step: string): void {
  const tMs = Math.floor(nowMs / 1000) * 1000;
  const time = rfc3339(tMs);
  const doc = JSON.parse(renderSummary(model, node, nowMs)) as SummaryJson;
  const running = model.podsOn(node.name).filter((p) => p.phase === 'Running');
  t.same(
    doc.pods.map((p) => p.podRef),
    running.map((p) => ({ name: p.name, namespace: p.namespace, uid: p.uid })),
    `${step}: the Running pods, in order`,
  );
  let wrong = 0;
  running.forEach((p, i) => {
    const got = doc.pods[i]!;
    if (got.startTime !== rfc3339(p.createdMs)) wrong++;
    let rate = 0;
    let cum = 0;
    let mem = 0;
    if (got.containers.length !== p.containers.length) wrong++;
    p.containers.forEach((c, j) => {
      const gc = got.containers[j];
      const ccum = containerCpuNs(c, tMs);
      rate += c.cpuNanocores;
      cum += ccum;
      mem += c.memoryBytes;
      if (gc?.name !== c.name || gc.startTime !== rfc3339(c.startTimeMs)) wrong++;
      if (gc?.cpu.time !== time || gc.cpu.usageNanoCores !== c.cpuNanocores || gc.cpu.usageCoreNanoSeconds !== ccum) wrong++;
      if (gc?.memory.time !== time || gc.memory.workingSetBytes !== c.memoryBytes || gc.memory.usageBytes !== c.memoryBytes + 4096 * 256 || gc.memory.rssBytes !== Math.floor((c.memoryBytes * 3) / 4)) wrong++;
    });
    if (got.cpu.time !== time || got.cpu.usageNanoCores !== rate || got.cpu.usageCoreNanoSeconds !== cum) wrong++;
    if (got.memory.time !== time || got.memory.workingSetBytes !== mem) wrong++;
  });
  t.equal(wrong, 0, `${step}: every pod and container value as the model's`);
  t.same(
    [doc.node.nodeName, doc.node.startTime, doc.node.cpu.usageNanoCores, doc.node.cpu.usageCoreNanoSeconds, doc.node.memory.workingSetBytes],
    [node.name, rfc3339(node.startTimeMs), model.nodeCpuNanocores(node.name), model.nodeCumulativeCpuNs(node, tMs), model.nodeMemoryBytes(node.name)],
    `${step}: the node's values`,
  );
}

/** Every value of the node's /metrics/resource body, checked against the model at nowMs. */
function checkResource(t: Test, model: UsageModel, node: SimNode, nowMs: number, step: string): void {
  const families = new Map(parsePrometheus(renderResourceMetrics(model, node, nowMs)).map((f) => [f.name, f.metrics]));
  const series = (family: string) => (families.get(family) ?? []).map((m) => [m.labels?.namespace ?? '', m.labels?.pod ?? '', m.labels?.container ?? '', Number(m.value), m.timestamp_ms ?? '']);
  const running = model.podsOn(node.name).filter((p) => p.phase === 'Running');
  const ts = String(nowMs);
  const containers = running.flatMap((p) => p.containers.map((c) => ({ p, c })));
  t.same(series('container_cpu_usage_seconds_total'), containers.map(({ p, c }) => [p.namespace, p.name, c.name, containerCpuNs(c, nowMs) / 1e9, ts]), `${step}: container CPU`);
  t.same(series('container_memory_working_set_bytes'), containers.map(({ p, c }) => [p.namespace, p.name, c.name, c.memoryBytes, ts]), `${step}: container memory`);
  t.same(series('container_start_time_seconds'), containers.map(({ p, c }) => [p.namespace, p.name, c.name, c.startTimeMs / 1000, '']), `${step}: container start times`);
  t.same(
    series('pod_memory_working_set_bytes'),
    running.map((p) => [p.namespace, p.name, '', p.containers.reduce((s, c) => s + c.memoryBytes, 0), ts]),
    `${step}: pod memory`,
  );
  t.same(series('node_memory_working_set_bytes'), [['', '', '', model.nodeMemoryBytes(node.name), ts]], `${step}: node memory`);
}

t.test('bodies follow the model through restarts, usage changes and pods coming and going', async (t) => {
  let now = Date.UTC(2026, 10, 23, 12, 0, 0, 400);
  const model = new UsageModel({ nodes: 2, podsPerNode: 4, containersPerPod: 2, nowMs: now - 600_000 });
  const node = model.nodes[0]!;
  const check = (step: string) => {
    checkSummary(t, model, node, now, step);
    checkResource(t, model, node, now, step);
  };
  check('first render');
  now += 15_000;
  check('next tick');
  const [p0, p1, p2] = model.podsOn(node.name);
  model.restartContainer(p0!.namespace, p0!.name, 'sidecar', now);
  now += 15_000;
  check('a container restarted');
  model.setContainerUsage(p1!.namespace, p1!.name, 'main', { cpuNanocores: 250_000_000, memoryBytes: 123_456_789 }, now);
  now += 15_000;
  check('a container changed its rate and working set');
  model.removePod(p0!.namespace, p0!.name, now);
  model.addPod(node.name, { namespace: 'team-b', name: 'late-1' }, now);
  now += 15_000;
  check('the first pod removed, another added: every pod in another place');
  p2!.phase = 'Pending';
  now += 15_000;
  check('a pod no longer Running');
  p2!.phase = 'Running';
  now += 1_500;
  check('Running again, within the same second');
});
