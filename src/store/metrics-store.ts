// The bounded in-memory time-window store: for every node and container the
// last point and the one it is paired with. Nodes live in an lru-cache bounded
// by the number of series, each node weighing itself and the containers of the
// pods it reported; pods are found through a plain index and live and die with
// their node. A tick of an unchanged node is one lru-cache operation, not one
// per pod (each was a lookup in a 150k-entry table: 6% of the CPU of a tick).
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
import type { ContainerPoint, MetricsBatch, NodeScrape, PodPoints } from '../scrape/types.js';
import type { Entry, NodeEntry, PodEntry } from './entries.js';
import { PodIndex } from './pod-index.js';
import { STRIDE, clearPrev, hasPrev, newSlots } from './layout.js';
import { storeContainerPoint, storeNodePoint } from './rules.js';
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

/** Dropped pod entries kept for reuse within a tick, at most. */
const MAX_FREE_PODS = 4096;

/** A node's weight against maxSeries: itself and the containers of the pods it holds. */
const seriesOf = (e: NodeEntry): number => 1 + e.series;

export class MetricsStore implements MetricsReader {
  /** Nodes by name, least recently stored first out. */
  private readonly cache: LRUCache<string, NodeEntry>;
  /** Live pods; each is in the `pods` of the node in its `node`. */
  private readonly pods = new PodIndex();
  /**
   * Pod entries dropped during this tick, reused for new pods: when pods are
   * replaced (a rollout, a churn of Jobs), the new pods of one node take the
   * entries, arrays included, of pods another node dropped, instead of
   * allocating their own while the old ones wait for a full garbage collection.
   * A dropped entry is never read again (hints and node lists check `live`
   * and `node`, the index drops it), so handing it on is safe. Emptied at the
   * end of each tick, so it holds memory only while pods are being replaced.
   */
  private readonly freePods: PodEntry[] = [];
  private readonly maxSeries: number;
  /** --metric-resolution in ms (ages are whole ms, so age < this ⇔ age × 10⁶ < the resolution in ns). */
  private readonly resolutionMs: number;
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
  private containers = 0;
  private containersWithPrev = 0;
  // Capacity evictions during the current store(), reported at its end.
  private evictedNodes = 0;
  private evictedContainers = 0;

  constructor(opts: MetricsStoreOptions) {
    if (!(opts.maxSeries >= 1)) throw new RangeError('maxSeries must be at least 1');
    this.resolutionMs = opts.metricResolutionNs / 1e6;
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
    if (!entry) {
      entry = { kind: 'node', name, data: newSlots(STRIDE), hasPoint: false, pods: [], spare: [], series: 0, seenTick: 0, live: false };
      clearPrev(entry.data, 0);
    }
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

    // Two arrays per node, swapped each tick: the pods of this answer go into last tick's spare.
    const previous = entry.pods;
    const current = entry.spare;
    let n = 0;
    let series = 0;
    for (let i = 0; i < scrape.pods.length; i++) {
      const pod = scrape.pods[i]!;
      // Kubelets list the same pods in the same order tick after tick: the entry at the same place last time
      // is usually this pod's, found without building its key or looking it up.
      const hint = previous[i];
      const known = hint !== undefined && hint.live && hint.name === pod.name && hint.namespace === pod.namespace ? hint : undefined;
      const podEntry = this.storePod(pod, name, known);
      if (podEntry) {
        current[n++] = podEntry;
        series += podEntry.names.length;
      }
    }
    // Overwritten in place and cut to size: length = 0 first would drop the array's backing store.
    current.length = n;
    entry.pods = current;
    for (const old of previous) {
      // Answered, but no longer listed by this node: the pod is gone.
      if (old.live && old.seenTick !== this.tick && old.node === name) this.dropPod(old);
    }
    entry.spare = previous;
    entry.series = series;
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
    this.freePods.length = 0;
    if (this.evictedNodes > 0) this.observer.evicted('node', 'capacity', this.evictedNodes);
    if (this.evictedContainers > 0) this.observer.evicted('container', 'capacity', this.evictedContainers);
    this.evictedNodes = this.evictedContainers = 0;
    // As upstream's metrics_server_storage_points: points usage can be served from.
    this.observer.points(this.nodesWithPrev, this.containersWithPrev);
  }

  /** Served: seen by the last tick that ended, or already by the one under way. */
  private isServed(seenTick: number): boolean {
    return seenTick >= this.served;
  }

  /** Stores one pod; `known` is its live entry when the caller already has it. */
  private storePod(pod: PodPoints, node: string, known: PodEntry | undefined): PodEntry | undefined {
    const old = known ?? this.pods.get(pod.namespace, pod.name);
    if (old?.seenTick === this.tick) return undefined; // duplicate pod in one batch: first wins
    const points = uniqueByName(pod.containers);
    const n = points.length;
    if (n === 0) return undefined;

    const sameLayout = old !== undefined && sameNames(old.names, points);
    const entry: PodEntry = old ?? this.newPod(pod);
    if (entry.live) this.uncount(entry);
    // A reused entry's arrays are overwritten (nothing is paired with its old points: `old` is undefined).
    const data = sameLayout || (old === undefined && entry.data.length === n * STRIDE) ? entry.data : newSlots(n * STRIDE);
    let prevCount = 0;
    for (let i = 0; i < n; i++) {
      const p = points[i]!;
      let storedBase = -1;
      if (old !== undefined) storedBase = sameLayout ? i * STRIDE : indexOf(old.names, p.name) * STRIDE;
      storeContainerPoint(storedBase >= 0 ? old!.data : undefined, storedBase, data, i * STRIDE, p, this.resolutionMs);
      if (hasPrev(data, i * STRIDE)) prevCount++;
    }
    if (!sameLayout) {
      if (old === undefined && entry.names.length === n) {
        for (let i = 0; i < n; i++) entry.names[i] = points[i]!.name;
      } else {
        entry.names = points.map((p) => p.name);
      }
      entry.data = data;
    }
    entry.node = node;
    entry.prevCount = prevCount;
    entry.seenTick = this.tick;
    if (!entry.live) {
      entry.live = true;
      this.pods.add(entry);
    }
    this.count(entry);
    return entry;
  }

  /** An entry for a pod not stored before: a dropped one if there is one, else a new one. */
  private newPod(pod: PodPoints): PodEntry {
    const reused = this.freePods.pop();
    if (reused === undefined) {
      return { kind: 'pod', namespace: pod.namespace, name: pod.name, node: '', names: [], data: newSlots(0), prevCount: 0, seenTick: 0, live: false };
    }
    reused.namespace = pod.namespace;
    reused.name = pod.name;
    return reused;
  }

  private count(e: Entry): void {
    if (e.kind === 'node') {
      if (e.hasPoint) {
        this.nodes++;
        if (hasPrev(e.data, 0)) this.nodesWithPrev++;
      }
    } else {
      this.containers += e.names.length;
      this.containersWithPrev += e.prevCount;
    }
  }

  private uncount(e: Entry): void {
    if (e.kind === 'node') {
      if (e.hasPoint) {
        this.nodes--;
        if (hasPrev(e.data, 0)) this.nodesWithPrev--;
      }
    } else {
      this.containers -= e.names.length;
      this.containersWithPrev -= e.prevCount;
    }
  }

  /** Takes a node, and the pods it holds, out of the counts and the pod index; returns the pods' containers. */
  private forgetNode(e: NodeEntry): number {
    if (!e.live) return 0;
    this.uncount(e);
    e.live = false;
    let containers = 0;
    for (const p of e.pods) if (p.node === e.name) containers += this.dropPod(p);
    return containers;
  }

  /** Takes a pod out of the counts and the index; returns its containers. */
  private dropPod(p: PodEntry): number {
    if (!p.live) return 0;
    this.uncount(p);
    p.live = false;
    this.pods.delete(p);
    if (this.freePods.length < MAX_FREE_PODS) this.freePods.push(p);
    return p.names.length;
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
    return this.containersWithPrev > 0;
  }

  /** Stored series: nodes with a point, and containers. */
  seriesCount(): { nodes: number; containers: number } {
    return { nodes: this.nodes, containers: this.containers };
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
      const e = this.pods.get(pods[i]!.namespace, pods[i]!.name);
      out[i] = e !== undefined && this.isServed(e.seenTick) ? this.podUsage(e) : undefined;
    }
    return out;
  }

  /** Served only when every container of the latest scrape has a usable rate; time info from the earliest container. */
  private podUsage(e: PodEntry): PodUsage | undefined {
    if (e.prevCount !== e.names.length) return undefined;
    const u = this.usage;
    const containers: PodUsage['containers'] = new Array(e.names.length);
    let timestampMs = Infinity;
    let windowNs = 0;
    for (let c = 0; c < e.names.length; c++) {
      const base = c * STRIDE;
      if (!usageOf(e.data, base, u)) return undefined;
      containers[c] = { name: e.names[c]!, usage: { cpuNanocores: u.cpuNanocores, memoryBytes: u.memoryBytes } };
      if (u.timestampMs < timestampMs) {
        timestampMs = u.timestampMs;
        windowNs = u.windowNs;
      }
    }
    return { timestampMs, windowNs, containers };
  }
}

function indexOf(names: readonly string[], name: string): number {
  for (let i = 0; i < names.length; i++) if (names[i] === name) return i;
  return -1;
}

function sameNames(names: readonly string[], points: readonly ContainerPoint[]): boolean {
  if (names.length !== points.length) return false;
  for (let i = 0; i < names.length; i++) if (names[i] !== points[i]!.name) return false;
  return true;
}

/** Containers with duplicate names keep the first (upstream logs and skips the rest). */
function uniqueByName(points: readonly ContainerPoint[]): readonly ContainerPoint[] {
  for (let i = 1; i < points.length; i++) {
    for (let j = 0; j < i; j++) {
      if (points[i]!.name === points[j]!.name) {
        const seen = new Set<string>();
        return points.filter((p) => {
          if (seen.has(p.name)) return false;
          seen.add(p.name);
          return true;
        });
      }
    }
  }
  return points;
}

