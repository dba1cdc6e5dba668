// Test builders in the vocabulary of upstream's storage tests.
import { setCpuNanos } from '../../src/scrape/decode-nanos.js';
import type { ContainerPoint, MetricsBatch, MetricsPoint, NodeScrape, PodPoints } from '../../src/scrape/types.js';

export const SECOND = 1000; // ms
export const CORE_SECOND = 1e9; // ns of CPU
export const MIB = 1024 * 1024;
export const START = Date.UTC(2026, 0, 2, 3, 4, 5); // fixed "time.Now()"

/** newMetricsPoint(startTime, timestamp, cumulative CPU ns, memory). */
export function point(startTimeMs: number, timestampMs: number, cpuNs: number, memoryBytes: number): MetricsPoint {
  const p: MetricsPoint = { startTimeMs, startSubMsNs: 0, timestampMs, cpuSec: 0, cpuNsec: 0, memoryBytes };
  setCpuNanos(p, cpuNs);
  return p;
}

export function container(name: string, p: MetricsPoint): ContainerPoint {
  return { name, ...p };
}

export function pod(namespace: string, name: string, ...containers: ContainerPoint[]): PodPoints {
  return { namespace, name, containers };
}

/** A batch where each given node answered with its node point and no pods. */
export function nodeBatch(...nodes: [string, MetricsPoint | undefined][]): MetricsBatch {
  return { nodes: new Map(nodes.map(([name, node]): [string, NodeScrape] => [name, node ? { node, pods: [] } : { pods: [] }])) };
}

/** A batch where node1 answered with these pods (and no node point). */
export function podBatch(...pods: PodPoints[]): MetricsBatch {
  return { nodes: new Map([['node1', { pods }]]) };
}

export function batch(nodes: Record<string, NodeScrape>): MetricsBatch {
  return { nodes: new Map(Object.entries(nodes)) };
}

export const noNodes: MetricsBatch = { nodes: new Map() };
