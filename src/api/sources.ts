// The small interfaces the API reads through. The store and the informer caches
// implement them; tests use in-memory fakes.

import type { TimeSlicer } from '../util/time-slice.js';

/** Usage of one node or container: CPU in nanocores, memory working set in bytes. */
export interface ResourceUsage {
  cpuNanocores: number;
  memoryBytes: number;
}

/** What the store serves for a node: usage over [timestamp - window, timestamp]. */
export interface NodeUsage {
  /** Time of the latest sample, milliseconds since the Unix epoch. */
  timestampMs: number;
  /** Time between the two samples the rate came from, in nanoseconds. */
  windowNs: number;
  usage: ResourceUsage;
}

export interface ContainerUsage {
  name: string;
  usage: ResourceUsage;
}

/** What the store serves for a pod: timestamp/window from its earliest container. */
export interface PodUsage {
  timestampMs: number;
  windowNs: number;
  containers: ContainerUsage[];
}

export interface MetricsReader {
  /** Usage of each named node, undefined where the store has no complete rate yet. */
  getNodeUsage(names: readonly string[]): (NodeUsage | undefined)[];
  /** Usage of each pod, undefined where any container lacks a complete rate. */
  getPodUsage(pods: readonly PodKey[]): (PodUsage | undefined)[];
  /** Changes whenever stored points change; lets encoders cache per tick. */
  readonly revision: number;
}

export interface PodKey {
  namespace: string;
  name: string;
}

/** The node fields the API needs. */
export interface NodeMeta {
  name: string;
  labels: Readonly<Record<string, string>>;
}

/** The pod fields the API needs (pods are cached metadata-only, Running only). */
export interface PodMeta {
  namespace: string;
  name: string;
  labels: Readonly<Record<string, string>>;
}

export interface NodeLister {
  list(): readonly NodeMeta[];
  get(name: string): NodeMeta | undefined;
  /** Changes whenever the cache changes. */
  readonly revision: number;
}

export interface PodLister {
  /** All cached pods, or those of one namespace (the pod cache returns them sorted by namespace and name). */
  list(namespace?: string): readonly PodMeta[];
  /** As list(), doing any long sort a slice at a time (the pod cache, after start or a relist). */
  listSliced?(namespace: string | undefined, slicer: TimeSlicer): Promise<readonly PodMeta[]>;
  get(namespace: string, name: string): PodMeta | undefined;
  readonly revision: number;
}
