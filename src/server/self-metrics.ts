// metrics-server's own Prometheus series on a prom-client Registry, served at
// GET /metrics. Upstream's families keep their names, labels, help texts
// (component-base prefixes ALPHA metrics' help with "[ALPHA] ") and buckets;
// ours share the metrics_server_ prefix.

import type { Middleware } from 'koa';
import { send } from '../api/codec/index.js';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics, exponentialBuckets } from 'prom-client';
import { WeightedHistogram } from './weighted-histogram.js';
import { KubeletNodeSeries } from './kubelet-node-series.js';
import { TimeSlicer } from '../util/time-slice.js';
import type { ApiObserver, AuthObserver, ScrapeObserver, StoreObserver, WatchObserver } from '../observers.js';

/** Prometheus client_golang DefBuckets. */
export const DEF_BUCKETS: readonly number[] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/**
 * Upstream's BucketsForScrapeDuration: the default buckets plus buckets around
 * the resolution, so a tick running up to (or past) its deadline is visible.
 */
export function bucketsForScrapeDuration(resolutionSec: number): number[] {
  const buckets = [...DEF_BUCKETS];
  const max = buckets[buckets.length - 1]!;
  if (resolutionSec > max) {
    buckets.push(max + (resolutionSec - max) / 2, resolutionSec, resolutionSec * 1.5, resolutionSec * 2);
    return buckets;
  }
  if (resolutionSec === max) return buckets;
  const i = buckets.findIndex((b) => b > resolutionSec);
  // Too close to a neighbouring bucket to be worth its own.
  if (buckets[i]! - resolutionSec < buckets[0]! || (i > 0 && resolutionSec - buckets[i - 1]! < buckets[0]!)) return buckets;
  buckets.splice(i, 0, resolutionSec);
  return buckets;
}

/** Every family, declared once: name, help, labels (and buckets for histograms). */
export const SELF_METRICS = {
  apiMetricFreshness: { name: 'metrics_server_api_metric_freshness_seconds', help: '[ALPHA] Freshness of metrics exported', labels: [] },
  kubeletLastRequestTime: { name: 'metrics_server_kubelet_last_request_time_seconds', help: '[ALPHA] Time of last request performed to Kubelet API since unix epoch in seconds', labels: ['node'] },
  kubeletRequestDuration: { name: 'metrics_server_kubelet_request_duration_seconds', help: '[ALPHA] Duration of requests to Kubelet API in seconds', labels: ['node'] },
  kubeletRequestTotal: { name: 'metrics_server_kubelet_request_total', help: '[ALPHA] Number of requests sent to Kubelet API', labels: ['success'] },
  managerTickDuration: { name: 'metrics_server_manager_tick_duration_seconds', help: '[ALPHA] The total time spent collecting and storing metrics in seconds.', labels: [] },
  storagePoints: { name: 'metrics_server_storage_points', help: '[ALPHA] Number of metrics points stored.', labels: ['type'] },
  // Ours.
  kubeletScrapeFailures: { name: 'metrics_server_kubelet_scrape_failures_total', help: '[ALPHA] Number of failed kubelet scrapes by reason (timeout, http, decode, size, connection, address).', labels: ['reason'] },
  storageEvictions: { name: 'metrics_server_storage_evictions_total', help: '[ALPHA] Number of series evicted from storage: stale (not seen for a few ticks) or capacity (hard maximum reached).', labels: ['kind', 'cause'] },
  authCacheHits: { name: 'metrics_server_auth_cache_hits_total', help: '[ALPHA] Number of authentication (token) and authorization decisions answered from cache.', labels: ['cache'] },
  authCacheMisses: { name: 'metrics_server_auth_cache_misses_total', help: '[ALPHA] Number of authentication (token) and authorization decisions not found in cache.', labels: ['cache'] },
  watchConnections: { name: 'metrics_server_watch_connections', help: '[ALPHA] Number of open watch connections to the Kubernetes API server.', labels: ['resource'] },
  watchRelists: { name: 'metrics_server_watch_relists_total', help: '[ALPHA] Number of full lists of a resource, by cause (initial, gone, error).', labels: ['resource', 'cause'] },
} as const;

export interface SelfMetricsOptions {
  /** --metric-resolution in seconds: sets the tick-duration buckets. Default 15. */
  resolutionSec?: number;
  /** Wall clock (epoch ms), for kubelet_last_request_time_seconds. */
  now?: () => number;
  /**
   * Per-node series are removed for a node not requested in this many ticks,
   * so node churn cannot grow /metrics without bound. Default 3.
   */
  nodeStaleTicks?: number;
  /** Register process_* and nodejs_* default metrics. Default true. */
  defaultMetrics?: boolean;
}

export interface SelfMetrics {
  registry: Registry;
  scrape: ScrapeObserver;
  store: StoreObserver;
  api: ApiObserver;
  auth: AuthObserver;
  watch: WatchObserver;
  /** Drop a node's per-node series at once (node deleted). */
  forgetNode(node: string): void;
}

/**
 * prom-client's Registry, followed by the per-node families, which render themselves
 * (kubelet-node-series.ts). Only the text exposition includes them: getMetricsAsJSON()
 * and resetMetrics() do not, and nothing here uses either.
 */
class SelfMetricsRegistry extends Registry {
  constructor(private readonly perNode: KubeletNodeSeries) {
    super();
  }

  override async metrics(): Promise<string> {
    // Families are separated by a blank line, as prom-client separates its own.
    return `${await super.metrics()}\n${this.perNode.render()}\n`;
  }

  /** metrics() as bytes, the per-node families written a time slice at a time. */
  async metricsBuffer(slicer: TimeSlicer): Promise<Buffer> {
    const head = Buffer.from(`${await super.metrics()}\n`);
    return Buffer.concat([head, await this.perNode.renderBuffer(slicer), NEWLINE]);
  }
}

const NEWLINE = Buffer.from('\n');

export function createSelfMetrics(opts: SelfMetricsOptions = {}): SelfMetrics {
  const perNode = new KubeletNodeSeries({ duration: SELF_METRICS.kubeletRequestDuration, lastRequest: SELF_METRICS.kubeletLastRequestTime, buckets: DEF_BUCKETS });
  const registry = new SelfMetricsRegistry(perNode);
  const now = opts.now ?? Date.now;
  const staleTicks = opts.nodeStaleTicks ?? 3;
  const m = SELF_METRICS;
  const registers = [registry];

  // Weighted: a cached list replays its items' ages with one call per distinct sample time.
  const freshness = new WeightedHistogram({ ...m.apiMetricFreshness, buckets: exponentialBuckets(1, 1.364, 20), registers });
  // name and help only: a `labels` field in the config would shadow the Counter's labels() method.
  const requestTotal = new Counter({ name: m.kubeletRequestTotal.name, help: m.kubeletRequestTotal.help, labelNames: [...m.kubeletRequestTotal.labels], registers });
  // Children resolved once: labels are hashed per call otherwise.
  const requestsOk = requestTotal.labels({ success: 'true' });
  const requestsFailed = requestTotal.labels({ success: 'false' });
  const tickDuration = new Histogram({ ...m.managerTickDuration, labelNames: [...m.managerTickDuration.labels], buckets: bucketsForScrapeDuration(opts.resolutionSec ?? 15), registers });
  const storagePoints = new Gauge({ ...m.storagePoints, labelNames: [...m.storagePoints.labels], registers });
  const scrapeFailures = new Counter({ ...m.kubeletScrapeFailures, labelNames: [...m.kubeletScrapeFailures.labels], registers });
  const evictions = new Counter({ ...m.storageEvictions, labelNames: [...m.storageEvictions.labels], registers });
  const cacheHits = new Counter({ ...m.authCacheHits, labelNames: [...m.authCacheHits.labels], registers });
  const cacheMisses = new Counter({ ...m.authCacheMisses, labelNames: [...m.authCacheMisses.labels], registers });
  const watchConnections = new Gauge({ ...m.watchConnections, labelNames: [...m.watchConnections.labels], registers });
  const relists = new Counter({ ...m.watchRelists, labelNames: [...m.watchRelists.labels], registers });

  if (opts.defaultMetrics ?? true) collectDefaultMetrics({ register: registry });

  // Tick number, for dropping the series of nodes not requested lately.
  let tickSeq = 0;
  const forgetNode = (node: string): void => perNode.remove(node);

  const scrape: ScrapeObserver = {
    kubeletRequest(node, durationSec, success, reason) {
      perNode.observe(node, durationSec, Math.floor(now() / 1000), tickSeq);
      if (success) requestsOk.inc();
      else {
        requestsFailed.inc();
        scrapeFailures.inc({ reason: reason ?? 'unknown' });
      }
    },
    tick(durationSec) {
      tickDuration.observe(durationSec);
      // Kept while requested within the last staleTicks ticks (this one included).
      perNode.sweep(tickSeq - staleTicks + 1);
      tickSeq++;
    },
  };

  const store: StoreObserver = {
    points(nodes, containers) {
      storagePoints.set({ type: 'node' }, nodes);
      storagePoints.set({ type: 'container' }, containers);
    },
    evicted(kind, cause, count) {
      if (count > 0) evictions.inc({ kind, cause }, count);
    },
  };

  const api: ApiObserver = {
    freshness(seconds, count) {
      freshness.observe(seconds, count);
    },
  };

  const auth: AuthObserver = {
    cacheHit(cache) {
      cacheHits.inc({ cache });
    },
    cacheMiss(cache) {
      cacheMisses.inc({ cache });
    },
  };

  const watch: WatchObserver = {
    watchOpened(resource) {
      watchConnections.inc({ resource });
    },
    watchClosed(resource) {
      watchConnections.dec({ resource });
    },
    relist(resource, cause) {
      relists.inc({ resource, cause });
    },
  };

  return { registry, scrape, store, api, auth, watch, forgetNode };
}

/**
 * Koa middleware for GET (and HEAD) /metrics in the Prometheus text format
 * (gzip above 128 KiB when accepted).
 * Mounted after authorization: /metrics is not an always-allowed path.
 */
export function metricsMiddleware(registry: Registry): Middleware {
  return async (ctx, next) => {
    if (ctx.path !== '/metrics' || (ctx.method !== 'GET' && ctx.method !== 'HEAD')) return next();
    // send() gzips large bodies for clients that accept it, as the apiserver does.
    const body = registry instanceof SelfMetricsRegistry ? await registry.metricsBuffer(new TimeSlicer(10)) : Buffer.from(await registry.metrics());
    send(ctx, { status: 200, contentType: registry.contentType, body, headers: {} });
  };
}
