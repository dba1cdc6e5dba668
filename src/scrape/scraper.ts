// The scrape tick: every --metric-resolution, read every node matching
// --node-selector from its kubelet, concurrently (at most --kubelet-concurrency
// at once), staggered like upstream (each node waits a random delay in
// [0, min(8 ms × nodes, 4 s)), at most a fifth of the resolution), each
// request with its own timeout and all of them cut at the tick deadline. One
// node's failure never affects another's: a request still unanswered after a
// second gives its concurrency slot to the next node (it keeps running until
// its own timeout), so kubelets that hang (a partitioned zone, powered-off
// machines) cannot hold every slot while healthy nodes wait for the deadline.
// Each node's answer goes to the sink (the store) as it arrives, not in one
// batch at the end of the tick: that way its decoded points are garbage before
// the next scavenge instead of living, and being promoted, for the whole tick.
//
// Every pod a kubelet reports is stored, as upstream stores its whole batch:
// what is served is decided by the pod cache when a request is answered (only
// Running pods it knows), so a pod the watch has not delivered yet loses no
// point, and the tick looks nothing up per pod.

import type { Logger } from '../log.js';
import type { NodeInfo } from '../kube/node-info.js';
import { noopScrapeObserver, type ScrapeObserver } from '../observers.js';
import { FailureLog } from './failure-log.js';
import type { KubeletMetricsGetter } from './kubelet-client.js';
import { ScrapeError } from './scrape-error.js';
import type { NodeScrape } from './types.js';

const DELAY_PER_NODE_MS = 8;
const MAX_DELAY_MS = 4000;
/** The stagger window never exceeds this share of the resolution (4 s of upstream's 60 s default is 6.7%; of 15 s, 27%). */
const MAX_DELAY_SHARE = 0.2;
/** Share of the resolution a tick may use; the rest is slack for decoding and the sink. */
const TICK_BUDGET = 0.95;
/** How long an unanswered request counts against --kubelet-concurrency (a healthy kubelet answers well within it). */
const SLOT_LEASE_MS = 1000;

/** A started request's concurrency slot: held until it lands or its lease ends. */
interface Slot {
  held: boolean;
  lease?: NodeJS.Timeout;
}

export interface LabelMatcher {
  matches(labels: Readonly<Record<string, string>>): boolean;
}

/** Where a tick's answers go (the store): each node's as it arrives, between beginTick() and endTick(). */
export interface ScrapeSink {
  beginTick(): void;
  /** Copies what it keeps: the scrape's objects are reused once this returns. */
  storeNode(name: string, scrape: NodeScrape): void;
  /** Nodes that did not answer since beginTick() failed the tick. */
  endTick(): void;
}

/** What one tick did. */
export interface TickResult {
  /** Nodes selected for scraping. */
  nodes: number;
  /** Nodes whose answer was stored. */
  scraped: number;
  /** Pods stored. */
  pods: number;
  durationMs: number;
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
  sink: ScrapeSink;
  log: Logger;
  observer?: ScrapeObserver;
  random?: () => number;
  now?: () => number;
  /** How long an unanswered request holds its concurrency slot, ms (tests); default SLOT_LEASE_MS. */
  slotLeaseMs?: number;
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
  async tick(): Promise<TickResult> {
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
    const onStop = () => tickAbort.abort();
    this.stopping.signal.addEventListener('abort', onStop, { once: true });

    const result: TickResult = { nodes: nodes.length, scraped: 0, pods: 0, durationMs: 0 };
    let open = this.sinkCall(() => cfg.sink.beginTick(), 'starting');
    // One dispatcher starts each node once its delay has passed and fewer than --kubelet-concurrency hold a
    // slot: one timer for the next due node, not a sleeping worker with a timer and a promise per node.
    // A request holds its slot until it lands or its lease ends; the tick waits for every one to land.
    const leaseMs = cfg.slotLeaseMs ?? SLOT_LEASE_MS;
    let next = 0;
    let holding = 0;
    let outstanding = 0;
    let wakeTimer: NodeJS.Timeout | undefined;
    let ended!: () => void;
    const tickEnded = new Promise<void>((resolve) => (ended = resolve));
    const end = () => {
      // At the deadline in-flight requests are aborted and the tick ends even if one ignores the abort.
      clearTimeout(wakeTimer);
      clearTimeout(deadlineTimer);
      ended();
    };
    let dispatching = false;
    const dispatch = (): void => {
      // A node that fails before its request is sent lands synchronously: the loop below, not a nested call, goes on.
      if (dispatching) return;
      dispatching = true;
      while (open && next < order.length && holding < cfg.concurrency) {
        const { node, delay } = order[next]!;
        if (!tickAbort.signal.aborted) {
          const wait = start + delay - this.now();
          if (wait > 0) {
            wakeTimer ??= setTimeout(wake, wait);
            break;
          }
        }
        next++;
        holding++;
        outstanding++;
        const slot: Slot = { held: true };
        slot.lease = setTimeout(() => {
          slot.held = false;
          holding--;
          dispatch();
        }, leaseMs);
        void this.scrapeNode(node, deadline, tickAbort.signal, (name, scrape) => landed(slot, name, scrape));
      }
      dispatching = false;
      if (outstanding === 0 && (!open || next >= order.length)) end();
    };
    const wake = () => {
      wakeTimer = undefined;
      dispatch();
    };
    const landed = (slot: Slot, name: string, scrape: NodeScrape | undefined) => {
      clearTimeout(slot.lease);
      if (slot.held) holding--;
      outstanding--;
      if (scrape) {
        // An answer that arrives after the tick ended is dropped: the next tick asks again.
        if (open) this.deliver(name, scrape, result);
        // Stored (copied) or dropped: its objects go back for reuse.
        cfg.client.release?.(scrape);
      }
      dispatch();
    };
    // Nodes not started when the tick is aborted (deadline, stop) fail at once instead of waiting for their delay.
    tickAbort.signal.addEventListener(
      'abort',
      () => {
        clearTimeout(wakeTimer);
        wake();
      },
      { once: true },
    );
    const deadlineTimer = setTimeout(() => {
      tickAbort.abort();
      end();
    }, budgetMs);
    try {
      dispatch();
      await tickEnded;
    } finally {
      clearTimeout(wakeTimer);
      clearTimeout(deadlineTimer);
      this.stopping.signal.removeEventListener('abort', onStop);
    }
    if (open && !this.stopping.signal.aborted) this.sinkCall(() => cfg.sink.endTick(), 'ending');
    open = false;

    result.durationMs = this.now() - start;
    this.observer.tick(result.durationMs / 1000);
    cfg.log.debug({ durationMs: result.durationMs, nodes: nodes.length, scraped: result.scraped, pods: result.pods }, 'Scrape finished');
    return result;
  }

  /** Hands one node's answer to the sink. */
  private deliver(name: string, scrape: NodeScrape, result: TickResult): void {
    if (this.sinkCall(() => this.cfg.sink.storeNode(name, scrape), `storing node ${name} of`)) {
      result.scraped++;
      result.pods += scrape.pods.length;
    }
  }

  /** Runs one sink call; a throwing sink is logged, never fatal to the loop. */
  private sinkCall(fn: () => void, what: string): boolean {
    try {
      fn();
      return true;
    } catch (e) {
      this.cfg.log.error({ err: e instanceof Error ? e.message : String(e) }, `${what} the scrape tick in the store failed`);
      return false;
    }
  }

  /** Scrapes one node and hands its answer (undefined when it failed) to landed; never rejects. */
  private async scrapeNode(node: NodeInfo, deadline: number, signal: AbortSignal, landed: (name: string, scrape: NodeScrape | undefined) => void): Promise<void> {
    const t0 = this.now();
    let scrape: NodeScrape | undefined;
    try {
      if (signal.aborted || t0 >= deadline) throw new ScrapeError('timeout', `node ${node.name}: tick deadline reached before the scrape started`);
      scrape = await this.cfg.client.getMetrics(node, signal);
      this.observer.kubeletRequest(node.name, (this.now() - t0) / 1000, true);
      this.failures.succeeded(node.name);
    } catch (e) {
      const err = e instanceof ScrapeError ? e : new ScrapeError('connection', `node ${node.name}: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
      this.observer.kubeletRequest(node.name, (this.now() - t0) / 1000, false, err.reason);
      this.failures.failed(node.name, node.ready, err);
    }
    landed(node.name, scrape);
  }
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
