// The named checks metrics-server registers, and which endpoint lists which,
// in upstream's order (ping and log come from the generic API server,
// shutdown is the generic server's readyz check; the rest are metrics-server's).

import type { Logger } from '../log.js';
import type { HealthCheck, HealthEndpoints } from './health.js';

/** Always healthy: the server answers. */
export function pingCheck(): HealthCheck {
  return { name: 'ping', check() {} };
}

export interface LogCheck extends HealthCheck {
  /** Stops the periodic flush (the timer is unref'd, so it never holds the process open). */
  stop(): void;
}

export interface LogCheckOptions {
  now?: () => number;
  /** How often the log is flushed; upstream flushes klog every minute. */
  flushIntervalMs?: number;
  /** Healthy while the last completed flush is younger than this; upstream: 2 minutes. */
  maxFlushAgeMs?: number;
}

/**
 * Healthy while the logger can still flush: starts on first use to flush every
 * minute, and fails ("logging blocked") when no flush completed for two minutes.
 */
export function logCheck(log: Logger, opts: LogCheckOptions = {}): LogCheck {
  const now = opts.now ?? Date.now;
  const interval = opts.flushIntervalMs ?? 60_000;
  const maxAge = opts.maxFlushAgeMs ?? 120_000;
  let lastVerified = 0;
  let timer: NodeJS.Timeout | undefined;
  const flush = (): void => {
    log.flush((err) => {
      if (!err) lastVerified = now();
    });
  };
  return {
    name: 'log',
    check() {
      if (timer === undefined) {
        lastVerified = now();
        timer = setInterval(flush, interval);
        timer.unref();
      }
      if (now() - lastVerified >= maxAge) throw new Error('logging blocked');
    },
    stop() {
      if (timer !== undefined) clearInterval(timer);
    },
  };
}

/** readyz: fails from the moment shutdown begins, so load balancers drain us first. */
export function shutdownCheck(shuttingDown: () => boolean): HealthCheck {
  return {
    name: 'shutdown',
    check() {
      if (shuttingDown()) throw new Error('process is shutting down');
    },
  };
}

/** readyz: the store can answer (node and pod storage each hold a previous point). */
export function metricStorageReadyCheck(ready: () => boolean, log?: Logger): HealthCheck {
  const name = 'metric-storage-ready';
  return {
    name,
    check() {
      if (!ready()) {
        const err = new Error('no metrics to serve');
        log?.info({ probe: name, err }, 'Failed probe');
        throw err;
      }
    },
  };
}

export interface CollectionTimelyOptions {
  /** Start of the current (or last) scrape tick, epoch ms; undefined or 0 before the first tick (Scraper.lastTickStartMs). */
  lastTickStartMs: () => number | undefined;
  /** --metric-resolution in ms. */
  resolutionMs: number;
  now?: () => number;
  log?: Logger;
}

/**
 * livez: the scrape loop is alive: the current tick started no more than
 * 1.5 × resolution ago. Passes before the first tick, as upstream does.
 */
export function metricCollectionTimelyCheck(opts: CollectionTimelyOptions): HealthCheck {
  const now = opts.now ?? Date.now;
  const maxWaitMs = 1.5 * opts.resolutionMs;
  const name = 'metric-collection-timely';
  return {
    name,
    check() {
      const start = opts.lastTickStartMs();
      if (start === undefined || start === 0) return; // no tick yet: upstream's IsZero()
      const waitMs = now() - start;
      if (waitMs > maxWaitMs) {
        const err = new Error("metric collection didn't finish on time");
        opts.log?.info({ probe: name, err, durationMs: waitMs, maxDurationMs: maxWaitMs }, 'Failed probe');
        throw err;
      }
    },
  };
}

/**
 * An informer-sync check. synced() returns true/false, or the names of the
 * informers not synced yet (empty when all are), which then appear in the error.
 */
export function informerSyncCheck(name: string, synced: () => boolean | readonly string[]): HealthCheck {
  return {
    name,
    check() {
      const s = synced();
      if (s === true) return;
      if (s === false) throw new Error('informers not synced yet');
      // Go's %v of a []string: [a b].
      if (s.length > 0) throw new Error(`${s.length} informers not started yet: [${s.join(' ')}]`);
    },
  };
}

/** readyz: the node and pod caches have synced (the scraper reads nodes, the API both). */
export function metricInformerSyncCheck(synced: () => boolean | readonly string[]): HealthCheck {
  return informerSyncCheck('metric-informer-sync', synced);
}

/** healthz, livez, readyz: the metadata informers have started and synced. */
export function metadataInformerSyncCheck(synced: () => boolean | readonly string[]): HealthCheck {
  return informerSyncCheck('metadata-informer-sync', synced);
}

export interface MetricsServerChecks {
  ping: HealthCheck;
  log: HealthCheck;
  metricStorageReady: HealthCheck;
  metricInformerSync: HealthCheck;
  metadataInformerSync: HealthCheck;
  shutdown: HealthCheck;
  metricCollectionTimely: HealthCheck;
}

/**
 * Which endpoint lists which check, in upstream's order (protocol §1.7), without
 * the generic server's poststarthook/* checks, which have no counterpart here.
 */
export function metricsServerHealthEndpoints(c: MetricsServerChecks): Required<HealthEndpoints> {
  return {
    healthz: [c.ping, c.log, c.metadataInformerSync],
    livez: [c.ping, c.log, c.metricCollectionTimely, c.metadataInformerSync],
    readyz: [c.ping, c.log, c.metricStorageReady, c.metricInformerSync, c.metadataInformerSync, c.shutdown],
  };
}
