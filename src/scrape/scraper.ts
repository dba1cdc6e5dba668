// The scrape tick: every --metric-resolution, read every node matching
// --node-selector from its kubelet, concurrently (at most --kubelet-concurrency
// at once), staggered like upstream (each node waits a random delay in
// [0, min(8 ms × nodes, 4 s)), at most a fifth of the resolution), each
// request with its own timeout and all of them cut at the tick deadline. One
// node's failure never affects another's. The batch goes to the sink (the store).

import type { Logger } from '../log.js';
import type { PodLister } from '../api/sources.js';
import type { NodeInfo } from '../kube/node-info.js';
import { noopScrapeObserver, type ScrapeObserver } from '../observers.js';
import { FailureLog } from './failure-log.js';
import type { KubeletMetricsGetter } from './kubelet-client.js';
import { ScrapeError } from './scrape-error.js';
import type { MetricsBatch, NodeScrape, PodPoints } from './types.js';

const DELAY_PER_NODE_MS = 8;
const MAX_DELAY_MS = 4000;
/** The stagger window never exceeds this share of the resolution (4 s of upstream's 60 s default is 6.7%; of 15 s, 27%). */
const MAX_DELAY_SHARE = 0.2;
/** Share of the resolution a tick may use; the rest is slack for decoding and the sink. */
const TICK_BUDGET = 0.95;

export interface LabelMatcher {
  matches(labels: Readonly<Record<string, string>>): boolean;
}

export interface ScrapeTargets {
  list(): readonly NodeInfo[];
}

export interface ScraperConfig {
  nodes: ScrapeTargets;
  client: KubeletMetricsGetter;
  /** --metric-resolution, ms. */
  resolutionMs: number;
  /** --kubelet-request-timeout, ms (enforced by the client; used here to size the stagger). */
  timeoutMs: number;
  /** --kubelet-concurrency */
  concurrency: number;
  /** --node-selector; all nodes when absent. */
  nodeSelector?: LabelMatcher;
  /** When given and synced, pods the cache does not know (not Running, or deleted) are dropped, as upstream. */
  pods?: PodLister & { readonly synced?: boolean };
  sink: (batch: MetricsBatch) => void;
  log: Logger;
  observer?: ScrapeObserver;
  random?: () => number;
  now?: () => number;
}

export class Scraper {
  private readonly observer: ScrapeObserver;
  private readonly failures: FailureLog;
  private readonly random: () => number;
  private readonly now: () => number;
  private lastStart = 0;
  private stopping = new AbortController();
  private loop?: Promise<void>;

  constructor(private readonly cfg: ScraperConfig) {
    if (!(cfg.resolutionMs >= 1000)) throw new Error(`metric resolution must be at least 1s, got ${cfg.resolutionMs} ms`);
    if (!(cfg.concurrency >= 1)) throw new Error(`kubelet concurrency must be at least 1, got ${cfg.concurrency}`);
    this.observer = cfg.observer ?? noopScrapeObserver;
    this.failures = new FailureLog(cfg.log);
    this.random = cfg.random ?? Math.random;
    this.now = cfg.now ?? Date.now;
    if (cfg.resolutionMs < 10_000) {
      cfg.log.warn({ resolutionMs: cfg.resolutionMs }, 'metric resolution below 10s: kubelets update their stats about every 10s, rates may be noisy');
    }
  }

  /** Start time of the latest tick, ms since epoch; 0 before the first one. */
  get lastTickStartMs(): number {
    return this.lastStart;
  }

  /** Ticks now and then every resolution, until stop(). */
  start(): void {
    if (this.loop) return;
    if (this.stopping.signal.aborted) this.stopping = new AbortController();
    this.loop = this.run();
  }

  /** Aborts in-flight requests and waits for the current tick to end. */
  async stop(): Promise<void> {
    this.stopping.abort();
    await this.loop;
    this.loop = undefined;
  }

  private async run(): Promise<void> {
    const signal = this.stopping.signal;
    while (!signal.aborted) {
      const started = this.now();
      await this.tick();
      // Fixed cadence: the next tick starts one resolution after this one started.
      await sleep(started + this.cfg.resolutionMs - this.now(), signal);
    }
  }

  /** One scrape of all selected nodes; resolves within the resolution with what answered. Never rejects. */
  async tick(): Promise<MetricsBatch> {
    const { cfg } = this;
    const start = this.now();
    this.lastStart = start;
    const budgetMs = cfg.resolutionMs * TICK_BUDGET;
    const deadline = start + budgetMs;

    const all = cfg.nodes.list();
    const nodes = cfg.nodeSelector ? all.filter((n) => cfg.nodeSelector!.matches(n.labels)) : [...all];
    const names = new Set(nodes.map((n) => n.name));
    cfg.client.retainNodes(names);
    this.failures.retain(names);

    // Upstream staggers over min(8 ms × nodes, 4 s); at most a fifth of the resolution, so that a tick ends
    // within a quarter of it; leave the request its timeout before the deadline when possible.
    const maxDelay = Math.min(
      DELAY_PER_NODE_MS * nodes.length,
      MAX_DELAY_MS,
      cfg.resolutionMs * MAX_DELAY_SHARE,
      Math.max(budgetMs - cfg.timeoutMs, budgetMs * 0.1),
    );
    const order = nodes.map((node) => ({ node, delay: this.random() * maxDelay })).sort((a, b) => a.delay - b.delay);

    const tickAbort = new AbortController();
    // Every worker sleeps before each node: one listener on the tick's signal for all of them, not one each
    // (EventTarget listener lists are scanned linearly on every add).
    const wake = new Set<() => void>();
    tickAbort.signal.addEventListener('abort', () => {
      for (const w of wake) w();
      wake.clear();
    }, { once: true });
    const onStop = () => tickAbort.abort();
    this.stopping.signal.addEventListener('abort', onStop, { once: true });
    let deadlineTimer: NodeJS.Timeout | undefined;
    // At the deadline in-flight requests are aborted and the tick ends even if one ignores the abort.
    const deadlineReached = new Promise<void>((resolve) => {
      deadlineTimer = setTimeout(() => {
        tickAbort.abort();
        resolve();
      }, budgetMs);
    });

    const results = new Map<string, NodeScrape>();
    let open = true;
    let next = 0;
    const worker = async () => {
      while (open && next < order.length) {
        const { node, delay } = order[next++]!;
        await sleepUnless(start + delay - this.now(), tickAbort.signal, wake);
        const scrape = await this.scrapeNode(node, deadline, tickAbort.signal);
        if (scrape && open) results.set(node.name, scrape);
      }
    };
    try {
      const workers = Array.from({ length: Math.min(cfg.concurrency, order.length) }, worker);
      await Promise.race([Promise.all(workers), deadlineReached]);
    } finally {
      open = false;
      clearTimeout(deadlineTimer);
      this.stopping.signal.removeEventListener('abort', onStop);
    }

    const batch: MetricsBatch = { nodes: this.filterPods(results) };
    const durationMs = this.now() - start;
    this.observer.tick(durationMs / 1000);
    let pods = 0;
    for (const s of batch.nodes.values()) pods += s.pods.length;
    cfg.log.debug({ durationMs, nodes: nodes.length, scraped: batch.nodes.size, pods }, 'Scrape finished');
    if (!this.stopping.signal.aborted) {
      try {
        cfg.sink(batch);
      } catch (e) {
        cfg.log.error({ err: e instanceof Error ? e.message : String(e) }, 'storing the scrape batch failed');
      }
    }
    return batch;
  }

  private async scrapeNode(node: NodeInfo, deadline: number, signal: AbortSignal): Promise<NodeScrape | undefined> {
    const t0 = this.now();
    try {
      if (signal.aborted || t0 >= deadline) throw new ScrapeError('timeout', `node ${node.name}: tick deadline reached before the scrape started`);
      const scrape = await this.cfg.client.getMetrics(node, signal);
      this.observer.kubeletRequest(node.name, (this.now() - t0) / 1000, true);
      this.failures.succeeded(node.name);
      return scrape;
    } catch (e) {
      const err = e instanceof ScrapeError ? e : new ScrapeError('connection', `node ${node.name}: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
      this.observer.kubeletRequest(node.name, (this.now() - t0) / 1000, false, err.reason);
      this.failures.failed(node.name, node.ready, err);
      return undefined;
    }
  }

  /** Drops pods reported twice (keeps the first node's) and, with a synced pod cache, pods it does not know. */
  private filterPods(results: Map<string, NodeScrape>): Map<string, NodeScrape> {
    const pods = this.cfg.pods;
    const useCache = pods !== undefined && pods.synced !== false;
    const seen = new Map<string, Set<string>>();
    let dropped = 0;
    for (const [nodeName, scrape] of results) {
      let keep: PodPoints[] | undefined;
      for (let i = 0; i < scrape.pods.length; i++) {
        const p = scrape.pods[i]!;
        let names = seen.get(p.namespace);
        if (!names) seen.set(p.namespace, (names = new Set()));
        const ok = !names.has(p.name) && (!useCache || pods.get(p.namespace, p.name) !== undefined);
        names.add(p.name);
        if (ok) {
          keep?.push(p);
        } else {
          keep ??= scrape.pods.slice(0, i);
          dropped++;
        }
      }
      if (keep) results.set(nodeName, { ...scrape, pods: keep });
    }
    if (dropped) this.cfg.log.trace({ dropped }, 'Dropped pod metrics: duplicate or pod not in cache');
    return results;
  }
}

/** Resolves after ms, or when signal aborts (its listener calls everything in wake). */
function sleepUnless(ms: number, signal: AbortSignal, wake: Set<() => void>): Promise<void> {
  if (ms <= 0 || signal.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      wake.delete(done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    wake.add(done);
  });
}

/** Resolves after ms, or at once when signal aborts. */
function sleep(ms: number, signal: AbortSignal): Promise<void> {
  if (ms <= 0 || signal.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}
