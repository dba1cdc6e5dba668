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
import type { TimeSlicer } from '../util/time-slice.js';

/** Pods gathered between two looks at the slicer's clock. */
const PODS_PER_CHECK = 1024;

export interface PodMetricsStorageDeps {
  metrics: MetricsReader;
  pods: PodLister;
  now: () => number;
  observer: ApiObserver;
}

export class PodMetricsStorage {
  constructor(private readonly deps: PodMetricsStorageDeps) {}

  /**
   * A list's items before encoding (listObject() builds the wire objects); namespace
   * undefined lists every namespace (GET /pods). Pods are gathered a slice at a
   * time, yielding when the slicer says so: each row is read whole within a
   * slice, from the cache's list as it was when gathering began (a namespace
   * the cache must sort afresh is sorted a slice at a time before that).
   */
  async rows(namespace: string | undefined, opts: ListOptions, tally?: TimestampTally, slicer?: TimeSlicer): Promise<PodRows> {
    const all = slicer && this.deps.pods.listSliced ? await this.deps.pods.listSliced(namespace, slicer) : this.deps.pods.list(namespace);
    const nowMs = this.deps.now();
    const rows: PodRow[] = [];
    const ages = tally ?? new TimestampTally();
    let inOrder = true;
    for (let i = 0; i < all.length; i += PODS_PER_CHECK) {
      let pods = all.length <= PODS_PER_CHECK ? all : all.slice(i, i + PODS_PER_CHECK);
      if (!opts.labelSelector.empty) pods = pods.filter((p) => opts.labelSelector.matches(p.labels));
      if (!opts.fieldSelector.empty) {
        pods = pods.filter((p) => opts.fieldSelector.matches({ 'metadata.name': p.name, 'metadata.namespace': p.namespace }));
      }
      const from = rows.length;
      this.collect(pods, rows, ages);
      // The cache lists pods in this order, so this checks it a slice at a time; sorting is the exception.
      for (let r = Math.max(1, from); inOrder && r < rows.length; r++) inOrder = byNamespaceAndName(rows[r - 1]!, rows[r]!) <= 0;
      if (slicer?.due) await slicer.next();
    }
    ages.replay(this.deps.observer, nowMs);
    return { kind: 'PodMetricsList', nowMs, rows: inOrder ? rows : rows.sort(byNamespaceAndName) };
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
    const rows: PodRow[] = [];
    const ages = tally ?? new TimestampTally();
    this.collect(pods, rows, ages);
    ages.replay(this.deps.observer, nowMs);
    return sortedRows(rows, byNamespaceAndName);
  }

  /** Rows of the pods with usage; freshness is tallied per distinct sample time (often shared by one answer's pods), not per item. */
  private collect(pods: readonly PodMeta[], rows: PodRow[], ages: TimestampTally): void {
    if (pods.length === 0) return;
    const usages = this.deps.metrics.getPodUsage(pods); // a PodMeta is a PodKey: no key object per pod
    for (let i = 0; i < pods.length; i++) {
      const usage = usages[i];
      if (!usage) continue;
      ages.add(usage.timestampMs);
      rows.push({ pod: pods[i]!, usage });
    }
  }
}

const byNamespaceAndName = (a: PodRow, b: PodRow): number => compare(a.pod.namespace, b.pod.namespace) || compare(a.pod.name, b.pod.name);
