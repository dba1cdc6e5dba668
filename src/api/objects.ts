// Builds NodeMetrics/PodMetrics and their lists from cache metadata and stored
// usage, as metrics-server's storage does: creationTimestamp is the response time,
// timestamp has second precision, window keeps its milliseconds.

import { formatGoDuration } from '../util/go-duration.js';
import { cpuQuantity, memoryQuantity } from './quantity.js';
import type { NodeMeta, NodeUsage, PodMeta, PodUsage, ResourceUsage } from './sources.js';
import { GROUP_VERSION, type NodeMetrics, type NodeMetricsList, type ObjectMeta, type PodMetrics, type PodMetricsList, type Usage } from './types.js';

// One-entry cache: a list shares one creationTimestamp, and samples of one tick
// mostly share a second.
let cachedSecond = Number.NaN;
let cachedText = '';

/** metav1.Time on the wire: RFC 3339 UTC, sub-second part truncated. */
export function formatTime(ms: number): string {
  const seconds = Math.floor(ms / 1000);
  if (seconds !== cachedSecond) {
    cachedText = new Date(seconds * 1000).toISOString().replace('.000Z', 'Z');
    cachedSecond = seconds;
  }
  return cachedText;
}

/** Labels copied with keys in Go's sorted order; undefined when empty (omitempty). */
function copyLabels(labels: Readonly<Record<string, string>>): Record<string, string> | undefined {
  const keys = Object.keys(labels);
  if (keys.length === 0) return undefined;
  keys.sort();
  const out: Record<string, string> = {};
  for (const k of keys) out[k] = labels[k]!;
  return out;
}

function objectMeta(name: string, namespace: string | undefined, labels: Readonly<Record<string, string>>, nowMs: number): ObjectMeta {
  // Built in Go's field order: name, namespace, creationTimestamp, labels.
  const meta: ObjectMeta =
    namespace === undefined ? { name, creationTimestamp: formatTime(nowMs) } : { name, namespace, creationTimestamp: formatTime(nowMs) };
  const copied = copyLabels(labels);
  if (copied) meta.labels = copied;
  return meta;
}

function usage(u: ResourceUsage): Usage {
  return { cpu: cpuQuantity(u.cpuNanocores), memory: memoryQuantity(u.memoryBytes) };
}

/** A NodeMetrics item (no kind/apiVersion; see asNodeMetricsObject for a top-level one). */
export function nodeMetrics(node: NodeMeta, u: NodeUsage, nowMs: number): NodeMetrics {
  return {
    metadata: objectMeta(node.name, undefined, node.labels, nowMs),
    timestamp: formatTime(u.timestampMs),
    window: formatGoDuration(u.windowNs),
    usage: usage(u.usage),
  };
}

/** A PodMetrics item; containers keep the store's order (upstream's is random). */
export function podMetrics(pod: PodMeta, u: PodUsage, nowMs: number): PodMetrics {
  return {
    metadata: objectMeta(pod.name, pod.namespace, pod.labels, nowMs),
    timestamp: formatTime(u.timestampMs),
    window: formatGoDuration(u.windowNs),
    containers: u.containers.map((c) => ({ name: c.name, usage: usage(c.usage) })),
  };
}

/** The top-level form of an item: kind and apiVersion first, as Go writes TypeMeta. */
export function asNodeMetricsObject(item: NodeMetrics): NodeMetrics {
  return { kind: 'NodeMetrics', apiVersion: GROUP_VERSION, ...item };
}

export function asPodMetricsObject(item: PodMetrics): PodMetrics {
  return { kind: 'PodMetrics', apiVersion: GROUP_VERSION, ...item };
}

export function nodeMetricsList(items: NodeMetrics[]): NodeMetricsList {
  return { kind: 'NodeMetricsList', apiVersion: GROUP_VERSION, metadata: {}, items };
}

export function podMetricsList(items: PodMetrics[]): PodMetricsList {
  return { kind: 'PodMetricsList', apiVersion: GROUP_VERSION, metadata: {}, items };
}
