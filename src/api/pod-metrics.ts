// The pods resource, as metrics-server's pkg/api/pod.go serves it: pods come from
// the metadata-only cache of Running pods (label selector, then the field selector
// over metadata.name and metadata.namespace), usage from the store; a pod with any
// container lacking a complete rate is left out. Items sorted by namespace, name.

import type { ApiObserver } from '../observers.js';
import { compare } from '../util/go-order.js';
import { TimestampTally } from './list-cache.js';
import type { ListOptions } from './list-options.js';
import { sortedRows } from './node-metrics.js';
import type { PodRow, PodRows } from './metrics-rows.js';
import { asPodMetricsObject, podMetrics } from './objects.js';
import type { MetricsReader, PodLister, PodMeta } from './sources.js';
import { notFound } from './status.js';
import { GROUP, type PodMetrics } from './types.js';

export interface PodMetricsStorageDeps {
  metrics: MetricsReader;
  pods: PodLister;
  now: () => number;
  observer: ApiObserver;
}

export class PodMetricsStorage {
  constructor(private readonly deps: PodMetricsStorageDeps) {}

  /** A list's items before encoding (listObject() builds the wire objects); namespace undefined lists every namespace (GET /pods). */
  rows(namespace: string | undefined, opts: ListOptions, tally?: TimestampTally): PodRows {
    let pods = this.deps.pods.list(namespace);
    if (!opts.labelSelector.empty) pods = pods.filter((p) => opts.labelSelector.matches(p.labels));
    if (!opts.fieldSelector.empty) {
      pods = pods.filter((p) => opts.fieldSelector.matches({ 'metadata.name': p.name, 'metadata.namespace': p.namespace }));
    }
    const nowMs = this.deps.now();
    return { kind: 'PodMetricsList', nowMs, rows: this.rowsOf(pods, nowMs, tally) };
  }

  /** tally records the sample timestamp, for callers that cache the response. */
  get(namespace: string, name: string, tally?: TimestampTally): PodMetrics {
    const pod = this.deps.pods.get(namespace, name);
    // Not cached (absent or not Running): the metadata lister's NotFound on "pods".
    if (!pod) throw notFound('pods', name);
    const nowMs = this.deps.now();
    const [row] = this.rowsOf([pod], nowMs, tally);
    if (!row) throw notFound('podmetrics', `${namespace}/${name}`, GROUP);
    return asPodMetricsObject(podMetrics(row.pod, row.usage, nowMs));
  }

  private rowsOf(pods: readonly PodMeta[], nowMs: number, tally?: TimestampTally): PodRow[] {
    if (pods.length === 0) return [];
    const usages = this.deps.metrics.getPodUsage(pods); // a PodMeta is a PodKey: no key object per pod
    const rows: PodRow[] = [];
    // Freshness: one observer call per distinct sample time (often shared by the pods of one answer), not per item.
    const ages = tally ?? new TimestampTally();
    pods.forEach((pod, i) => {
      const usage = usages[i];
      if (!usage) return;
      ages.add(usage.timestampMs);
      rows.push({ pod, usage });
    });
    ages.replay(this.deps.observer, nowMs);
    return sortedRows(rows, (a, b) => compare(a.pod.namespace, b.pod.namespace) || compare(a.pod.name, b.pod.name));
  }
}
