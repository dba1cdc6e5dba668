// The pods resource, as metrics-server's pkg/api/pod.go serves it: pods come from
// the metadata-only cache of Running pods (label selector, then the field selector
// over metadata.name and metadata.namespace), usage from the store; a pod with any
// container lacking a complete rate is left out. Items sorted by namespace, name.

import type { ApiObserver } from '../observers.js';
import { TimestampTally } from './list-cache.js';
import type { ListOptions } from './list-options.js';
import { compare } from './node-metrics.js';
import { asPodMetricsObject, podMetrics, podMetricsList } from './objects.js';
import type { MetricsReader, PodLister, PodMeta } from './sources.js';
import { notFound } from './status.js';
import { GROUP, type PodMetrics, type PodMetricsList } from './types.js';

export interface PodMetricsStorageDeps {
  metrics: MetricsReader;
  pods: PodLister;
  now: () => number;
  observer: ApiObserver;
}

export class PodMetricsStorage {
  constructor(private readonly deps: PodMetricsStorageDeps) {}

  /** namespace undefined lists every namespace (GET /pods). */
  list(namespace: string | undefined, opts: ListOptions, tally?: TimestampTally): PodMetricsList {
    let pods = this.deps.pods.list(namespace);
    if (!opts.labelSelector.empty) pods = pods.filter((p) => opts.labelSelector.matches(p.labels));
    if (!opts.fieldSelector.empty) {
      pods = pods.filter((p) => opts.fieldSelector.matches({ 'metadata.name': p.name, 'metadata.namespace': p.namespace }));
    }
    return podMetricsList(this.metricsOf(pods, tally));
  }

  /** tally records the sample timestamp, for callers that cache the response. */
  get(namespace: string, name: string, tally?: TimestampTally): PodMetrics {
    const pod = this.deps.pods.get(namespace, name);
    // Not cached (absent or not Running): the metadata lister's NotFound on "pods".
    if (!pod) throw notFound('pods', name);
    const [item] = this.metricsOf([pod], tally);
    if (!item) throw notFound('podmetrics', `${namespace}/${name}`, GROUP);
    return asPodMetricsObject(item);
  }

  private metricsOf(pods: readonly PodMeta[], tally?: TimestampTally): PodMetrics[] {
    if (pods.length === 0) return [];
    const nowMs = this.deps.now();
    const usages = this.deps.metrics.getPodUsage(pods.map((p) => ({ namespace: p.namespace, name: p.name })));
    const items: PodMetrics[] = [];
    // Freshness: one observer call per distinct sample time (often shared by the pods of one answer), not per item.
    const ages = tally ?? new TimestampTally();
    pods.forEach((pod, i) => {
      const u = usages[i];
      if (!u) return;
      ages.add(u.timestampMs);
      items.push(podMetrics(pod, u, nowMs));
    });
    ages.replay(this.deps.observer, nowMs);
    items.sort((a, b) => compare(a.metadata.namespace!, b.metadata.namespace!) || compare(a.metadata.name, b.metadata.name));
    return items;
  }
}
