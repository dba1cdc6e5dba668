// Renders a node's kubelet /metrics/resource response (Prometheus text format, as
// kubelet's resource metrics collector writes it: families in alphabetical order,
// samples with millisecond timestamps except container_start_time_seconds).

import { formatGoFloat } from './go-float.js';
import { containerCpuNs, type SimNode, type SimPod, type UsageModel } from './model.js';

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

export function renderResourceMetrics(model: UsageModel, node: SimNode, nowMs: number): string {
  const pods: readonly SimPod[] = model.podsOn(node.name).filter((p) => p.phase === 'Running');
  const ts = ` ${nowMs}\n`;
  let cpu = FAMILIES.containerCpu;
  let mem = FAMILIES.containerMem;
  let start = FAMILIES.containerStart;
  let podCpu = FAMILIES.podCpu;
  let podMem = FAMILIES.podMem;
  for (const p of pods) {
    const podLabels = `namespace="${p.namespace}",pod="${p.name}"`;
    let pc = 0;
    let pm = 0;
    for (const c of p.containers) {
      const labels = `{container="${c.name}",${podLabels}} `;
      const cum = containerCpuNs(c, nowMs);
      pc += cum;
      pm += c.memoryBytes;
      cpu += `container_cpu_usage_seconds_total${labels}${seconds(cum)}${ts}`;
      mem += `container_memory_working_set_bytes${labels}${formatGoFloat(c.memoryBytes)}${ts}`;
      start += `container_start_time_seconds${labels}${formatGoFloat(c.startTimeMs / 1000)}\n`;
    }
    podCpu += `pod_cpu_usage_seconds_total{${podLabels}} ${seconds(pc)}${ts}`;
    podMem += `pod_memory_working_set_bytes{${podLabels}} ${formatGoFloat(pm)}${ts}`;
  }
  const nodeCpu = `${FAMILIES.nodeCpu}node_cpu_usage_seconds_total ${seconds(model.nodeCumulativeCpuNs(node, nowMs))}${ts}`;
  const nodeMem = `${FAMILIES.nodeMem}node_memory_working_set_bytes ${formatGoFloat(model.nodeMemoryBytes(node.name))}${ts}`;
  return cpu + mem + start + nodeCpu + nodeMem + podCpu + podMem + FAMILIES.scrapeError;
}
