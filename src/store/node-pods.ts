// Stores one node's pods into its packed storage (node-entry.ts), and keeps the
// pod slots (pod-table.ts), the index (pod-index.ts) and the container counts
// in step.
//
// Kubelets list the same pods, with the same containers, in the same order
// tick after tick: the pods are first compared with the slots the node listed
// at the same places, and while they match their records are rewritten in
// place, with no lookup and no allocation. From the first pod that differs,
// the rest of the node is built in scratch arrays (a pod's old records may be
// anywhere in this node's or another node's storage, which must stay as they
// were until then) and copied into the node's storage at the end.

import type { ContainerPoint, PodPoints } from '../scrape/types.js';
import { sameNames } from './name-lists.js';
import { STRIDE, hasPrev } from './layout.js';
import { commitTail, containerBase, type NodeEntries, type NodeEntry } from './node-entry.js';
import type { PodIndex } from './pod-index.js';
import { NO_SLOT, type PodTable } from './pod-table.js';
import { storeContainerPoint } from './rules.js';

export class NodePods {
  // Running totals over live pods.
  containers = 0;
  containersWithPrev = 0;

  // Scratch for the changed part of a node, grown to the largest node seen.
  private slots = new Int32Array(64);
  private records = new Float64Array(64 * STRIDE);

  constructor(
    private readonly nodes: NodeEntries,
    private readonly table: PodTable,
    private readonly index: PodIndex,
    /** --metric-resolution in ms (ages are whole ms, so age < this ⇔ age × 10⁶ < the resolution in ns). */
    private readonly resolutionMs: number,
  ) {}

  /**
   * Stores the pods of node e's answer to `tick`, forgetting those it listed
   * before and no longer reports. The first answer of a pod in a tick wins.
   */
  store(e: NodeEntry, pods: readonly PodPoints[], tick: number): void {
    const t = this.table;
    const seen = tick | 0;
    const id = e.id;
    const listed = e.pods;
    const data = e.data;
    const same = Math.min(pods.length, e.podCount);
    let k = 0;
    let c = 0;
    for (; k < same; k++) {
      const pod = pods[k]!;
      const s = listed[k]!;
      // (A pod the node owns is always at `c` here; checked all the same, as a write there is a write in place.)
      if (t.owner[s] !== id || t.first[s] !== c || t.seen[s] === seen || t.name[s] !== pod.name || t.namespaceOf(s) !== pod.namespace) break;
      const points = pod.containers;
      const names = t.containersOf(s);
      if (!sameNames(names, points)) break;
      const n = names.length;
      let withPrev = 0;
      for (let i = 0; i < n; i++) {
        const base = containerBase(c + i);
        storeContainerPoint(data, base, data, base, points[i]!, this.resolutionMs);
        if (hasPrev(data, base)) withPrev++;
      }
      this.containersWithPrev += withPrev - t.withPrev[s]!;
      t.withPrev[s] = withPrev;
      t.seen[s] = seen;
      c += n;
    }
    if (k < pods.length || k < e.podCount) this.storeChanged(e, pods, k, c, seen);
  }

  /** Stores pods[k..] after the first k pods (c containers) were stored in place. */
  private storeChanged(e: NodeEntry, pods: readonly PodPoints[], k: number, c: number, seen: number): void {
    const t = this.table;
    const id = e.id;
    const listed = e.pods;
    const podCount = e.podCount;
    let added = 0;
    let w = 0;
    for (let i = k; i < pods.length; i++) {
      const pod = pods[i]!;
      let s = NO_SLOT;
      if (i < podCount) {
        const hint = listed[i]!;
        if (t.owner[hint] === id && t.name[hint] === pod.name && t.namespaceOf(hint) === pod.namespace) s = hint;
      }
      if (s === NO_SLOT) s = this.index.get(pod.namespace, pod.name);
      if (s !== NO_SLOT && t.seen[s] === seen) continue; // duplicate pod in one tick: first wins
      const points = uniqueByName(pod.containers);
      const n = points.length;
      if (n === 0) continue;
      this.ensureScratch(added + 1, w + n);
      const records = this.records;
      let withPrev = 0;
      if (s === NO_SLOT) {
        s = this.table.alloc();
        this.index.add(s, pod.namespace, pod.name);
        t.list[s] = t.lists.acquire(points);
        for (let j = 0; j < n; j++) {
          storeContainerPoint(undefined, -1, records, (w + j) * STRIDE, points[j]!, this.resolutionMs);
          if (hasPrev(records, (w + j) * STRIDE)) withPrev++;
        }
      } else {
        // Paired with its records where it was last stored: here, further on, or on another node.
        const from = this.nodes.byId[t.owner[s]!]!;
        const first = t.first[s]!;
        const stored = t.containersOf(s);
        const sameLayout = sameNames(stored, points);
        for (let j = 0; j < n; j++) {
          const at = sameLayout ? j : stored.indexOf(points[j]!.name);
          storeContainerPoint(at >= 0 ? from.data : undefined, containerBase(first + at), records, (w + j) * STRIDE, points[j]!, this.resolutionMs);
          if (hasPrev(records, (w + j) * STRIDE)) withPrev++;
        }
        this.containers -= stored.length;
        this.containersWithPrev -= t.withPrev[s]!;
        if (!sameLayout) {
          const list = t.list[s]!;
          t.list[s] = t.lists.acquire(points);
          t.lists.release(list);
        }
      }
      t.owner[s] = id;
      t.first[s] = c + w;
      t.withPrev[s] = withPrev;
      t.seen[s] = seen;
      this.containers += n;
      this.containersWithPrev += withPrev;
      this.slots[added++] = s;
      w += n;
    }
    // Listed before, still this node's, not reported now: gone.
    for (let i = k; i < podCount; i++) {
      const s = listed[i]!;
      if (t.owner[s] === id && t.seen[s] !== seen) this.drop(s);
    }
    commitTail(e, k, c, this.slots, added, this.records, w);
  }

  /** Takes the pods node e holds out of the counts and the index; returns their containers. */
  forget(e: NodeEntry): number {
    let containers = 0;
    for (let i = 0; i < e.podCount; i++) {
      const s = e.pods[i]!;
      if (this.table.owner[s] === e.id) containers += this.drop(s);
    }
    return containers;
  }

  /** Takes a pod out of the counts and the index and frees its slot; returns its containers. */
  private drop(s: number): number {
    const t = this.table;
    const n = t.containersOf(s).length;
    this.containers -= n;
    this.containersWithPrev -= t.withPrev[s]!;
    this.index.delete(s);
    t.lists.release(t.list[s]!);
    t.release(s);
    return n;
  }

  private ensureScratch(pods: number, containers: number): void {
    if (pods > this.slots.length) {
      const slots = new Int32Array(2 * pods);
      slots.set(this.slots);
      this.slots = slots;
    }
    if (containers * STRIDE > this.records.length) {
      const records = new Float64Array(2 * containers * STRIDE);
      records.set(this.records);
      this.records = records;
    }
  }
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
