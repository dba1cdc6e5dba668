// The protobuf body (magic + runtime.Unknown envelope) of a NodeMetricsList or
// PodMetricsList written straight from rows, byte for byte what encodeProtobuf()
// makes of listObject(rows); or of the PartialObjectMetadataList of those rows
// (each item its ObjectMeta alone), as encodeProtobuf() makes of
// asPartialObjectMetadata(listObject(rows)). Each item's nested lengths are
// computed from its own strings before it is written, so there is no measuring
// pass over the whole list; the envelope's length prefix is written last, in
// front of the items (room is reserved for it). Rows with anything the general
// encoder treats differently (a time before 1970, a negative window, a
// non-string label value) return undefined and the caller encodes the objects
// instead.

import { utf8Length, varLen } from '../codec/proto/lengths.js';
import type { MetricsRows, NodeRow, PodRow } from '../metrics-rows.js';
import { sortedLabels } from '../objects.js';
import { cpuQuantity, memoryQuantity } from '../quantity.js';
import type { ResourceUsage } from '../sources.js';
import { GROUP_VERSION } from '../types.js';
import { ByteSink, SizeHint } from './byte-sink.js';
import { writeWhole, type ListBodyWriter, type Unfinished } from './list-body-writer.js';
import { protoNanos, protoSeconds, RowUnsupported } from './row-values.js';

const MAGIC = Uint8Array.of(0x6b, 0x38, 0x73, 0x00);
/** ObjectMeta's selfLink, uid, resourceVersion (all "") and generation 0. */
const META_FIXED = Uint8Array.of(0x22, 0x00, 0x2a, 0x00, 0x32, 0x00, 0x38, 0x00);
/** ListMeta {selfLink, resourceVersion, continue: ""} as field 1. */
const LIST_META = Uint8Array.of(0x0a, 0x06, 0x0a, 0x00, 0x12, 0x00, 0x1a, 0x00);
/** runtime.Unknown's contentEncoding and contentType, both "". */
const ENVELOPE_TAIL = Uint8Array.of(0x1a, 0x00, 0x22, 0x00);
/** Room in front of the items for magic, typeMeta, the raw field's header and ListMeta. */
const RESERVE = 96;
const HINTS = {
  NodeMetricsList: new SizeHint(180),
  PodMetricsList: new SizeHint(240),
  PartialNodeMetricsList: new SizeHint(120),
  PartialPodMetricsList: new SizeHint(140),
};

/** A length-delimited field of a body of n bytes: tag + length + body. */
function field(n: number): number {
  return 1 + varLen(n) + n;
}

function varint(out: ByteSink, v: number): void {
  const buf = out.buf;
  while (v >= 0x80) {
    buf[out.pos++] = (v % 0x80) | 0x80;
    v = Math.floor(v / 0x80);
  }
  buf[out.pos++] = v;
}

/** A string field whose UTF-8 length is known; room already ensured. */
function str(out: ByteSink, tag: number, s: string, n: number): void {
  const buf = out.buf;
  buf[out.pos++] = tag;
  varint(out, n);
  if (n === s.length) {
    let p = out.pos;
    for (let i = 0; i < n; i++) buf[p++] = s.charCodeAt(i);
    out.pos = p;
  } else {
    out.pos += buf.write(s, out.pos, n, 'utf8');
  }
}

/** metav1.Time {seconds, nanos: 0}: the message's size. */
function timeBody(secs: number): number {
  return 1 + varLen(secs) + 2;
}

/** metav1.Time as field `tag`; room already ensured. */
function writeTime(out: ByteSink, tag: number, secs: number): void {
  const buf = out.buf;
  buf[out.pos++] = tag;
  varint(out, timeBody(secs));
  buf[out.pos++] = 0x08;
  varint(out, secs);
  buf[out.pos++] = 0x10;
  buf[out.pos++] = 0x00;
}

/** metav1.Duration {duration: ns} as field 3 (window); room already ensured. */
function writeWindow(out: ByteSink, ns: number): void {
  out.buf[out.pos++] = 0x1a;
  varint(out, 1 + varLen(ns));
  out.buf[out.pos++] = 0x08;
  varint(out, ns);
}

/** Per-item scratch, reused: label keys in Go's order and string lengths, container quantities. */
class Scratch {
  /** The item's labels in sortedLabels()'s form (what the object path serializes). */
  labels: Readonly<Record<string, string>> | undefined;
  keys: string[] = [];
  keyLens: number[] = [];
  valLens: number[] = [];
  entryLens: number[] = [];
  cpu: string[] = [];
  mem: string[] = [];
  nameLens: number[] = [];
  bodyLens: number[] = [];
}

/** Sizes the labels (map<string,string> field 11 of ObjectMeta) into s; returns their bytes. */
function sizeLabels(s: Scratch, labels: Readonly<Record<string, string>>): number {
  s.keys.length = 0;
  const sorted = sortedLabels(labels);
  s.labels = sorted;
  if (!sorted) return 0;
  let inOrder = true;
  for (const k in sorted) {
    if (s.keys.length > 0 && !(s.keys[s.keys.length - 1]! < k)) inOrder = false;
    s.keys.push(k);
  }
  // Go sorts map keys as strings; JavaScript puts integer-like keys first.
  if (!inOrder) s.keys.sort();
  let size = 0;
  for (let i = 0; i < s.keys.length; i++) {
    const k = s.keys[i]!;
    const v: unknown = sorted[k];
    if (typeof v !== 'string') throw new RowUnsupported();
    const kl = utf8Length(k);
    const vl = utf8Length(v);
    const entry = field(kl) + field(vl);
    s.keyLens[i] = kl;
    s.valLens[i] = vl;
    s.entryLens[i] = entry;
    size += field(entry);
  }
  return size;
}

/** The labels sizeLabels() measured last. */
function writeLabels(out: ByteSink, s: Scratch): void {
  for (let i = 0; i < s.keys.length; i++) {
    const k = s.keys[i]!;
    out.buf[out.pos++] = 0x5a;
    varint(out, s.entryLens[i]!);
    str(out, 0x0a, k, s.keyLens[i]!);
    str(out, 0x12, s.labels![k]!, s.valLens[i]!);
  }
}

const CPU_KEY_FIELD = field(3);
const MEMORY_KEY_FIELD = field(6);

/** A ResourceList entry's size: key field + Quantity message field (its string field 1). */
function entrySize(keyField: number, q: string): number {
  return keyField + field(field(q.length));
}

/** ResourceList entries (cpu, then memory: Go's key order) as repeated field `tag`. */
function usageSize(cpu: string, mem: string): number {
  return field(entrySize(CPU_KEY_FIELD, cpu)) + field(entrySize(MEMORY_KEY_FIELD, mem));
}

function writeEntry(out: ByteSink, tag: number, key: string, q: string, keyField: number): void {
  out.buf[out.pos++] = tag;
  varint(out, entrySize(keyField, q));
  str(out, 0x0a, key, key.length);
  out.buf[out.pos++] = 0x12;
  varint(out, field(q.length));
  str(out, 0x0a, q, q.length);
}

function writeUsage(out: ByteSink, tag: number, cpu: string, mem: string): void {
  writeEntry(out, tag, 'cpu', cpu, CPU_KEY_FIELD);
  writeEntry(out, tag, 'memory', mem, MEMORY_KEY_FIELD);
}

function quantities(u: ResourceUsage): [string, string] {
  return [cpuQuantity(u.cpuNanocores), memoryQuantity(u.memoryBytes)];
}

interface ListState {
  out: ByteSink;
  s: Scratch;
  /** creationTimestamp (the response time) as field 8 of ObjectMeta: the same for every item. */
  creation: Buffer;
  /** Where each item's creationTimestamp seconds start in out (the list cache rewrites them as seconds pass). */
  creationAt: Int32Array;
  items: number;
}

/** Bytes of creationTimestamp in front of its seconds: field 8, length, seconds' tag. */
const CREATION_HEAD = 3;

/** ObjectMeta's size: name, generateName "", namespace, selfLink/uid/resourceVersion "", generation 0, creationTimestamp, labels. */
function metaSize(nameLen: number, nsLen: number, creation: Buffer, labelsSize: number): number {
  return field(nameLen) + 2 + field(nsLen) + 6 + 2 + creation.length + labelsSize;
}

function writeMeta(st: ListState, size: number, name: string, nameLen: number, ns: string, nsLen: number): void {
  const { out } = st;
  out.buf[out.pos++] = 0x0a;
  varint(out, size);
  str(out, 0x0a, name, nameLen);
  out.buf[out.pos++] = 0x12;
  out.buf[out.pos++] = 0x00;
  str(out, 0x1a, ns, nsLen);
  out.bytes(META_FIXED);
  st.creationAt[st.items++] = out.pos + CREATION_HEAD;
  out.bytes(st.creation);
  writeLabels(out, st.s);
}

function nodeItem(st: ListState, row: NodeRow): void {
  const { out, s } = st;
  const { node, usage: u } = row;
  const name = node.name;
  const nameLen = utf8Length(name);
  const meta = metaSize(nameLen, 0, st.creation, sizeLabels(s, node.labels));
  const secs = protoSeconds(u.timestampMs);
  const ns = protoNanos(u.windowNs);
  const [cpu, mem] = quantities(u.usage);
  const body = field(meta) + field(timeBody(secs)) + field(1 + varLen(ns)) + usageSize(cpu, mem);
  out.ensure(field(body));
  out.buf[out.pos++] = 0x12;
  varint(out, body);
  writeMeta(st, meta, name, nameLen, '', 0);
  writeTime(out, 0x12, secs);
  writeWindow(out, ns);
  writeUsage(out, 0x22, cpu, mem);
}

function podItem(st: ListState, row: PodRow): void {
  const { out, s } = st;
  const { pod, usage: u } = row;
  const nameLen = utf8Length(pod.name);
  const nsLen = utf8Length(pod.namespace);
  const meta = metaSize(nameLen, nsLen, st.creation, sizeLabels(s, pod.labels));
  const secs = protoSeconds(u.timestampMs);
  const ns = protoNanos(u.windowNs);
  let body = field(meta) + field(timeBody(secs)) + field(1 + varLen(ns));
  const cs = u.containers;
  for (let c = 0; c < cs.length; c++) {
    const [cpu, mem] = quantities(cs[c]!.usage);
    const nl = utf8Length(cs[c]!.name);
    const cBody = field(nl) + usageSize(cpu, mem);
    s.cpu[c] = cpu;
    s.mem[c] = mem;
    s.nameLens[c] = nl;
    s.bodyLens[c] = cBody;
    body += field(cBody);
  }
  out.ensure(field(body));
  out.buf[out.pos++] = 0x12;
  varint(out, body);
  writeMeta(st, meta, pod.name, nameLen, pod.namespace, nsLen);
  writeTime(out, 0x12, secs);
  writeWindow(out, ns);
  for (let c = 0; c < cs.length; c++) {
    out.buf[out.pos++] = 0x22;
    varint(out, s.bodyLens[c]!);
    str(out, 0x0a, cs[c]!.name, s.nameLens[c]!);
    writeUsage(out, 0x12, s.cpu[c]!, s.mem[c]!);
  }
}

/** A PartialObjectMetadata item (field 2 of the list): its ObjectMeta as field 1, nothing else. */
function metadataItem(st: ListState, name: string, ns: string, labels: Readonly<Record<string, string>>): void {
  const { out, s } = st;
  const nameLen = utf8Length(name);
  const nsLen = utf8Length(ns);
  const meta = metaSize(nameLen, nsLen, st.creation, sizeLabels(s, labels));
  const body = field(meta);
  out.ensure(field(body));
  out.buf[out.pos++] = 0x12;
  varint(out, body);
  writeMeta(st, meta, name, nameLen, ns, nsLen);
}

/** The protobuf body of a list, written a range of rows at a time. */
export class ProtobufListWriter implements ListBodyWriter {
  private readonly st: ListState;
  private readonly hint: SizeHint;

  /** metadataVersion: write the PartialObjectMetadataList of meta.k8s.io at that version instead of the metrics list. */
  constructor(
    private readonly r: MetricsRows,
    private readonly metadataVersion?: string,
  ) {
    const creation = new ByteSink(16);
    writeTime(creation, 0x42, protoSeconds(r.nowMs));
    this.hint = HINTS[metadataVersion === undefined ? r.kind : (`Partial${r.kind}` as const)];
    const out = new ByteSink(this.hint.estimate(r.rows.length), RESERVE);
    this.st = { out, s: new Scratch(), creation: creation.buf.subarray(0, creation.pos), creationAt: new Int32Array(r.rows.length), items: 0 };
  }

  write(from: number, to: number): void {
    const { st, r } = this;
    if (this.metadataVersion !== undefined) {
      if (r.kind === 'NodeMetricsList') for (let i = from; i < to; i++) metadataItem(st, r.rows[i]!.node.name, '', r.rows[i]!.node.labels);
      else for (let i = from; i < to; i++) metadataItem(st, r.rows[i]!.pod.name, r.rows[i]!.pod.namespace, r.rows[i]!.pod.labels);
    } else if (r.kind === 'NodeMetricsList') for (let i = from; i < to; i++) nodeItem(st, r.rows[i]!);
    else for (let i = from; i < to; i++) podItem(st, r.rows[i]!);
  }

  finish(): Unfinished {
    const { out, creationAt } = this.st;
    const partial = this.metadataVersion !== undefined;
    const kind = partial ? 'PartialObjectMetadataList' : this.r.kind;
    const apiVersion = partial ? `meta.k8s.io/${this.metadataVersion}` : GROUP_VERSION;
    const items = out.pos - RESERVE;
    out.bytes(ENVELOPE_TAIL);
    // In front of the items: magic, typeMeta, the raw field (ListMeta {"", "", ""} + items).
    const raw = LIST_META.length + items;
    const head = new ByteSink(RESERVE);
    head.bytes(MAGIC);
    head.buf[head.pos++] = 0x0a;
    varint(head, field(apiVersion.length) + field(kind.length));
    str(head, 0x0a, apiVersion, apiVersion.length);
    str(head, 0x12, kind, kind.length);
    head.buf[head.pos++] = 0x12;
    varint(head, raw);
    head.bytes(LIST_META);
    const start = RESERVE - head.pos;
    head.buf.copy(out.buf, start, 0, head.pos);
    this.hint.learn(this.r.rows.length, out.pos - start);
    for (let i = 0; i < creationAt.length; i++) creationAt[i]! -= start;
    return { sink: out, start, creationAt };
  }
}

/** The protobuf body of the list (or of its PartialObjectMetadataList), or undefined when the rows need the object encoder. */
export function writeListProtobuf(r: MetricsRows, metadataVersion?: string): Buffer | undefined {
  return writeWhole(() => new ProtobufListWriter(r, metadataVersion), r.rows.length)?.body;
}
