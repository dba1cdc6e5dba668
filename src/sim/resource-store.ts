// The stand-in apiserver's storage view: resourceVersions (one monotonic counter,
// as etcd's revision), a bounded event history for watch-from-RV (older RVs get
// 410 Expired, as after compaction), and live watchers fed from the model.

import { stableHash, type SimNode, type SimPod, type UsageModel } from './model.js';
import { nodeFields, podFields, renderNode, renderPod, type Json } from './objects.js';

export type Kind = 'nodes' | 'pods' | 'configmaps';
export type EventType = 'ADDED' | 'MODIFIED' | 'DELETED';

/** One object as list, get and watch see it. */
export interface Entry {
  namespace?: string;
  name: string;
  labels: Readonly<Record<string, string>>;
  fields: Readonly<Record<string, string>>;
  rv: number;
  render(): Json;
  /** The model object (for Table cells). */
  source?: SimNode | SimPod;
}

export interface StoredEvent {
  rv: number;
  kind: Kind;
  type: EventType;
  entry: Entry;
  /** Labels before a MODIFIED, for selector transitions. */
  prevLabels?: Readonly<Record<string, string>>;
  /** The object rendered at the time of the event. */
  object: Json;
}

export interface WatcherSpec {
  kind: Kind;
  namespace?: string;
  matches(labels: Readonly<Record<string, string>>, fields: Readonly<Record<string, string>>, namespace: string | undefined, name: string): boolean;
  send(type: EventType, object: Json): void;
}

export class ExpiredError extends Error {}

export class ResourceStore {
  /** The newest resourceVersion handed out. */
  rv = 0;
  private readonly rvs = new Map<string, number>();
  /** history[historyStart..] are the retained events (the dead prefix is cut in bulk, not one shift per event). */
  private readonly history: StoredEvent[] = [];
  private historyStart = 0;
  /** Events after this RV are all in history; watches from older RVs are expired. */
  private compactedRv = 0;
  private readonly watchers = new Set<WatcherSpec>();
  private readonly configMaps = new Map<string, { namespace: string; name: string; data: Record<string, string>; rv: number; created: number }>();
  private podOrdinal = new Map<SimPod, number>();
  private nextOrdinal = 0;

  constructor(
    private readonly model: UsageModel,
    private readonly historySize = 10_000,
    private readonly now: () => number = Date.now,
  ) {
    for (const n of model.nodes) this.rvs.set(`nodes/${n.name}`, ++this.rv);
    for (const p of model.allPods()) {
      this.rvs.set(`pods/${p.namespace}/${p.name}`, ++this.rv);
      this.podOrdinal.set(p, this.nextOrdinal++);
    }
    this.compactedRv = this.rv;
    model.onChange((kind, type, obj, prevLabels) => {
      if (kind === 'node') this.record('nodes', type, this.nodeEntry(obj as SimNode, true), prevLabels);
      else {
        const p = obj as SimPod;
        if (type === 'ADDED') this.podOrdinal.set(p, this.nextOrdinal++);
        this.record('pods', type, this.podEntry(p, true), prevLabels);
        if (type === 'DELETED') this.podOrdinal.delete(p);
      }
    });
  }

  putConfigMap(namespace: string, name: string, data: Record<string, string>): void {
    const key = `${namespace}/${name}`;
    const existing = this.configMaps.get(key);
    // record() below hands out this RV.
    const cm = { namespace, name, data, rv: this.rv + 1, created: existing?.created ?? this.now() };
    this.configMaps.set(key, cm);
    this.record('configmaps', existing ? 'MODIFIED' : 'ADDED', this.configMapEntry(cm));
  }

  private configMapEntry(cm: { namespace: string; name: string; data: Record<string, string>; rv: number; created: number }): Entry {
    return {
      namespace: cm.namespace,
      name: cm.name,
      labels: {},
      fields: { 'metadata.name': cm.name, 'metadata.namespace': cm.namespace },
      rv: cm.rv,
      render: () => ({
        kind: 'ConfigMap',
        apiVersion: 'v1',
        metadata: { name: cm.name, namespace: cm.namespace, uid: `20000000-0000-4000-8000-${stableHash(`${cm.namespace}/${cm.name}`).toString(16).padStart(12, '0')}`, resourceVersion: String(cm.rv), creationTimestamp: new Date(Math.floor(cm.created / 1000) * 1000).toISOString().slice(0, 19) + 'Z' },
        data: { ...cm.data },
      }),
    };
  }

  private nodeEntry(n: SimNode, bump = false): Entry {
    const key = `nodes/${n.name}`;
    if (bump) this.rvs.set(key, this.rv + 1);
    const rv = this.rvs.get(key) ?? this.rv;
    return { name: n.name, labels: n.labels, fields: nodeFields(n), rv, render: () => renderNode(n, rv, this.now()), source: n };
  }

  private podEntry(p: SimPod, bump = false): Entry {
    const key = `pods/${p.namespace}/${p.name}`;
    if (bump) this.rvs.set(key, this.rv + 1);
    const rv = this.rvs.get(key) ?? this.rv;
    const ordinal = this.podOrdinal.get(p) ?? 0;
    return { namespace: p.namespace, name: p.name, labels: p.labels, fields: podFields(p), rv, render: () => renderPod(p, rv, ordinal), source: p };
  }

  private record(kind: Kind, type: EventType, entry: Entry, prevLabels?: Readonly<Record<string, string>>): void {
    this.rv++;
    if (type === 'DELETED') this.rvs.delete(kind === 'nodes' ? `nodes/${entry.name}` : `${kind}/${entry.namespace}/${entry.name}`);
    // A deleted object carries the deletion's RV, as kube-apiserver reports it.
    const object = entry.render();
    (object.metadata as Json).resourceVersion = String(this.rv);
    const ev: StoredEvent = { rv: this.rv, kind, type, entry: { ...entry, rv: this.rv, labels: { ...entry.labels } }, object, ...(prevLabels ? { prevLabels: { ...prevLabels } } : {}) };
    this.history.push(ev);
    if (this.history.length - this.historyStart > this.historySize) {
      this.compactedRv = this.history[this.historyStart++]!.rv;
      // Cutting one event off the front per event moved the whole history each time (a churn round of the
      // benchmark records 60k events); cut the dead prefix once it is as long as the history.
      if (this.historyStart >= this.historySize) {
        this.history.splice(0, this.historyStart);
        this.historyStart = 0;
      }
    }
    for (const w of this.watchers) this.deliver(w, ev);
  }

  /** Translates one event for a watcher with selectors (as the watch cache does). */
  private deliver(w: WatcherSpec, ev: StoredEvent): void {
    if (ev.kind !== w.kind) return;
    const e = ev.entry;
    if (w.namespace !== undefined && e.namespace !== w.namespace) return;
    const now = w.matches(e.labels, e.fields, e.namespace, e.name);
    if (ev.type !== 'MODIFIED') {
      if (now) w.send(ev.type, ev.object);
      return;
    }
    const before = w.matches(ev.prevLabels ?? e.labels, e.fields, e.namespace, e.name);
    if (now && before) w.send('MODIFIED', ev.object);
    else if (now) w.send('ADDED', ev.object);
    else if (before) w.send('DELETED', ev.object);
  }

  list(kind: Kind, namespace?: string): Entry[] {
    const out: Entry[] = [];
    if (kind === 'nodes') for (const n of this.model.nodes) out.push(this.nodeEntry(n));
    else if (kind === 'pods') {
      for (const p of this.model.allPods()) if (namespace === undefined || p.namespace === namespace) out.push(this.podEntry(p));
    } else for (const cm of this.configMaps.values()) if (namespace === undefined || cm.namespace === namespace) out.push(this.configMapEntry(cm));
    return out;
  }

  get(kind: Kind, namespace: string | undefined, name: string): Entry | undefined {
    if (kind === 'nodes') {
      const n = this.model.node(name);
      return n ? this.nodeEntry(n) : undefined;
    }
    if (kind === 'pods') {
      const p = namespace === undefined ? undefined : this.model.pod(namespace, name);
      return p ? this.podEntry(p) : undefined;
    }
    const cm = this.configMaps.get(`${namespace}/${name}`);
    return cm ? this.configMapEntry(cm) : undefined;
  }

  /**
   * Starts a watch. fromRv undefined: the current state as ADDED events first.
   * Otherwise every event after fromRv; ExpiredError when those were compacted away.
   */
  watch(w: WatcherSpec, fromRv: number | undefined): () => void {
    if (fromRv === undefined) {
      for (const e of this.list(w.kind, w.namespace)) if (w.matches(e.labels, e.fields, e.namespace, e.name)) w.send('ADDED', e.render());
    } else {
      if (fromRv < this.compactedRv) throw new ExpiredError(`too old resource version: ${fromRv} (${this.compactedRv + 1})`);
      for (let i = this.historyStart; i < this.history.length; i++) {
        const ev = this.history[i]!;
        if (ev.rv > fromRv) this.deliver(w, ev);
      }
    }
    this.watchers.add(w);
    return () => this.watchers.delete(w);
  }

  /** Whether every event after rv is still in history (rv not compacted). */
  retains(rv: number): boolean {
    return rv >= this.compactedRv && rv <= this.rv;
  }

  get watcherCount(): number {
    return this.watchers.size;
  }
}
