// The nodes resource, as metrics-server's pkg/api/node.go serves it: nodes come
// from the informer cache (label selector ANDed with --node-selector, then the field
// selector over metadata.name only), usage from the store; nodes without a complete
// rate are silently left out of lists. Items are sorted by name.

import type { ApiObserver } from '../observers.js';
import { compare } from '../util/go-order.js';
import { TimestampTally } from './list-cache.js';
import type { ListOptions } from './list-options.js';
import type { NodeRow, NodeRows } from './metrics-rows.js';
import { asNodeMetricsObject, nodeMetrics } from './objects.js';
import { andSelectors, type LabelSelector } from './selectors/index.js';
import type { MetricsReader, NodeLister, NodeMeta } from './sources.js';
import { notFound } from './status.js';
import { GROUP, type NodeMetrics } from './types.js';

export interface NodeMetricsStorageDeps {
  metrics: MetricsReader;
  nodes: NodeLister;
  /** From --node-selector: nodes outside it do not exist for this API. */
  nodeSelector?: LabelSelector;
  now: () => number;
  observer: ApiObserver;
}

export class NodeMetricsStorage {
  constructor(private readonly deps: NodeMetricsStorageDeps) {}

  /** A list's items before encoding (listObject() builds the wire objects). */
  rows(opts: ListOptions, tally?: TimestampTally): NodeRows {
    const selector = this.deps.nodeSelector ? andSelectors(opts.labelSelector, this.deps.nodeSelector) : opts.labelSelector;
    let nodes = this.deps.nodes.list();
    if (!selector.empty) nodes = nodes.filter((n) => selector.matches(n.labels));
    // The field set of a node holds metadata.name only, so metadata.namespace=x matches nothing.
    if (!opts.fieldSelector.empty) nodes = nodes.filter((n) => opts.fieldSelector.matches({ 'metadata.name': n.name }));
    const nowMs = this.deps.now();
    return { kind: 'NodeMetricsList', nowMs, rows: this.rowsOf(nodes, nowMs, tally) };
  }

  /** tally records the sample timestamp, for callers that cache the response. */
  get(name: string, tally?: TimestampTally): NodeMetrics {
    const node = this.deps.nodes.get(name);
    // Not in the cache: the client-go lister's NotFound, singular "node".
    if (!node) throw notFound('node', name);
    if (this.deps.nodeSelector && !this.deps.nodeSelector.matches(node.labels)) throw notFound('nodemetrics', name, GROUP);
    const nowMs = this.deps.now();
    const [row] = this.rowsOf([node], nowMs, tally);
    if (!row) throw notFound('nodemetrics', name, GROUP);
    return asNodeMetricsObject(nodeMetrics(row.node, row.usage, nowMs));
  }

  private rowsOf(nodes: readonly NodeMeta[], nowMs: number, tally?: TimestampTally): NodeRow[] {
    if (nodes.length === 0) return [];
    const usages = this.deps.metrics.getNodeUsage(nodes.map((n) => n.name));
    const rows: NodeRow[] = [];
    // Freshness: one observer call per distinct sample time, not per item.
    const ages = tally ?? new TimestampTally();
    nodes.forEach((node, i) => {
      const usage = usages[i];
      if (!usage) return;
      ages.add(usage.timestampMs);
      rows.push({ node, usage });
    });
    ages.replay(this.deps.observer, nowMs);
    return sortedRows(rows, (a, b) => compare(a.node.name, b.node.name));
  }
}

/**
 * rows in order, sorted in place only when they are not already: the caches
 * list in this order, and checking costs one comparison per row where sorting
 * 150k pods cost ~200 ms.
 */
export function sortedRows<T>(rows: T[], order: (a: T, b: T) => number): T[] {
  for (let i = 1; i < rows.length; i++) {
    if (order(rows[i - 1]!, rows[i]!) > 0) return rows.sort(order);
  }
  return rows;
}
