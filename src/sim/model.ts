// The one deterministic usage model behind every simulated kubelet and the pod/node
// objects of the stand-in apiserver. Each container has a constant CPU rate and a
// constant working set; its cumulative CPU counter is rate × (t − start), computed at
// the timestamp the kubelet reports, so the rate between any two scrapes equals the
// model rate exactly (up to the format's timestamp granularity).

export interface SimContainer {
  name: string;
  /** CPU rate in nanocores; a multiple of 1000 so counters stay whole nanoseconds per ms. */
  cpuNanocores: number;
  /** Working set, bytes. */
  memoryBytes: number;
  /** Start time, ms since epoch; a restart moves it to now and resets the counter. */
  startTimeMs: number;
  restartCount: number;
  /** Counter value at rateSinceMs; the counter grows at cpuNanocores from there. */
  cpuBaseNs: number;
  rateSinceMs: number;
}

export interface SimPod {
  namespace: string;
  name: string;
  uid: string;
  nodeName: string;
  labels: Record<string, string>;
  phase: 'Running' | 'Pending' | 'Succeeded' | 'Failed';
  createdMs: number;
  containers: SimContainer[];
}

export interface SimNode {
  name: string;
  index: number;
  labels: Record<string, string>;
  /** Kubelet port (set when the kubelets start listening). */
  kubeletPort: number;
  startTimeMs: number;
  createdMs: number;
  /** CPU and memory the node itself uses beyond its containers (system daemons). */
  systemCpuNanocores: number;
  systemMemoryBytes: number;
  allocatableCpuMillis: number;
  allocatableMemoryBytes: number;
  /** CPU of containers that restarted or went away, so the node counter never goes back. */
  retiredCpuNs: number;
}

export const NAMESPACES = ['default', 'kube-system', 'team-a', 'team-b'] as const;
const APPS = ['web', 'api', 'worker', 'cache', 'db'] as const;
const CONTAINER_NAMES = ['main', 'sidecar', 'proxy', 'init-helper'] as const;

/** A small stable hash (FNV-1a) so the model does not depend on Math.random. */
export function stableHash(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** Cumulative CPU in core-nanoseconds at time tMs: rate (1e-9 cores) × elapsed ns. */
export function cumulativeCpuNs(cpuNanocores: number, sinceMs: number, tMs: number): number {
  const elapsedMs = Math.max(0, tMs - sinceMs);
  // rate × elapsedMs × 1e6 ns / 1e9 = rate × elapsedMs / 1000; exact because rate % 1000 === 0.
  return (cpuNanocores / 1000) * elapsedMs;
}

/** A container's counter at tMs. */
export function containerCpuNs(c: SimContainer, tMs: number): number {
  return c.cpuBaseNs + cumulativeCpuNs(c.cpuNanocores, c.rateSinceMs, tMs);
}

export interface ModelOptions {
  nodes: number;
  podsPerNode: number;
  containersPerPod: number;
  /** Fixed "now" at construction, ms since epoch (default Date.now()). */
  nowMs?: number;
  /** How long before now the containers started (default 1 hour). */
  uptimeMs?: number;
}

/** prevLabels: the labels before a MODIFIED change, when they changed. */
export type ModelListener = (kind: 'node' | 'pod', type: 'ADDED' | 'MODIFIED' | 'DELETED', obj: SimNode | SimPod, prevLabels?: Record<string, string>) => void;

/** The cluster's state: nodes, pods and their containers' usage. */
export class UsageModel {
  readonly nodes: SimNode[] = [];
  /** Pods by node name, in creation order. */
  private readonly podsByNode = new Map<string, SimPod[]>();
  private readonly podIndex = new Map<string, SimPod>();
  private readonly nodeIndex = new Map<string, SimNode>();
  private readonly listeners: ModelListener[] = [];
  private uidCounter = 0;
  private podCounter = 0;
  readonly containersPerPod: number;

  constructor(opts: ModelOptions) {
    const now = opts.nowMs ?? Date.now();
    const started = now - (opts.uptimeMs ?? 3_600_000);
    this.containersPerPod = opts.containersPerPod;
    for (let i = 0; i < opts.nodes; i++) {
      const node = this.createNode(i, started - 86_400_000);
      for (let p = 0; p < opts.podsPerNode; p++) this.createPod(node, started, false);
    }
  }

  private createNode(i: number, createdMs: number): SimNode {
    const name = `sim-node-${i + 1}`;
    const h = stableHash(name);
    const node: SimNode = {
      name,
      index: i,
      labels: {
        'kubernetes.io/hostname': name,
        'kubernetes.io/os': 'linux',
        'kubernetes.io/arch': 'amd64',
        'topology.kubernetes.io/zone': `zone-${(i % 3) + 1}`,
        ...(i === 0 ? { 'node-role.kubernetes.io/control-plane': '' } : {}),
      },
      kubeletPort: 0,
      startTimeMs: createdMs,
      createdMs,
      systemCpuNanocores: (100 + (h % 200)) * 1_000_000,
      systemMemoryBytes: (512 + (h % 512)) * 1024 * 1024,
      allocatableCpuMillis: 8000,
      allocatableMemoryBytes: 32 * 1024 * 1024 * 1024,
      retiredCpuNs: 0,
    };
    this.nodes.push(node);
    this.nodeIndex.set(name, node);
    this.podsByNode.set(name, []);
    return node;
  }

  /** Subscribe to object changes (the apiserver's watch feed). */
  onChange(l: ModelListener): void {
    this.listeners.push(l);
  }

  private emit(kind: 'node' | 'pod', type: 'ADDED' | 'MODIFIED' | 'DELETED', obj: SimNode | SimPod, prevLabels?: Record<string, string>): void {
    for (const l of this.listeners) l(kind, type, obj, prevLabels);
  }

  node(name: string): SimNode | undefined {
    return this.nodeIndex.get(name);
  }

  podsOn(nodeName: string): readonly SimPod[] {
    return this.podsByNode.get(nodeName) ?? [];
  }

  *allPods(): Iterable<SimPod> {
    for (const pods of this.podsByNode.values()) yield* pods;
  }

  pod(namespace: string, name: string): SimPod | undefined {
    return this.podIndex.get(`${namespace}/${name}`);
  }

  private createPod(node: SimNode, startedMs: number, announce: boolean, spec?: { namespace?: string; name?: string; labels?: Record<string, string>; containers?: number }): SimPod {
    const seq = this.podCounter++;
    const app = APPS[seq % APPS.length]!;
    const namespace = spec?.namespace ?? NAMESPACES[seq % NAMESPACES.length]!;
    const name = spec?.name ?? `${app}-${node.index + 1}-${seq.toString(36).padStart(4, '0')}`;
    const count = spec?.containers ?? this.containersPerPod;
    const containers: SimContainer[] = [];
    for (let c = 0; c < count; c++) {
      const cname = c < CONTAINER_NAMES.length ? CONTAINER_NAMES[c]! : `c${c}`;
      const h = stableHash(`${namespace}/${name}/${cname}`);
      containers.push({
        name: cname,
        cpuNanocores: (5 + (h % 400)) * 1_000_000 + ((h >>> 9) % 1000) * 1000,
        memoryBytes: (16 + ((h >>> 3) % 480)) * 1024 * 1024 + ((h >>> 13) % 4096) * 4096,
        startTimeMs: startedMs,
        restartCount: 0,
        cpuBaseNs: 0,
        rateSinceMs: startedMs,
      });
    }
    const pod: SimPod = {
      namespace,
      name,
      uid: this.nextUid(),
      nodeName: node.name,
      labels: { app, ...(spec?.labels ?? {}) },
      phase: 'Running',
      createdMs: startedMs,
      containers,
    };
    if (this.podIndex.has(`${namespace}/${name}`)) throw new Error(`pod ${namespace}/${name} already exists`);
    this.podIndex.set(`${namespace}/${name}`, pod);
    this.podsByNode.get(node.name)!.push(pod);
    if (announce) this.emit('pod', 'ADDED', pod);
    return pod;
  }

  private nextUid(): string {
    const n = (this.uidCounter++).toString(16).padStart(12, '0');
    return `00000000-0000-4000-8000-${n}`;
  }

  // ---- churn knobs ----

  /**
   * Registers a new, empty node (its kubelet gets a port when the kubelets start
   * listening for it; see SimCluster.addNode). Announced as ADDED.
   */
  addNode(nowMs = Date.now()): SimNode {
    const i = this.nodes.reduce((max, n) => Math.max(max, n.index), -1) + 1;
    const node = this.createNode(i, nowMs);
    this.emit('node', 'ADDED', node);
    return node;
  }

  /** Deletes a node and its pods (announced as DELETED, pods first). */
  removeNode(name: string, nowMs = Date.now()): boolean {
    const node = this.nodeIndex.get(name);
    if (!node) return false;
    for (const p of [...this.podsOn(name)]) this.removePod(p.namespace, p.name, nowMs);
    this.nodes.splice(this.nodes.indexOf(node), 1);
    this.nodeIndex.delete(name);
    this.podsByNode.delete(name);
    this.emit('node', 'DELETED', node);
    return true;
  }

  /** Announces a change to a node's own fields (e.g. its kubelet port). */
  touchNode(name: string): void {
    const node = this.nodeIndex.get(name);
    if (node) this.emit('node', 'MODIFIED', node);
  }

  /** Schedules a new Running pod on a node; its containers start now. */
  addPod(nodeName: string, spec?: { namespace?: string; name?: string; labels?: Record<string, string>; containers?: number }, nowMs = Date.now()): SimPod {
    const node = this.node(nodeName);
    if (!node) throw new Error(`no node ${nodeName}`);
    return this.createPod(node, nowMs, true, spec);
  }

  removePod(namespace: string, name: string, nowMs = Date.now()): boolean {
    const pod = this.podIndex.get(`${namespace}/${name}`);
    if (!pod) return false;
    this.podIndex.delete(`${namespace}/${name}`);
    const pods = this.podsByNode.get(pod.nodeName)!;
    pods.splice(pods.indexOf(pod), 1);
    const node = this.node(pod.nodeName)!;
    for (const c of pod.containers) node.retiredCpuNs += containerCpuNs(c, nowMs);
    this.emit('pod', 'DELETED', pod);
    return true;
  }

  /** Restarts one container: new start time, counter back to zero. */
  restartContainer(namespace: string, podName: string, container: string, nowMs = Date.now()): void {
    const pod = this.pod(namespace, podName);
    const c = pod?.containers.find((x) => x.name === container);
    if (!pod || !c) throw new Error(`no container ${namespace}/${podName}/${container}`);
    this.node(pod.nodeName)!.retiredCpuNs += containerCpuNs(c, nowMs);
    c.startTimeMs = nowMs;
    c.rateSinceMs = nowMs;
    c.cpuBaseNs = 0;
    c.restartCount++;
    this.emit('pod', 'MODIFIED', pod);
  }

  /** Changes a container's CPU rate; the counter stays continuous. */
  setContainerUsage(namespace: string, podName: string, container: string, usage: { cpuNanocores?: number; memoryBytes?: number }, nowMs = Date.now()): void {
    const c = this.pod(namespace, podName)?.containers.find((x) => x.name === container);
    if (!c) throw new Error(`no container ${namespace}/${podName}/${container}`);
    if (usage.cpuNanocores !== undefined) {
      if (!Number.isInteger(usage.cpuNanocores / 1000) || usage.cpuNanocores < 0) throw new Error('cpuNanocores must be a non-negative multiple of 1000');
      // The counter stays continuous: it grows at the new rate from now on.
      c.cpuBaseNs = containerCpuNs(c, nowMs);
      c.rateSinceMs = nowMs;
      c.cpuNanocores = usage.cpuNanocores;
    }
    if (usage.memoryBytes !== undefined) c.memoryBytes = usage.memoryBytes;
  }

  /** Updates node labels (announced as MODIFIED). */
  labelNode(nodeName: string, labels: Record<string, string | null>): void {
    const node = this.node(nodeName);
    if (!node) throw new Error(`no node ${nodeName}`);
    const prev = { ...node.labels };
    for (const [k, v] of Object.entries(labels)) {
      if (v === null) delete node.labels[k];
      else node.labels[k] = v;
    }
    this.emit('node', 'MODIFIED', node, prev);
  }

  // ---- expected values ----

  /** Node CPU rate: system daemons plus every container of its pods. */
  nodeCpuNanocores(nodeName: string): number {
    const node = this.node(nodeName);
    if (!node) throw new Error(`no node ${nodeName}`);
    let cpu = node.systemCpuNanocores;
    for (const p of this.podsOn(nodeName)) for (const c of p.containers) cpu += c.cpuNanocores;
    return cpu;
  }

  nodeMemoryBytes(nodeName: string): number {
    const node = this.node(nodeName);
    if (!node) throw new Error(`no node ${nodeName}`);
    let mem = node.systemMemoryBytes;
    for (const p of this.podsOn(nodeName)) for (const c of p.containers) mem += c.memoryBytes;
    return mem;
  }

  /** Node cumulative CPU: each part's counter summed, so the node rate is the sum of rates. */
  nodeCumulativeCpuNs(node: SimNode, tMs: number): number {
    let cum = node.retiredCpuNs + cumulativeCpuNs(node.systemCpuNanocores, node.startTimeMs, tMs);
    for (const p of this.podsOn(node.name)) {
      for (const c of p.containers) cum += containerCpuNs(c, tMs);
    }
    return cum;
  }
}
