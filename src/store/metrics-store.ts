// The bounded in-memory time-window store: for every node and container the
// last point and the one it is paired with. Nodes live in an lru-cache bounded
// by the number of series, each node weighing itself and the containers of the
// pods it reported; pods are slots stored in their node's packed storage
// (node-pods.ts), found through a plain index, and live and die with their
// node. A tick of an unchanged node is one lru-cache operation, not one per pod
// (each was a lookup in a 150k-entry table: 6% of the CPU of a tick).
// Pure and synchronous; the clock is injected.
//
// A tick is beginTick(), storeNode() for every node as its scrape arrives, then
// endTick(); store(batch) does all three. Nodes are stored as they answer, not
// in one batch at the end of the tick, so that the decoded points die young
// (a tick-long batch of 150k pods was promoted to the old generation whole;
// garbage collection was about a third of the scrape's CPU).
//
// A node that answered has its point and its pods replaced by what it reported
// (pods it stopped reporting are forgotten, as upstream forgets everything not
// in the batch). A node that did not answer by endTick() failed the tick: as
// upstream, it is not served (nor are its pods) from then on, but its series
// are kept so that its next answer pairs with the last point at once; they are
// evicted once not seen for `staleTicks` ticks. While a tick is under way the
// store serves what the last completed tick served, updated by the nodes that
// already answered.

import { LRUCache } from 'lru-cache';
import type { MetricsReader, NodeUsage, PodKey, PodUsage } from '../api/sources.js';
import { noopStoreObserver, type StoreObserver } from '../observers.js';
import type { MetricsBatch, NodeScrape } from '../scrape/types.js';
import { clearPrev, hasPrev } from './layout.js';
import { NodeEntries, containerBase, releasePods, type NodeEntry } from './node-entry.js';
import { NodePods } from './node-pods.js';
import { PodIndex } from './pod-index.js';
import { NO_SLOT, PodTable } from './pod-table.js';
import { storeNodePoint } from './rules.js';
import { usageOf, type UsageResult } from './usage.js';

export interface MetricsStoreOptions {
  /** --metric-resolution in ns: bounds the fresh-container shortcut. */
  metricResolutionNs: number;
  /** Hard cap on stored series (nodes + containers). */
  maxSeries: number;
  observer?: StoreObserver;
  /** Clock (ms since epoch), read once per store() for lastStoreMs. */
  now?: () => number;
  /** Ticks a series may go unseen before it is evicted (default 3). */
  staleTicks?: number;
}

export const DEFAULT_STALE_TICKS = 3;

// lru-cache's set() and peek() default their options argument to a new object
// (and write `status` into it): one shared object each saves an allocation per
// call. Nothing here subscribes to lru-cache's metrics
// channel, the one case in which `status` would carry state between calls.
const SET_OPTIONS: LRUCache.SetOptions<string, NodeEntry, unknown> = {};
const PEEK_OPTIONS: LRUCache.PeekOptions<string, NodeEntry, unknown> = {};

/** A node's weight against maxSeries: itself and the containers of the pods it holds. */
const seriesOf = (e: NodeEntry): number => 1 + e.series;

export class MetricsStore implements MetricsReader {
  /** Nodes by name, least recently stored first out. */
  private readonly cache: LRUCache<string, NodeEntry>;
  /** Live pods' slots by name; each slot is in the `pods` of its owner node. */
  /** Node entries by id, as pod slots name their owners. */
  private readonly nodeEntries = new NodeEntries();
  private readonly table = new PodTable();
  private readonly pods = new PodIndex(this.table);
  /** Stores nodes' pods; keeps the container counts. */
  private readonly nodePods: NodePods;
  private readonly maxSeries: number;
  private readonly staleTicks: number;
  private readonly observer: StoreObserver;
  private readonly now: () => number;
  private readonly usage: UsageResult = { cpuNanocores: 0, memoryBytes: 0, timestampMs: 0, windowNs: 0 };

  /** The tick being stored (or the last one, between ticks). */
  private tick = 0;
  /** The last tick that ended: entries seen before it are not served. */
  private served = 0;
  private inTick = false;
  private rev = 0;
  private lastStore = NaN;
  // Running totals over live entries.
  private nodes = 0;
  private nodesWithPrev = 0;
  // Capacity evictions during the current store(), reported at its end.
  private evictedNodes = 0;
  private evictedContainers = 0;

  constructor(opts: MetricsStoreOptions) {
    if (!(opts.maxSeries >= 1)) throw new RangeError('maxSeries must be at least 1');
    this.nodePods = new NodePods(this.nodeEntries, this.table, this.pods, opts.metricResolutionNs / 1e6);
    this.staleTicks = Math.max(1, opts.staleTicks ?? DEFAULT_STALE_TICKS);
    this.observer = opts.observer ?? noopStoreObserver;
    this.now = opts.now ?? Date.now;
    this.maxSeries = Math.floor(opts.maxSeries);
    this.cache = new LRUCache<string, NodeEntry>({
      maxSize: this.maxSeries,
      sizeCalculation: seriesOf,
      dispose: (e, _key, reason) => {
        const containers = this.forgetNode(e);
        // 'set' here means a node grew past the whole budget and was dropped.
        if (reason === 'evict' || reason === 'set') this.countEviction(containers);
      },
    });
  }

  /** Bumps on every store(). */
  get revision(): number {
    return this.rev;
  }

  /** Time of the latest store(), ms since epoch (NaN before the first): lets health checks see a stalled scraper. */
  get lastStoreMs(): number {
    return this.lastStore;
  }

  /** Stores one tick's result: beginTick(), storeNode() for each node, endTick(). */
  store(batch: MetricsBatch): void {
    this.beginTick();
    for (const [name, scrape] of batch.nodes) this.storeNode(name, scrape);
    this.endTick();
  }

  /** Starts a tick (ending one left open). */
  beginTick(): void {
    if (this.inTick) this.endTick();
    this.inTick = true;
    this.tick++;
  }

  /** Stores one node's answer to the current tick. The first answer of a node, and of a pod, in a tick wins. */
  storeNode(name: string, scrape: NodeScrape): void {
    if (!this.inTick) throw new Error('storeNode outside a tick');
    let entry = this.cache.peek(name, PEEK_OPTIONS);
    if (entry?.seenTick === this.tick) return; // duplicate node in one tick: first wins
    entry ??= this.nodeEntries.create(name);
    if (entry.live) this.uncount(entry);
    if (scrape.node) {
      storeNodePoint(entry.hasPoint ? entry.data : undefined, entry.data, scrape.node);
      entry.hasPoint = true;
    } else {
      entry.hasPoint = false;
      clearPrev(entry.data, 0);
    }
    entry.seenTick = this.tick;
    entry.live = true;
    this.count(entry);
    this.nodePods.store(entry, scrape.pods, this.tick);
    this.cache.set(name, entry, SET_OPTIONS);
    // lru-cache refuses a node heavier than the whole budget (its maxEntrySize defaults to maxSize), disposing of
    // what the key held; a node it never held is ours to drop.
    if (entry.live && seriesOf(entry) > this.maxSeries) this.countEviction(this.forgetNode(entry));
  }

  /** Ends the tick: nodes that did not answer stop being served; stale series are evicted. */
  endTick(): void {
    if (!this.inTick) return;
    this.inTick = false;
    this.served = this.tick;
    this.rev++;
    this.lastStore = this.now();
    this.sweepStale();
    if (this.evictedNodes > 0) this.observer.evicted('node', 'capacity', this.evictedNodes);
    if (this.evictedContainers > 0) this.observer.evicted('container', 'capacity', this.evictedContainers);
    this.evictedNodes = this.evictedContainers = 0;
    // As upstream's metrics_server_storage_points: points usage can be served from.
    this.observer.points(this.nodesWithPrev, this.nodePods.containersWithPrev);
  }

  /** Served: seen by the last tick that ended, or already by the one under way. */
  private isServed(seenTick: number): boolean {
    return seenTick >= this.served;
  }

  private count(e: NodeEntry): void {
    if (e.hasPoint) {
      this.nodes++;
      if (hasPrev(e.data, 0)) this.nodesWithPrev++;
    }
  }

  private uncount(e: NodeEntry): void {
    if (e.hasPoint) {
      this.nodes--;
      if (hasPrev(e.data, 0)) this.nodesWithPrev--;
    }
  }

  /** Takes a node, and the pods it holds, out of the counts and the pod index; returns the pods' containers. */
  private forgetNode(e: NodeEntry): number {
    if (!e.live) return 0;
    this.uncount(e);
    e.live = false;
    const containers = this.nodePods.forget(e);
    releasePods(e);
    this.nodeEntries.remove(e);
    return containers;
  }

  private countEviction(containers: number): void {
    this.evictedNodes += 1;
    this.evictedContainers += containers;
  }

  /** Evicts nodes (and their pods) not seen for staleTicks ticks. Recency order equals seen order, so only the tail is visited. */
  private sweepStale(): void {
    const stale: NodeEntry[] = [];
    for (const entry of this.cache.rvalues()) {
      if (entry === undefined) continue; // (only a pending fetch, which this cache never starts)
      if (this.tick - entry.seenTick < this.staleTicks) break;
      stale.push(entry);
    }
    let containers = 0;
    for (const e of stale) {
      containers += this.forgetNode(e);
      this.cache.delete(e.name);
    }
    if (stale.length > 0) this.observer.evicted('node', 'stale', stale.length);
    if (containers > 0) this.observer.evicted('container', 'stale', containers);
  }

  /** Has node and pod points with a previous point (upstream Ready: NodeReady && PodReady). */
  ready(): boolean {
    return this.nodeReady() && this.podReady();
  }

  nodeReady(): boolean {
    return this.nodesWithPrev > 0;
  }

  podReady(): boolean {
    return this.nodePods.containersWithPrev > 0;
  }

  /** Stored series: nodes with a point, and containers. */
  seriesCount(): { nodes: number; containers: number } {
    return { nodes: this.nodes, containers: this.nodePods.containers };
  }

  getNodeUsage(names: readonly string[]): (NodeUsage | undefined)[] {
    const out: (NodeUsage | undefined)[] = new Array(names.length);
    const u = this.usage;
    for (let i = 0; i < names.length; i++) {
      const e = this.cache.peek(names[i]!, PEEK_OPTIONS);
      if (e === undefined || !this.isServed(e.seenTick) || !e.hasPoint || !hasPrev(e.data, 0) || !usageOf(e.data, 0, u)) {
        out[i] = undefined;
        continue;
      }
      out[i] = { timestampMs: u.timestampMs, windowNs: u.windowNs, usage: { cpuNanocores: u.cpuNanocores, memoryBytes: u.memoryBytes } };
    }
    return out;
  }

  getPodUsage(pods: readonly PodKey[]): (PodUsage | undefined)[] {
    const out: (PodUsage | undefined)[] = new Array(pods.length);
    for (let i = 0; i < pods.length; i++) {
      const s = this.pods.get(pods[i]!.namespace, pods[i]!.name);
      out[i] = s !== NO_SLOT ? this.podUsage(s) : undefined;
    }
    return out;
  }

  /**
   * Served when its node is (a live pod was stored by its owner's latest answer) and every container of the
   * latest scrape has a usable rate; time info from the earliest container.
   */
  private podUsage(s: number): PodUsage | undefined {
    const t = this.table;
    const node = this.nodeEntries.byId[t.owner[s]!]!;
    const names = t.containersOf(s);
    const n = names.length;
    if (!this.isServed(node.seenTick) || t.withPrev[s] !== n) return undefined;
    const first = t.first[s]!;
    const u = this.usage;
    const containers: PodUsage['containers'] = new Array(n);
    let timestampMs = Infinity;
    let windowNs = 0;
    for (let c = 0; c < n; c++) {
      if (!usageOf(node.data, containerBase(first + c), u)) return undefined;
      containers[c] = { name: names[c]!, usage: { cpuNanocores: u.cpuNanocores, memoryBytes: u.memoryBytes } };
      if (u.timestampMs < timestampMs) {
        timestampMs = u.timestampMs;
        windowNs = u.windowNs;
      }
    }
    return { timestampMs, windowNs, containers };
  }
}
