// What a list response is made of before it is encoded: each item's cache
// metadata and stored usage, sorted, and the response time. Plain JSON and
// protobuf lists are written from rows directly (list-writer/); every other
// encoding builds the wire objects from them first.

import { nodeMetrics, nodeMetricsList, podMetrics, podMetricsList } from './objects.js';
import type { NodeMeta, NodeUsage, PodMeta, PodUsage } from './sources.js';
import type { NodeMetricsList, PodMetricsList } from './types.js';

export interface NodeRow {
  node: NodeMeta;
  usage: NodeUsage;
}

export interface PodRow {
  pod: PodMeta;
  usage: PodUsage;
}

export interface NodeRows {
  kind: 'NodeMetricsList';
  /** Response time: every item's creationTimestamp. */
  nowMs: number;
  rows: NodeRow[];
}

export interface PodRows {
  kind: 'PodMetricsList';
  nowMs: number;
  rows: PodRow[];
}

export type MetricsRows = NodeRows | PodRows;

/** The wire object of a list, for encodings the row writers do not cover. */
export function listObject(r: NodeRows): NodeMetricsList;
export function listObject(r: PodRows): PodMetricsList;
export function listObject(r: MetricsRows): NodeMetricsList | PodMetricsList;
export function listObject(r: MetricsRows): NodeMetricsList | PodMetricsList {
  if (r.kind === 'NodeMetricsList') return nodeMetricsList(r.rows.map((x) => nodeMetrics(x.node, x.usage, r.nowMs)));
  return podMetricsList(r.rows.map((x) => podMetrics(x.pod, x.usage, r.nowMs)));
}
