// Builds NodeMetrics/PodMetrics and their lists from cache metadata and stored
// usage, as metrics-server's storage does: creationTimestamp is the response time,
// timestamp has second precision, window keeps its milliseconds.

import { formatGoDuration } from '../util/go-duration.js';
import { cpuQuantity, memoryQuantity } from './quantity.js';
import type { NodeMeta, NodeUsage, PodMeta, PodUsage, ResourceUsage } from './sources.js';
import { GROUP_VERSION, type NodeMetrics, type NodeMetricsList, type ObjectMeta, type PodMetrics, type PodMetricsList, type Usage } from './types.js';

function rfc3339Seconds(seconds: number): string {
  return new Date(seconds * 1000).toISOString().replace('.000Z', 'Z');
}

/**
 * One-entry caches: a list shares one creationTimestamp, and the samples of one
 * tick mostly share a second. Separate caches so the two do not evict each other.
 */
class TimeText {
  private second = Number.NaN;
  private text = '';
  format(ms: number): string {
    const seconds = Math.floor(ms / 1000);
    if (seconds !== this.second) {
      this.text = rfc3339Seconds(seconds);
      this.second = seconds;
    }
    return this.text;
  }
}

const creationTime = new TimeText();
const sampleTime = new TimeText();

/** metav1.Time on the wire: RFC 3339 UTC, sub-second part truncated. */
export function formatTime(ms: number): string {
  return rfc3339Seconds(Math.floor(ms / 1000));
}

/**
 * Labels in Go's sorted key order; undefined when empty (omitempty). Label sets
 * from the caches usually arrive sorted (the apiserver writes maps sorted), and
 * are then shared rather than copied: the result is only ever serialized.
 */
export function sortedLabels(labels: Readonly<Record<string, string>>): Readonly<Record<string, string>> | undefined {
  const keys = Object.keys(labels);
  if (keys.length === 0) return undefined;
  if (inOrder(keys)) return labels;
  keys.sort();
  const out: Record<string, string> = {};
  for (const k of keys) out[k] = labels[k]!;
  // A JavaScript object lists keys that are array indices ("2", "10") first, in
  // numeric order; Go sorts every key as a string ("10" < "2" < "app"). Where
  // that differs, serializers (JSON.stringify, for…in, Object.keys) are given
  // Go's order through the proxy's key list.
  return inOrder(Object.keys(out)) ? out : new Proxy(out, { ownKeys: () => keys });
}

function inOrder(keys: readonly string[]): boolean {
  for (let i = 1; i < keys.length; i++) if (keys[i - 1]! > keys[i]!) return false;
  return true;
}

function objectMeta(name: string, namespace: string | undefined, labels: Readonly<Record<string, string>>, nowMs: number): ObjectMeta {
  // Built in Go's field order: name, namespace, creationTimestamp, labels.
  const meta: ObjectMeta =
    namespace === undefined ? { name, creationTimestamp: creationTime.format(nowMs) } : { name, namespace, creationTimestamp: creationTime.format(nowMs) };
  const sorted = sortedLabels(labels);
  if (sorted) meta.labels = sorted as Record<string, string>;
  return meta;
}

function usage(u: ResourceUsage): Usage {
  return { cpu: cpuQuantity(u.cpuNanocores), memory: memoryQuantity(u.memoryBytes) };
}

/** A NodeMetrics item (no kind/apiVersion; see asNodeMetricsObject for a top-level one). */
export function nodeMetrics(node: NodeMeta, u: NodeUsage, nowMs: number): NodeMetrics {
  return {
    metadata: objectMeta(node.name, undefined, node.labels, nowMs),
    timestamp: sampleTime.format(u.timestampMs),
    window: formatGoDuration(u.windowNs),
    usage: usage(u.usage),
  };
}

/** A PodMetrics item; containers keep the store's order (upstream's is random). */
export function podMetrics(pod: PodMeta, u: PodUsage, nowMs: number): PodMetrics {
  return {
    metadata: objectMeta(pod.name, pod.namespace, pod.labels, nowMs),
    timestamp: sampleTime.format(u.timestampMs),
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
