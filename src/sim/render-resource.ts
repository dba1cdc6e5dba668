// Renders a node's kubelet /metrics/resource response (Prometheus text format, as
// kubelet's resource metrics collector writes it: families in alphabetical order,
// samples with millisecond timestamps except container_start_time_seconds).

import { formatGoFloat } from './go-float.js';
import { containerCpuNs, type SimContainer, type SimNode, type SimPod, type UsageModel } from './model.js';

const FAMILIES = {
  containerCpu: '# HELP container_cpu_usage_seconds_total [STABLE] Cumulative cpu time consumed by the container in core-seconds\n# TYPE container_cpu_usage_seconds_total counter\n',
  containerMem: '# HELP container_memory_working_set_bytes [STABLE] Current working set of the container in bytes\n# TYPE container_memory_working_set_bytes gauge\n',
  containerStart: '# HELP container_start_time_seconds [STABLE] Start time of the container since unix epoch in seconds\n# TYPE container_start_time_seconds gauge\n',
  nodeCpu: '# HELP node_cpu_usage_seconds_total [STABLE] Cumulative cpu time consumed by the node in core-seconds\n# TYPE node_cpu_usage_seconds_total counter\n',
  nodeMem: '# HELP node_memory_working_set_bytes [STABLE] Current working set of the node in bytes\n# TYPE node_memory_working_set_bytes gauge\n',
  podCpu: '# HELP pod_cpu_usage_seconds_total [STABLE] Cumulative cpu time consumed by the pod in core-seconds\n# TYPE pod_cpu_usage_seconds_total counter\n',
  podMem: '# HELP pod_memory_working_set_bytes [STABLE] Current working set of the pod in bytes\n# TYPE pod_memory_working_set_bytes gauge\n',
  scrapeError: '# HELP resource_scrape_error [STABLE] 1 if there was an error while getting container metrics, 0 otherwise\n# TYPE resource_scrape_error gauge\nresource_scrape_error 0\n',
};

/** Core-nanoseconds as the float core-seconds the kubelet exposes. */
function seconds(ns: number): string {
  return formatGoFloat(ns / 1e9);
}

// The simulated kubelets share the benchmark's cores with the server they feed, so
// what does not change between renders (label sets, working sets, start times) is
// kept as text per container and pod, checked against the model on every render.

/** A container's lines but for its counter and the sample time, for the values they were made from. */
interface ContainerLines {
  container: SimContainer;
  name: string;
  memory: number;
  startTimeMs: number;
  /** Up to the CPU value. */
  cpu: string;
  /** Up to the sample time. */
  memoryLine: string;
  startLine: string;
}

function containerLines(p: SimPod, c: SimContainer): ContainerLines {
  const labels = `{container="${c.name}",namespace="${p.namespace}",pod="${p.name}"} `;
  return {
    container: c,
    name: c.name,
    memory: c.memoryBytes,
    startTimeMs: c.startTimeMs,
    cpu: `container_cpu_usage_seconds_total${labels}`,
    memoryLine: `container_memory_working_set_bytes${labels}${formatGoFloat(c.memoryBytes)}`,
    startLine: `container_start_time_seconds${labels}${formatGoFloat(c.startTimeMs / 1000)}\n`,
  };
}

/** A pod's line heads and its containers' lines. */
interface PodLines {
  pod: SimPod;
  name: string;
  namespace: string;
  cpu: string;
  memory: string;
  containers: ContainerLines[];
}

function podLines(p: SimPod): PodLines {
  const labels = `{namespace="${p.namespace}",pod="${p.name}"} `;
  return { pod: p, name: p.name, namespace: p.namespace, cpu: `pod_cpu_usage_seconds_total${labels}`, memory: `pod_memory_working_set_bytes${labels}`, containers: [] };
}

/**
 * Per node, the lines of its last render's Running pods in order: a pod or container is
 * matched by position and identity (one look-up per node, not per object), and its lines
 * are made again when it is another object or its values changed.
 */
const nodeLines = new WeakMap<SimNode, PodLines[]>();

export function renderResourceMetrics(model: UsageModel, node: SimNode, nowMs: number): string {
  const ts = ` ${nowMs}\n`;
  let cpu = FAMILIES.containerCpu;
  let mem = FAMILIES.containerMem;
  let start = FAMILIES.containerStart;
  let podCpu = FAMILIES.podCpu;
  let podMem = FAMILIES.podMem;
  let lines = nodeLines.get(node);
  if (lines === undefined) nodeLines.set(node, (lines = []));
  let k = 0;
  for (const p of model.podsOn(node.name)) {
    if (p.phase !== 'Running') continue;
    let pl = lines[k];
    if (pl === undefined || pl.pod !== p || pl.name !== p.name || pl.namespace !== p.namespace) pl = lines[k] = podLines(p);
    k++;
    const cls = pl.containers;
    let pc = 0;
    let pm = 0;
    for (let j = 0; j < p.containers.length; j++) {
      const c = p.containers[j]!;
      let cl = cls[j];
      if (cl === undefined || cl.container !== c || cl.name !== c.name || cl.memory !== c.memoryBytes || cl.startTimeMs !== c.startTimeMs) cl = cls[j] = containerLines(p, c);
      const cum = containerCpuNs(c, nowMs);
      pc += cum;
      pm += c.memoryBytes;
      cpu += `${cl.cpu}${seconds(cum)}${ts}`;
      mem += `${cl.memoryLine}${ts}`;
      start += cl.startLine;
    }
    cls.length = p.containers.length;
    podCpu += `${pl.cpu}${seconds(pc)}${ts}`;
    podMem += `${pl.memory}${formatGoFloat(pm)}${ts}`;
  }
  lines.length = k;
  const nodeCpu = `${FAMILIES.nodeCpu}node_cpu_usage_seconds_total ${seconds(model.nodeCumulativeCpuNs(node, nowMs))}${ts}`;
  const nodeMem = `${FAMILIES.nodeMem}node_memory_working_set_bytes ${formatGoFloat(model.nodeMemoryBytes(node.name))}${ts}`;
  return cpu + mem + start + nodeCpu + nodeMem + podCpu + podMem + FAMILIES.scrapeError;
}
