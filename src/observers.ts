// What the parts report for self-metrics. Each part takes an observer in its
// constructor; app.ts passes the prom-client backed ones, tests use noop or fakes.

export type ScrapeFailureReason = 'timeout' | 'http' | 'decode' | 'size' | 'connection' | 'address';

export interface ScrapeObserver {
  /** One kubelet request finished (success or not). */
  kubeletRequest(node: string, durationSec: number, success: boolean, reason?: ScrapeFailureReason): void;
  /** A tick finished: wall time of the whole tick. */
  tick(durationSec: number): void;
}

export interface StoreObserver {
  /** Points currently stored, after a batch. */
  points(nodes: number, containers: number): void;
  /** Series evicted: stale (not seen for a few ticks) or capacity (hard maximum hit). */
  evicted(kind: 'node' | 'container', cause: 'stale' | 'capacity', count: number): void;
}

export interface ApiObserver {
  /** Age of served metrics: now - metric timestamp, seconds; count items of that age (default 1). */
  freshness(seconds: number, count?: number): void;
}

export interface AuthObserver {
  cacheHit(cache: 'token' | 'authorization'): void;
  cacheMiss(cache: 'token' | 'authorization'): void;
}

export interface WatchObserver {
  /** A watch connection opened or closed for a resource. */
  watchOpened(resource: string): void;
  watchClosed(resource: string): void;
  relist(resource: string, cause: 'gone' | 'error' | 'initial'): void;
}

export const noopScrapeObserver: ScrapeObserver = { kubeletRequest() {}, tick() {} };
export const noopStoreObserver: StoreObserver = { points() {}, evicted() {} };
export const noopApiObserver: ApiObserver = { freshness() {} };
export const noopAuthObserver: AuthObserver = { cacheHit() {}, cacheMiss() {} };
export const noopWatchObserver: WatchObserver = { watchOpened() {}, watchClosed() {}, relist() {} };
