// Hand-written protobuf encoder for the hot path: NodeMetrics, PodMetrics and
// their lists, straight from wire JSON into one preallocated buffer, envelope
// included. Pass 1 measures (every nested message length is recorded in write
// order), pass 2 writes, re-deriving string lengths and numbers. The output is byte-identical to the protobufjs path
// (messages.ts + schema.ts), which the tests check; anything unusual (owner
// references, deletion timestamps, negative or non-integer numbers) returns
// undefined and the caller takes the protobufjs path instead.

/* eslint-disable @typescript-eslint/no-explicit-any -- wire JSON */

import { utf8Length, varLen } from './lengths.js';
import { cachedDurationNanos, cachedTimeSeconds } from './wire-values.js';

class Unsupported extends Error {}

// Nested message lengths in write order (strings and numbers are cheap to
// re-derive in pass 2); kept between calls, up to a cap, to avoid regrowth.
const SLOTS_KEEP = 1 << 22;
let slots = new Int32Array(1 << 16);
let sn = 0;
let si = 0;

function push(v: number): number {
  if (sn === slots.length) {
    const bigger = new Int32Array(slots.length * 2);
    bigger.set(slots);
    slots = bigger;
  }
  slots[sn] = v;
  return sn++;
}
const EMPTY = Buffer.alloc(0);
let buf: Buffer = EMPTY;
let pos = 0;

function writeVarint(v: number): void {
  if (v < 0x100000000) {
    while (v > 0x7f) {
      buf[pos++] = (v & 0x7f) | 0x80;
      v >>>= 7;
    }
    buf[pos++] = v;
    return;
  }
  while (v > 0x7f) {
    buf[pos++] = (v % 0x80) | 0x80;
    v = Math.floor(v / 0x80);
  }
  buf[pos++] = v;
}

function checkNumber(v: unknown): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) throw new Unsupported();
  return v;
}

// ---- pass 1: sizes (each returns the whole field: tag + length + body) ----

function sStr(s: unknown): number {
  const str = s === undefined || s === null ? '' : s;
  if (typeof str !== 'string') throw new Unsupported();
  const n = utf8Length(str);
  return 1 + varLen(n) + n;
}

// Map values must really be strings; anything else goes to the general encoder.
function sValue(s: unknown): number {
  if (typeof s !== 'string') throw new Unsupported();
  return sStr(s);
}

function sMsg(body: number, idx: number): number {
  slots[idx] = body;
  return 1 + varLen(body) + body;
}

function sTime(v: unknown): number {
  const idx = push(0);
  if (v === undefined || v === null || v === '') return sMsg(0, idx);
  if (typeof v !== 'string') throw new Unsupported();
  const secs = checkNumber(cachedTimeSeconds(v));
  return sMsg(1 + varLen(secs) + 2, idx);
}

function sDuration(v: unknown): number {
  const idx = push(0);
  if (v !== undefined && typeof v !== 'string') throw new Unsupported();
  const ns = checkNumber(v === undefined ? 0 : cachedDurationNanos(v));
  return sMsg(1 + varLen(ns), idx);
}

// Map keys in Go's order. Callers iterate the returned scratch array at once and
// never nest, so one reused array avoids an allocation (and usually a sort) per map.
const scratch: string[] = [];
function sortedKeys(m: object): string[] {
  scratch.length = 0;
  let sorted = true;
  for (const k in m) {
    if (scratch.length > 0 && !(scratch[scratch.length - 1]! < k)) sorted = false;
    scratch.push(k);
  }
  if (!sorted) scratch.sort();
  return scratch;
}

function sStringMap(m: any): number {
  if (m === undefined || m === null) return 0;
  let size = 0;
  for (const k of sortedKeys(m)) {
    const idx = push(0);
    size += sMsg(sStr(k) + sValue(m[k]), idx);
  }
  return size;
}

function sQuantityMap(m: any): number {
  if (m === undefined || m === null) return 0;
  let size = 0;
  for (const k of sortedKeys(m)) {
    const idx = push(0);
    const keySize = sStr(k);
    const qIdx = push(0);
    size += sMsg(keySize + sMsg(sValue(m[k]), qIdx), idx);
  }
  return size;
}

function sObjectMeta(md: any): number {
  const idx = push(0);
  const m = md ?? {};
  if (m.deletionTimestamp || m.deletionGracePeriodSeconds !== undefined || m.ownerReferences || m.finalizers || m.managedFields) throw new Unsupported();
  const gen = checkNumber(m.generation ?? 0);
  const body =
    sStr(m.name) +
    sStr(m.generateName) +
    sStr(m.namespace) +
    sStr(m.selfLink) +
    sStr(m.uid) +
    sStr(m.resourceVersion) +
    1 +
    varLen(gen) +
    sTime(m.creationTimestamp) +
    sStringMap(m.labels) +
    sStringMap(m.annotations);
  return sMsg(body, idx);
}

function sListMeta(md: any): number {
  const idx = push(0);
  const m = md ?? {};
  if (m.remainingItemCount !== undefined && m.remainingItemCount !== null) throw new Unsupported();
  return sMsg(sStr(m.selfLink) + sStr(m.resourceVersion) + sStr(m.continue), idx);
}

function sNodeMetricsBody(o: any): number {
  return sObjectMeta(o.metadata) + sTime(o.timestamp) + sDuration(o.window) + sQuantityMap(o.usage);
}

function sPodMetricsBody(o: any): number {
  let size = sObjectMeta(o.metadata) + sTime(o.timestamp) + sDuration(o.window);
  for (const c of o.containers ?? []) {
    const idx = push(0);
    size += sMsg(sStr(c.name) + sQuantityMap(c.usage), idx);
  }
  return size;
}

function sList(o: any, item: (i: any) => number): number {
  let size = sListMeta(o.metadata);
  for (const i of o.items ?? []) {
    const idx = push(0);
    size += sMsg(item(i), idx);
  }
  return size;
}

// ---- pass 2: writes, consuming slots in the same order ----

function wStr(tag: number, s: unknown): void {
  const str = (s ?? '') as string;
  const n = utf8Length(str);
  buf[pos++] = tag;
  writeVarint(n);
  if (n === str.length) {
    // ASCII (almost every string here): byte by byte beats a native call for short strings.
    for (let i = 0; i < n; i++) buf[pos++] = str.charCodeAt(i);
  } else {
    pos += buf.write(str, pos, 'utf8');
  }
}

function wHeader(tag: number): void {
  buf[pos++] = tag;
  writeVarint(slots[si++]!);
}

function wTime(tag: number, v: unknown): void {
  wHeader(tag);
  if (v === undefined || v === null || v === '') return;
  buf[pos++] = 0x08;
  writeVarint(cachedTimeSeconds(v as string));
  buf[pos++] = 0x10;
  buf[pos++] = 0x00;
}

function wDuration(tag: number, v: string | undefined): void {
  wHeader(tag);
  buf[pos++] = 0x08;
  writeVarint(v === undefined ? 0 : cachedDurationNanos(v));
}

function wStringMap(tag: number, m: any): void {
  if (m === undefined || m === null) return;
  for (const k of sortedKeys(m)) {
    wHeader(tag);
    wStr(0x0a, k);
    wStr(0x12, m[k]);
  }
}

function wQuantityMap(tag: number, m: any): void {
  if (m === undefined || m === null) return;
  for (const k of sortedKeys(m)) {
    wHeader(tag);
    wStr(0x0a, k);
    wHeader(0x12);
    wStr(0x0a, m[k]);
  }
}

function wObjectMeta(md: any): void {
  const m = md ?? {};
  wHeader(0x0a);
  const gen = m.generation ?? 0;
  wStr(0x0a, m.name);
  wStr(0x12, m.generateName);
  wStr(0x1a, m.namespace);
  wStr(0x22, m.selfLink);
  wStr(0x2a, m.uid);
  wStr(0x32, m.resourceVersion);
  buf[pos++] = 0x38;
  writeVarint(gen);
  wTime(0x42, m.creationTimestamp);
  wStringMap(0x5a, m.labels);
  wStringMap(0x62, m.annotations);
}

function wListMeta(md: any): void {
  const m = md ?? {};
  wHeader(0x0a);
  wStr(0x0a, m.selfLink);
  wStr(0x12, m.resourceVersion);
  wStr(0x1a, m.continue);
}

function wNodeMetricsBody(o: any): void {
  wObjectMeta(o.metadata);
  wTime(0x12, o.timestamp);
  wDuration(0x1a, o.window);
  wQuantityMap(0x22, o.usage);
}

function wPodMetricsBody(o: any): void {
  wObjectMeta(o.metadata);
  wTime(0x12, o.timestamp);
  wDuration(0x1a, o.window);
  for (const c of o.containers ?? []) {
    wHeader(0x22);
    wStr(0x0a, c.name);
    wQuantityMap(0x12, c.usage);
  }
}

function wList(o: any, item: (i: any) => void): void {
  wListMeta(o.metadata);
  for (const i of o.items ?? []) {
    wHeader(0x12);
    item(i);
  }
}

const KINDS: Record<string, [(o: any) => number, (o: any) => void]> = {
  NodeMetrics: [sNodeMetricsBody, wNodeMetricsBody],
  PodMetrics: [sPodMetricsBody, wPodMetricsBody],
  NodeMetricsList: [(o) => sList(o, sNodeMetricsBody), (o) => wList(o, wNodeMetricsBody)],
  PodMetricsList: [(o) => sList(o, sPodMetricsBody), (o) => wList(o, wPodMetricsBody)],
};

/**
 * The full protobuf response body (magic + runtime.Unknown envelope) for a
 * metrics object, or undefined when the object needs the general encoder.
 */
export function encodeMetricsFast(obj: { kind?: string; apiVersion?: string }): Buffer | undefined {
  const fns = obj.kind !== undefined && Object.hasOwn(KINDS, obj.kind) ? KINDS[obj.kind] : undefined;
  if (!fns) return undefined;
  sn = 0;
  si = 0;
  let raw: number;
  let typeMeta: number;
  try {
    // Envelope: typeMeta {apiVersion, kind} is measured first, so it is written first.
    const tmIdx = push(0);
    typeMeta = sMsg(sStr(obj.apiVersion) + sStr(obj.kind), tmIdx);
    raw = fns[0](obj);
  } catch (err) {
    if (err instanceof Unsupported) return undefined;
    throw err;
  }
  const total = 4 + typeMeta + 1 + varLen(raw) + raw + 4;
  buf = Buffer.allocUnsafe(total);
  pos = 0;
  buf[pos++] = 0x6b;
  buf[pos++] = 0x38;
  buf[pos++] = 0x73;
  buf[pos++] = 0x00;
  wHeader(0x0a);
  wStr(0x0a, obj.apiVersion);
  wStr(0x12, obj.kind);
  buf[pos++] = 0x12;
  writeVarint(raw);
  fns[1](obj);
  buf[pos++] = 0x1a;
  buf[pos++] = 0x00;
  buf[pos++] = 0x22;
  buf[pos++] = 0x00;
  if (pos !== total) throw new Error(`protobuf fast path wrote ${pos} bytes, measured ${total}`);
  const out = buf;
  buf = EMPTY;
  if (slots.length > SLOTS_KEEP) slots = new Int32Array(1 << 16); // do not pin a huge scratch
  return out;
}
