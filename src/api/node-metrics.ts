// The nodes resource, as metrics-server's pkg/api/node.go serves it: nodes come
// from the informer cache (label selector ANDed with --node-selector, then the field
// selector over metadata.name only), usage from the store; nodes without a complete
// rate are silently left out of lists. Items are sorted by name.

import type { ApiObserver } from '../observers.js';
import { TimestampTally } from './list-cache.js';
import type { ListOptions } from './list-options.js';
import { asNodeMetricsObject, nodeMetrics, nodeMetricsList } from './objects.js';
import { andSelectors, type LabelSelector } from './selectors/index.js';
import type { MetricsReader, NodeLister, NodeMeta } from './sources.js';
import { notFound } from './status.js';
import { GROUP, type NodeMetrics, type NodeMetricsList } from './types.js';

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

  list(opts: ListOptions, tally?: TimestampTally): NodeMetricsList {
    const selector = this.deps.nodeSelector ? andSelectors(opts.labelSelector, this.deps.nodeSelector) : opts.labelSelector;
    let nodes = this.deps.nodes.list();
    if (!selector.empty) nodes = nodes.filter((n) => selector.matches(n.labels));
    // The field set of a node holds metadata.name only, so metadata.namespace=x matches nothing.
    if (!opts.fieldSelector.empty) nodes = nodes.filter((n) => opts.fieldSelector.matches({ 'metadata.name': n.name }));
    return nodeMetricsList(this.metricsOf(nodes, tally));
  }

  /** tally records the sample timestamp, for callers that cache the response. */
  get(name: string, tally?: TimestampTally): NodeMetrics {
    const node = this.deps.nodes.get(name);
    // Not in the cache: the client-go lister's NotFound, singular "node".
    if (!node) throw notFound('node', name);
    if (this.deps.nodeSelector && !this.deps.nodeSelector.matches(node.labels)) throw notFound('nodemetrics', name, GROUP);
    const [item] = this.metricsOf([node], tally);
    if (!item) throw notFound('nodemetrics', name, GROUP);
    return asNodeMetricsObject(item);
  }

  private metricsOf(nodes: readonly NodeMeta[], tally?: TimestampTally): NodeMetrics[] {
    if (nodes.length === 0) return [];
    const nowMs = this.deps.now();
    const usages = this.deps.metrics.getNodeUsage(nodes.map((n) => n.name));
    const items: NodeMetrics[] = [];
    // Freshness: one observer call per distinct sample time, not per item.
    const ages = tally ?? new TimestampTally();
    nodes.forEach((node, i) => {
      const u = usages[i];
      if (!u) return;
      ages.add(u.timestampMs);
      items.push(nodeMetrics(node, u, nowMs));
    });
    ages.replay(this.deps.observer, nowMs);
    items.sort((a, b) => compare(a.metadata.name, b.metadata.name));
    return items;
  }
}

/** Go's string order (bytewise); names are ASCII so code-unit order agrees. */
export function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
