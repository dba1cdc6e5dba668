// Wire JSON objects → protobufjs message objects in gogo's layout: every field
// Go writes even when empty (non-pointer strings, ints, embedded structs) is set
// explicitly, map keys are sorted (maps are written as their entries, see
// schema.ts), and pointer fields are set only when present.
// Each builder names its fields directly: no reflection on the hot path.

/* eslint-disable @typescript-eslint/no-explicit-any -- wire JSON is untyped here by design */

import { cachedDurationNanos, cachedTimeSeconds } from './wire-values.js';

type Json = any;
type Msg = Record<string, unknown>;

/** metav1.Time: whole seconds, nanos always 0; a zero/absent time is an empty message. */
export function time(v: string | null | undefined): Msg {
  if (v === undefined || v === null || v === '') return {};
  return { seconds: cachedTimeSeconds(v), nanos: 0 };
}

export function duration(v: string | undefined): Msg {
  return { duration: v === undefined ? 0 : cachedDurationNanos(v) };
}

/** protobufjs writes a lone surrogate as its own three bytes; Go and Buffer write U+FFFD. */
function wellFormed(s: string): string {
  return (s as unknown as { toWellFormed(): string }).toWellFormed();
}

/** Sorted keys of a map, as gogo marshals them. */
function sortedKeys(m: object): string[] {
  const keys = Object.keys(m);
  if (keys.length > 1) keys.sort();
  return keys;
}

/** map<string, string> entries in key order. */
function stringEntries(m: Record<string, string>): Msg[] {
  return sortedKeys(m).map((k) => ({ key: wellFormed(k), value: wellFormed(m[k]!) }));
}

export function quantityMap(m: Record<string, string> | undefined | null): Msg[] | undefined {
  if (!m) return undefined;
  return sortedKeys(m).map((k) => ({ key: wellFormed(k), value: { string: m[k] } }));
}

export function objectMeta(m: Json): Msg {
  const md = m ?? {};
  const out: Msg = {
    name: wellFormed(md.name ?? ''),
    generateName: md.generateName ?? '',
    namespace: wellFormed(md.namespace ?? ''),
    selfLink: md.selfLink ?? '',
    uid: md.uid ?? '',
    resourceVersion: md.resourceVersion ?? '',
    generation: md.generation ?? 0,
    creationTimestamp: time(md.creationTimestamp),
  };
  if (md.deletionTimestamp) out['deletionTimestamp'] = time(md.deletionTimestamp);
  if (md.deletionGracePeriodSeconds !== undefined && md.deletionGracePeriodSeconds !== null) {
    out['deletionGracePeriodSeconds'] = md.deletionGracePeriodSeconds;
  }
  if (md.labels) out['labels'] = stringEntries(md.labels);
  if (md.annotations) out['annotations'] = stringEntries(md.annotations);
  if (md.ownerReferences) {
    out['ownerReferences'] = md.ownerReferences.map((r: Json) => {
      const o: Msg = { kind: r.kind ?? '', name: r.name ?? '', uid: r.uid ?? '', apiVersion: r.apiVersion ?? '' };
      if (r.controller !== undefined) o['controller'] = r.controller;
      if (r.blockOwnerDeletion !== undefined) o['blockOwnerDeletion'] = r.blockOwnerDeletion;
      return o;
    });
  }
  if (md.finalizers) out['finalizers'] = md.finalizers;
  return out;
}

export function listMeta(m: Json): Msg {
  const md = m ?? {};
  const out: Msg = { selfLink: md.selfLink ?? '', resourceVersion: md.resourceVersion ?? '', continue: md.continue ?? '' };
  if (md.remainingItemCount !== undefined && md.remainingItemCount !== null) out['remainingItemCount'] = md.remainingItemCount;
  return out;
}

export function nodeMetrics(o: Json): Msg {
  const out: Msg = { metadata: objectMeta(o.metadata), timestamp: time(o.timestamp), window: duration(o.window) };
  const usage = quantityMap(o.usage);
  if (usage) out['usage'] = usage;
  return out;
}

export function containerMetrics(c: Json): Msg {
  const out: Msg = { name: wellFormed(c.name ?? '') };
  const usage = quantityMap(c.usage);
  if (usage) out['usage'] = usage;
  return out;
}

export function podMetrics(o: Json): Msg {
  return {
    metadata: objectMeta(o.metadata),
    timestamp: time(o.timestamp),
    window: duration(o.window),
    containers: (o.containers ?? []).map(containerMetrics),
  };
}

export function nodeMetricsList(o: Json): Msg {
  return { metadata: listMeta(o.metadata), items: (o.items ?? []).map(nodeMetrics) };
}

export function podMetricsList(o: Json): Msg {
  return { metadata: listMeta(o.metadata), items: (o.items ?? []).map(podMetrics) };
}

export function status(o: Json): Msg {
  const out: Msg = {
    metadata: listMeta(o.metadata),
    status: o.status ?? '',
    message: o.message ?? '',
    reason: o.reason ?? '',
  };
  if (o.details) {
    const d = o.details;
    out['details'] = {
      name: d.name ?? '',
      group: d.group ?? '',
      kind: d.kind ?? '',
      causes: (d.causes ?? []).map((c: Json) => ({ reason: c.reason ?? '', message: c.message ?? '', field: c.field ?? '' })),
      retryAfterSeconds: d.retryAfterSeconds ?? 0,
      uid: d.uid ?? '',
    };
  }
  out['code'] = o.code ?? 0;
  return out;
}

function groupVersionForDiscovery(v: Json): Msg {
  return { groupVersion: v?.groupVersion ?? '', version: v?.version ?? '' };
}

export function apiGroup(g: Json): Msg {
  return {
    name: g.name ?? '',
    versions: (g.versions ?? []).map(groupVersionForDiscovery),
    preferredVersion: groupVersionForDiscovery(g.preferredVersion),
    serverAddressByClientCIDRs: (g.serverAddressByClientCIDRs ?? []).map((s: Json) => ({
      clientCIDR: s.clientCIDR ?? '',
      serverAddress: s.serverAddress ?? '',
    })),
  };
}

export function apiGroupList(o: Json): Msg {
  return { groups: (o.groups ?? []).map(apiGroup) };
}

function apiResource(r: Json): Msg {
  const out: Msg = { name: r.name ?? '', namespaced: r.namespaced ?? false, kind: r.kind ?? '' };
  if (r.verbs) out['verbs'] = { items: r.verbs };
  out['shortNames'] = r.shortNames ?? [];
  out['singularName'] = r.singularName ?? '';
  out['categories'] = r.categories ?? [];
  out['group'] = r.group ?? '';
  out['version'] = r.version ?? '';
  out['storageVersionHash'] = r.storageVersionHash ?? '';
  return out;
}

export function apiResourceList(o: Json): Msg {
  return { groupVersion: o.groupVersion ?? '', resources: (o.resources ?? []).map(apiResource) };
}

export function partialObjectMetadata(o: Json): Msg {
  return { metadata: objectMeta(o.metadata) };
}

export function partialObjectMetadataList(o: Json): Msg {
  return { metadata: listMeta(o.metadata), items: (o.items ?? []).map(partialObjectMetadata) };
}
