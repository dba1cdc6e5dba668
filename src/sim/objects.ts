// Renders the model's nodes and pods as the Kubernetes objects kube-apiserver
// serves (core/v1 JSON), plus their PartialObjectMetadata and Table forms.

import { rfc3339 } from './render-summary.js';
import type { SimNode, SimPod } from './model.js';

export const KUBE_VERSION = { major: '1', minor: '32', gitVersion: 'v1.32.4-sim' };

export type Json = Record<string, unknown>;

/** Quantity text for whole units or millicores. */
function cpuQuantity(millis: number): string {
  return millis % 1000 === 0 ? String(millis / 1000) : `${millis}m`;
}

function memoryQuantity(bytes: number): string {
  if (bytes % 1024 ** 3 === 0) return `${bytes / 1024 ** 3}Gi`;
  if (bytes % 1024 ** 2 === 0) return `${bytes / 1024 ** 2}Mi`;
  if (bytes % 1024 === 0) return `${bytes / 1024}Ki`;
  return String(bytes);
}

function nodeUid(n: SimNode): string {
  return `10000000-0000-4000-8000-${n.index.toString(16).padStart(12, '0')}`;
}

export function nodeFields(n: SimNode): Record<string, string> {
  return { 'metadata.name': n.name, 'spec.unschedulable': 'false' };
}

export function podFields(p: SimPod): Record<string, string> {
  return {
    'metadata.name': p.name,
    'metadata.namespace': p.namespace,
    'spec.nodeName': p.nodeName,
    'status.phase': p.phase,
    'spec.restartPolicy': 'Always',
  };
}

export const NODE_FIELDS = ['metadata.name', 'spec.unschedulable'] as const;
export const POD_FIELDS = ['metadata.name', 'metadata.namespace', 'spec.nodeName', 'status.phase', 'spec.restartPolicy'] as const;

export function renderNode(n: SimNode, rv: number, nowMs: number): Json {
  const resources = {
    cpu: cpuQuantity(n.allocatableCpuMillis),
    'ephemeral-storage': '100Gi',
    memory: memoryQuantity(n.allocatableMemoryBytes),
    pods: '110',
  };
  const heartbeat = rfc3339(nowMs);
  return {
    kind: 'Node',
    apiVersion: 'v1',
    metadata: { name: n.name, uid: nodeUid(n), resourceVersion: String(rv), creationTimestamp: rfc3339(n.createdMs), labels: { ...n.labels }, annotations: { 'node.alpha.kubernetes.io/ttl': '0' } },
    spec: { podCIDR: `10.244.${n.index % 256}.0/24`, podCIDRs: [`10.244.${n.index % 256}.0/24`] },
    status: {
      capacity: resources,
      allocatable: resources,
      conditions: [
        { type: 'MemoryPressure', status: 'False', lastHeartbeatTime: heartbeat, lastTransitionTime: rfc3339(n.createdMs), reason: 'KubeletHasSufficientMemory', message: 'kubelet has sufficient memory available' },
        { type: 'Ready', status: 'True', lastHeartbeatTime: heartbeat, lastTransitionTime: rfc3339(n.createdMs), reason: 'KubeletReady', message: 'kubelet is posting ready status' },
      ],
      addresses: [
        { type: 'InternalIP', address: '127.0.0.1' },
        { type: 'Hostname', address: n.name },
      ],
      daemonEndpoints: { kubeletEndpoint: { Port: n.kubeletPort } },
      nodeInfo: {
        machineID: nodeUid(n).replace(/-/g, ''),
        systemUUID: nodeUid(n),
        bootID: nodeUid(n),
        kernelVersion: '6.8.0-sim',
        osImage: 'Simulated Linux',
        containerRuntimeVersion: 'containerd://2.0.0',
        kubeletVersion: KUBE_VERSION.gitVersion,
        kubeProxyVersion: KUBE_VERSION.gitVersion,
        operatingSystem: 'linux',
        architecture: 'amd64',
      },
    },
  };
}

export function renderPod(p: SimPod, rv: number, podIndex: number): Json {
  const started = rfc3339(p.createdMs);
  return {
    kind: 'Pod',
    apiVersion: 'v1',
    metadata: { name: p.name, namespace: p.namespace, uid: p.uid, resourceVersion: String(rv), creationTimestamp: started, labels: { ...p.labels } },
    spec: {
      containers: p.containers.map((c) => ({
        name: c.name,
        image: 'registry.k8s.io/pause:3.10',
        resources: { requests: { cpu: '10m', memory: '16Mi' } },
      })),
      restartPolicy: 'Always',
      nodeName: p.nodeName,
      schedulerName: 'default-scheduler',
    },
    status: {
      phase: p.phase,
      conditions: [{ type: 'Ready', status: 'True', lastProbeTime: null, lastTransitionTime: started }],
      hostIP: '127.0.0.1',
      podIP: `10.${244 + ((podIndex >> 16) & 7)}.${(podIndex >> 8) & 255}.${podIndex & 255}`,
      startTime: started,
      containerStatuses: p.containers.map((c) => ({
        name: c.name,
        state: { running: { startedAt: rfc3339(c.startTimeMs) } },
        ready: true,
        restartCount: c.restartCount,
        image: 'registry.k8s.io/pause:3.10',
        imageID: 'registry.k8s.io/pause@sha256:ee6521f290b2168b6e0935a181d4cff9be1ac3f505666ef0e3c98fae8199917a',
        containerID: `containerd://${p.uid.replace(/-/g, '')}${c.name}`,
        started: true,
      })),
    },
  };
}

/** The PartialObjectMetadata form of any rendered object. */
export function toPartial(obj: Json): Json {
  return { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: obj.metadata };
}

function age(createdMs: number, nowMs: number): string {
  const s = Math.max(0, Math.floor((nowMs - createdMs) / 1000));
  if (s < 120) return `${s}s`;
  if (s < 7200) return `${Math.floor(s / 60)}m`;
  if (s < 172800) return `${Math.floor(s / 3600)}h`;
  return `${Math.floor(s / 86400)}d`;
}

const META_COLUMN = { name: 'Name', type: 'string', format: 'name', description: 'Name must be unique within a namespace.', priority: 0 };

export const NODE_COLUMNS = [
  META_COLUMN,
  { name: 'Status', type: 'string', format: '', description: 'The status of the node', priority: 0 },
  { name: 'Roles', type: 'string', format: '', description: 'The roles of the node', priority: 0 },
  { name: 'Age', type: 'string', format: '', description: 'CreationTimestamp', priority: 0 },
  { name: 'Version', type: 'string', format: '', description: 'Kubelet Version reported by the node.', priority: 0 },
  { name: 'Internal-IP', type: 'string', format: '', description: 'InternalIP address', priority: 1 },
];

export const POD_COLUMNS = [
  META_COLUMN,
  { name: 'Ready', type: 'string', format: '', description: 'The aggregate readiness state of this pod for accepting traffic.', priority: 0 },
  { name: 'Status', type: 'string', format: '', description: 'The aggregate status of the containers in this pod.', priority: 0 },
  { name: 'Restarts', type: 'string', format: '', description: 'The number of times the containers in this pod have been restarted.', priority: 0 },
  { name: 'Age', type: 'string', format: '', description: 'CreationTimestamp', priority: 0 },
  { name: 'Node', type: 'string', format: '', description: 'Node the pod runs on.', priority: 1 },
];

export function nodeCells(n: SimNode, nowMs: number): unknown[] {
  const roles = Object.keys(n.labels)
    .filter((k) => k.startsWith('node-role.kubernetes.io/'))
    .map((k) => k.slice('node-role.kubernetes.io/'.length));
  return [n.name, 'Ready', roles.length ? roles.join(',') : '<none>', age(n.createdMs, nowMs), KUBE_VERSION.gitVersion, '127.0.0.1'];
}

export function podCells(p: SimPod, nowMs: number): unknown[] {
  const restarts = p.containers.reduce((a, c) => a + c.restartCount, 0);
  return [p.name, `${p.containers.length}/${p.containers.length}`, p.phase, String(restarts), age(p.createdMs, nowMs), p.nodeName];
}
