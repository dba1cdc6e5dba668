// Renders a node's kubelet /stats/summary response (stats/v1alpha1 JSON). Kubelet
// times serialize with second precision, so every sample is taken at the whole
// second and counters are computed for that instant: rates stay exact.

import { containerCpuNs, type SimNode, type UsageModel } from './model.js';

/**
 * metav1.Time text by whole second: the start times of a node's containers repeat in every
 * render (Date's ISO formatting went through printf, a seventh of the simulated kubelets' CPU).
 * Cleared when full.
 */
const times = new Map<number, string>();
const MAX_TIMES = 4096;

/** metav1.Time's RFC 3339 form, whole seconds. */
export function rfc3339(ms: number): string {
  const second = Math.floor(ms / 1000);
  let text = times.get(second);
  if (text === undefined) {
    if (times.size >= MAX_TIMES) times.clear();
    text = new Date(second * 1000).toISOString().slice(0, 19) + 'Z';
    times.set(second, text);
  }
  return text;
}

function cpuJson(time: string, rate: number, cum: number): string {
  return `{"time":"${time}","usageNanoCores":${rate},"usageCoreNanoSeconds":${cum}}`;
}

function memJson(time: string, ws: number, available?: number): string {
  // usage ≥ working set (page cache on top); rss below it, as on a real node.
  const usage = ws + 4096 * 256;
  const rss = Math.floor((ws * 3) / 4);
  const avail = available === undefined ? '' : `"availableBytes":${available},`;
  return `{"time":"${time}",${avail}"usageBytes":${usage},"workingSetBytes":${ws},"rssBytes":${rss},"pageFaults":1000,"majorPageFaults":0}`;
}

export function renderSummary(model: UsageModel, node: SimNode, nowMs: number): string {
  const tMs = Math.floor(nowMs / 1000) * 1000;
  const time = rfc3339(tMs);
  const pods: string[] = [];
  let podsCpuRate = 0;
  let podsCpuCum = 0;
  let podsMem = 0;
  for (const p of model.podsOn(node.name)) {
    if (p.phase !== 'Running') continue;
    const containers: string[] = [];
    let rate = 0;
    let cum = 0;
    let mem = 0;
    for (const c of p.containers) {
      const ccum = containerCpuNs(c, tMs);
      rate += c.cpuNanocores;
      cum += ccum;
      mem += c.memoryBytes;
      containers.push(`{"name":"${c.name}","startTime":"${rfc3339(c.startTimeMs)}","cpu":${cpuJson(time, c.cpuNanocores, ccum)},"memory":${memJson(time, c.memoryBytes)}}`);
    }
    podsCpuRate += rate;
    podsCpuCum += cum;
    podsMem += mem;
    pods.push(
      `{"podRef":{"name":"${p.name}","namespace":"${p.namespace}","uid":"${p.uid}"},"startTime":"${rfc3339(p.createdMs)}",` +
        `"containers":[${containers.join(',')}],"cpu":${cpuJson(time, rate, cum)},"memory":${memJson(time, mem)}}`,
    );
  }
  const nodeRate = model.nodeCpuNanocores(node.name);
  const nodeMem = model.nodeMemoryBytes(node.name);
  const nodeCum = model.nodeCumulativeCpuNs(node, tMs);
  const start = rfc3339(node.startTimeMs);
  const system =
    `[{"name":"kubelet","startTime":"${start}","cpu":${cpuJson(time, nodeRate - podsCpuRate, nodeCum - podsCpuCum)},"memory":${memJson(time, nodeMem - podsMem)}},` +
    `{"name":"pods","startTime":"${start}","cpu":${cpuJson(time, podsCpuRate, podsCpuCum)},"memory":${memJson(time, podsMem)}}]`;
  const nodeJson =
    `{"nodeName":"${node.name}","systemContainers":${system},"startTime":"${start}",` +
    `"cpu":${cpuJson(time, nodeRate, nodeCum)},"memory":${memJson(time, nodeMem, Math.max(0, node.allocatableMemoryBytes - nodeMem))}}`;
  return `{"node":${nodeJson},"pods":[${pods.join(',')}]}`;
}
