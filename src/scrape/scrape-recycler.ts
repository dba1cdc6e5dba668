// Decoded points, handed back for reuse once the store has copied them. A
// node's scrape is ~120 small objects (pods, containers, their boxed numbers)
// that live for microseconds: at thousands of nodes per tick they were most of
// the young-generation garbage, hence of the scavenges. Reused objects keep
// their shapes, and numbers are written into their existing boxes in place.
//
// Ownership: a scrape obtained from a decoder belongs to its consumer until it
// calls release(); after that nothing may read it (its objects will hold
// another node's points). The store copies what it keeps, so the scraper
// releases a scrape right after storing it.

import type { ContainerPoint, MetricsPoint, NodeScrape, PodPoints } from './types.js';

/** At most this many container points (and a share of pods) wait for reuse: about a tick's worth at 256 in flight. */
const MAX_FREE_POINTS = 65_536;

/** Scrapes (with their node point and pods array) waiting for reuse: one per request in flight at the default concurrency. */
const MAX_FREE_SCRAPES = 256;

export class ScrapeRecycler {
  private readonly points: ContainerPoint[] = [];
  private readonly pods: PodPoints[] = [];
  private readonly scrapes: NodeScrape[] = [];
  private readonly nodePoints: MetricsPoint[] = [];

  /** An empty scrape: no node point, no pods (its array keeps its capacity). */
  scrape(): NodeScrape {
    return this.scrapes.pop() ?? { node: undefined, pods: [] };
  }

  /** A node point (fields to be filled by the caller). */
  nodePoint(): MetricsPoint {
    return this.nodePoints.pop() ?? { timestampMs: NaN, startTimeMs: NaN, startSubMsNs: 0, cpuSec: 0, cpuNsec: 0, memoryBytes: 0 };
  }

  /** A container point (fields to be filled by the caller). */
  container(name: string): ContainerPoint {
    const p = this.points.pop();
    if (p === undefined) return { name, timestampMs: NaN, startTimeMs: NaN, startSubMsNs: 0, cpuSec: 0, cpuNsec: 0, memoryBytes: 0 };
    p.name = name;
    return p;
  }

  /** A pod with no containers yet. */
  pod(namespace: string, name: string): PodPoints {
    const p = this.pods.pop();
    if (p === undefined) return { namespace, name, containers: [] };
    p.namespace = namespace;
    p.name = name;
    return p;
  }

  /** Takes back a pod's container points; the pod itself stays in use. */
  clearContainers(pod: PodPoints): void {
    // pop(), not length = 0: the array keeps its backing store for the next pushes.
    const list = pod.containers;
    while (list.length > 0) this.putPoint(list.pop()!);
  }

  /** Takes back a pod (and its points) that nobody uses any more. */
  dropPod(pod: PodPoints): void {
    this.clearContainers(pod);
    if (this.pods.length < MAX_FREE_POINTS / 2) this.pods.push(pod);
  }

  /** Takes back a whole scrape: it, its node point, pods and container points are reused by later decodes. */
  release(scrape: NodeScrape): void {
    const pods = scrape.pods;
    while (pods.length > 0) this.dropPod(pods.pop()!);
    if (scrape.node !== undefined && this.nodePoints.length < MAX_FREE_SCRAPES) this.nodePoints.push(scrape.node);
    scrape.node = undefined;
    if (this.scrapes.length < MAX_FREE_SCRAPES) this.scrapes.push(scrape);
  }

  /** Objects waiting for reuse (for tests). */
  get free(): { pods: number; containers: number; scrapes: number; nodePoints: number } {
    return { pods: this.pods.length, containers: this.points.length, scrapes: this.scrapes.length, nodePoints: this.nodePoints.length };
  }

  private putPoint(p: ContainerPoint): void {
    if (this.points.length < MAX_FREE_POINTS) this.points.push(p);
  }
}
