// Renders a node's kubelet /stats/summary response (stats/v1alpha1 JSON). Kubelet
// times serialize with second precision, so every sample is taken at the whole
// second and counters are computed for that instant: rates stay exact.
//
// The simulated kubelets share the benchmark's cores with the server they feed,
// so rendering is kept cheap: what does not change between renders (names,
// start times, rates, working sets) is kept as text per container and pod,
// checked against the model on every render, and only the sample time and the
// counters are written anew.

import { containerCpuNs, type SimContainer, type SimNode, type SimPod, type UsageModel } from './model.js';

/** metav1.Time text by whole second: start times repeat in every render. Cleared when full. */
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

/** What follows a cpu object's time: `","usageNanoCores":<rate>,"usageCoreNanoSeconds":`. */
const cpuMiddle = (rate: number): string => `","usageNanoCores":${rate},"usageCoreNanoSeconds":`;

/** What follows a memory object's time, up to its closing brace. */
function memoryTail(ws: number, available?: number): string {
  // usage ≥ working set (page cache on top); rss below it, as on a real node.
  const usage = ws + 4096 * 256;
  const rss = Math.floor((ws * 3) / 4);
  const avail = available === undefined ? '' : `"availableBytes":${available},`;
  return `",${avail}"usageBytes":${usage},"workingSetBytes":${ws},"rssBytes":${rss},"pageFaults":1000,"majorPageFaults":0}`;
}

const cpuJson = (time: string, rate: number, cum: number): string => `{"time":"${time}${cpuMiddle(rate)}${cum}}`;
const memJson = (time: string, ws: number, available?: number): string => `{"time":"${time}${memoryTail(ws, available)}`;

/** A container's text around its time and counter, for the model values it was made from. */
interface ContainerText {
  container: SimContainer;
  name: string;
  startTimeMs: number;
  rate: number;
  memory: number;
  /** Up to the cpu time. */
  head: string;
  middle: string;
  tail: string;
}

function containerText(c: SimContainer): ContainerText {
  return {
    container: c,
    name: c.name,
    startTimeMs: c.startTimeMs,
    rate: c.cpuNanocores,
    memory: c.memoryBytes,
    head: `{"name":"${c.name}","startTime":"${rfc3339(c.startTimeMs)}","cpu":{"time":"`,
    middle: cpuMiddle(c.cpuNanocores),
    tail: memoryTail(c.memoryBytes),
  };
}

/** A pod's text up to its containers, its containers' texts, and its usage text for the sums it was last made for. */
interface PodText {
  pod: SimPod;
  name: string;
  namespace: string;
  uid: string;
  createdMs: number;
  head: string;
  containers: ContainerText[];
  rate: number;
  middle: string;
  memory: number;
  tail: string;
}

function podText(p: SimPod): PodText {
  return {
    pod: p,
    name: p.name,
    namespace: p.namespace,
    uid: p.uid,
    createdMs: p.createdMs,
    head: `{"podRef":{"name":"${p.name}","namespace":"${p.namespace}","uid":"${p.uid}"},"startTime":"${rfc3339(p.createdMs)}","containers":[`,
    containers: [],
    rate: NaN,
    middle: '',
    memory: NaN,
    tail: '',
  };
}

/**
 * Per node, the texts of its last render's Running pods in order: a pod or container is
 * matched by position and identity (one look-up per node, not per object), and its text
 * is made again when it is another object or its values changed.
 */
const nodeTexts = new WeakMap<SimNode, PodText[]>();

export function renderSummary(model: UsageModel, node: SimNode, nowMs: number): string {
  const tMs = Math.floor(nowMs / 1000) * 1000;
  const time = rfc3339(tMs);
  let pods = '';
  let podsCpuRate = 0;
  let podsCpuCum = 0;
  let podsMem = 0;
  let texts = nodeTexts.get(node);
  if (texts === undefined) nodeTexts.set(node, (texts = []));
  let k = 0;
  for (const p of model.podsOn(node.name)) {
    if (p.phase !== 'Running') continue;
    let pt = texts[k];
    if (pt === undefined || pt.pod !== p || pt.name !== p.name || pt.namespace !== p.namespace || pt.uid !== p.uid || pt.createdMs !== p.createdMs) pt = texts[k] = podText(p);
    k++;
    const cts = pt.containers;
    let containers = '';
    let rate = 0;
    let cum = 0;
    let mem = 0;
    for (let j = 0; j < p.containers.length; j++) {
      const c = p.containers[j]!;
      let ct = cts[j];
      if (ct === undefined || ct.container !== c || ct.name !== c.name || ct.startTimeMs !== c.startTimeMs || ct.rate !== c.cpuNanocores || ct.memory !== c.memoryBytes) ct = cts[j] = containerText(c);
      const ccum = containerCpuNs(c, tMs);
      rate += c.cpuNanocores;
      cum += ccum;
      mem += c.memoryBytes;
      if (containers !== '') containers += ',';
      containers += `${ct.head}${time}${ct.middle}${ccum}},"memory":{"time":"${time}${ct.tail}}`;
    }
    podsCpuRate += rate;
    podsCpuCum += cum;
    podsMem += mem;
    cts.length = p.containers.length;
    if (pt.rate !== rate) {
      pt.rate = rate;
      pt.middle = cpuMiddle(rate);
    }
    if (pt.memory !== mem) {
      pt.memory = mem;
      pt.tail = memoryTail(mem);
    }
    if (pods !== '') pods += ',';
    pods += `${pt.head}${containers}],"cpu":{"time":"${time}${pt.middle}${cum}},"memory":{"time":"${time}${pt.tail}}`;
  }
  texts.length = k;
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
  return `{"node":${nodeJson},"pods":[${pods}]}`;
}
