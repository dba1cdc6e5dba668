// What a kubelet scrape yields: cumulative points, not rates. The store turns
// two points into a rate. Times are milliseconds since the Unix epoch (kubelet
// summary times have second precision, /metrics/resource milliseconds).
//
// Cumulative CPU is kept exactly as two integers, whole core-seconds and the
// remaining nanoseconds, because a node's uint64 nanosecond counter passes 2^53
// (the limit of exact doubles) after a few months of uptime.

export interface MetricsPoint {
  /** Sample time, ms since epoch. */
  timestampMs: number;
  /** Start time of the node or container, ms since epoch, floored (0 when unknown). */
  startTimeMs: number;
  /** Nanoseconds of the start time past startTimeMs, 0..999_999: /metrics/resource gives start times as float seconds, finer than a millisecond. */
  startSubMsNs: number;
  /** Cumulative CPU: whole seconds part of the nanosecond counter. */
  cpuSec: number;
  /** Cumulative CPU: nanoseconds remainder, 0..999_999_999. */
  cpuNsec: number;
  /** Working set, bytes. */
  memoryBytes: number;
}

export interface ContainerPoint extends MetricsPoint {
  name: string;
}

/** Pod and container objects may be reused once released (scrape-recycler.ts). */
export interface PodPoints {
  namespace: string;
  name: string;
  containers: ContainerPoint[];
}

/** The result of decoding one kubelet response. */
export interface NodeScrape {
  /** Undefined when the node point was incomplete (no CPU or memory) and dropped. */
  node?: MetricsPoint | undefined;
  pods: PodPoints[];
}

/** One tick's worth of points from every node that answered. */
export interface MetricsBatch {
  nodes: Map<string, NodeScrape>;
}
