// The part of a Node the metrics server keeps: what the API serves (name,
// labels) and what the scraper needs to reach the kubelet. Everything else in
// the Node object is dropped on arrival to keep memory flat.

import type { NodeMeta } from '../api/sources.js';
import type { Decoded } from './reflector.js';

/** Annotation that overrides the kubelet path for the resource source (upstream name). */
export const RESOURCE_METRICS_PATH_ANNOTATION = 'metrics.k8s.io/resource-metrics-path';

export interface NodeAddress {
  type: string;
  address: string;
}

export interface NodeInfo extends NodeMeta {
  addresses: readonly NodeAddress[];
  /** status.daemonEndpoints.kubeletEndpoint.Port; 0 when unset. */
  kubeletPort: number;
  /** Value of the metrics.k8s.io/resource-metrics-path annotation, when set and non-empty. */
  resourceMetricsPath?: string;
  /** The Ready condition is True. */
  ready: boolean;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** String-valued entries of a labels/annotations map; other values are dropped. */
export function stringMap(v: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (!isRecord(v)) return out;
  for (const [k, val] of Object.entries(v)) if (typeof val === 'string') out[k] = val;
  return out;
}

/** Node JSON → NodeInfo keyed by name; undefined when it has no name. */
export function decodeNode(obj: unknown): Decoded<NodeInfo> | undefined {
  if (!isRecord(obj) || !isRecord(obj.metadata)) return undefined;
  const name = obj.metadata.name;
  if (typeof name !== 'string' || name === '') return undefined;
  const status = isRecord(obj.status) ? obj.status : {};
  const addresses: NodeAddress[] = [];
  if (Array.isArray(status.addresses)) {
    for (const a of status.addresses) {
      if (isRecord(a) && typeof a.type === 'string' && typeof a.address === 'string') addresses.push({ type: a.type, address: a.address });
    }
  }
  const endpoint = isRecord(status.daemonEndpoints) && isRecord(status.daemonEndpoints.kubeletEndpoint) ? status.daemonEndpoints.kubeletEndpoint : {};
  // The wire name is "Port" (capital P): DaemonEndpoint's JSON tag.
  const port = endpoint.Port;
  const kubeletPort = typeof port === 'number' && Number.isInteger(port) && port > 0 && port < 65536 ? port : 0;
  const annotations = stringMap(obj.metadata.annotations);
  const path = annotations[RESOURCE_METRICS_PATH_ANNOTATION];
  let ready = false;
  if (Array.isArray(status.conditions)) {
    for (const c of status.conditions) if (isRecord(c) && c.type === 'Ready') ready = c.status === 'True';
  }
  const item: NodeInfo = { name, labels: stringMap(obj.metadata.labels), addresses, kubeletPort, ready };
  if (path) item.resourceMetricsPath = path;
  return { key: name, item };
}

export function sameMap(a: Readonly<Record<string, string>>, b: Readonly<Record<string, string>>): boolean {
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  for (const k of ka) if (a[k] !== b[k]) return false;
  return true;
}

/** Whether two NodeInfo values differ in anything kept. */
export function sameNode(a: NodeInfo, b: NodeInfo): boolean {
  return (
    a.name === b.name &&
    a.kubeletPort === b.kubeletPort &&
    a.ready === b.ready &&
    a.resourceMetricsPath === b.resourceMetricsPath &&
    a.addresses.length === b.addresses.length &&
    a.addresses.every((x, i) => x.type === b.addresses[i]!.type && x.address === b.addresses[i]!.address) &&
    sameMap(a.labels, b.labels)
  );
}
