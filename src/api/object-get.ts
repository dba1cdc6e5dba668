// A single NodeMetrics or PodMetrics by path, for the resource GET fast path:
// the storages the Koa routes use, built from the same dependencies.

import type { TimestampTally } from './list-cache.js';
import { noopApiObserver } from '../observers.js';
import { NodeMetricsStorage } from './node-metrics.js';
import type { ObjectPath } from './object-path.js';
import { PodMetricsStorage } from './pod-metrics.js';
import type { MetricsApiDeps } from './routes.js';
import type { NodeMetrics, PodMetrics } from './types.js';

/** Throws the storages' NotFound StatusErrors; tally records the sample timestamp. */
export type ObjectGetter = (path: ObjectPath, tally?: TimestampTally) => NodeMetrics | PodMetrics;

export function objectGetter(deps: MetricsApiDeps): ObjectGetter {
  const now = deps.now ?? Date.now;
  const observer = deps.observer ?? noopApiObserver;
  const nodes = new NodeMetricsStorage({ metrics: deps.metrics, nodes: deps.nodes, nodeSelector: deps.nodeSelector, now, observer });
  const pods = new PodMetricsStorage({ metrics: deps.metrics, pods: deps.pods, now, observer });
  return (p, tally) => (p.resource === 'nodes' ? nodes.get(p.name, tally) : pods.get(p.namespace!, p.name, tally));
}
