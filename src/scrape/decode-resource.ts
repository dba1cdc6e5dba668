// Decoder for the kubelet's GET /metrics/resource (Prometheus text format), a
// hand-written single pass over the bytes reading the five series metrics-server
// uses (protocol §7.3). Lines follow Prometheus' text grammar (as textparse's
// PromParser accepts it); HELP/TYPE/comment lines and other series are skipped.
//
// Semantics follow upstream pkg/scraper/client/resource/decode.go:
// - CPU = uint64(value * 1e9) ns, memory = uint64(value), start = value * 1e9 ns;
// - sample time = its millisecond timestamp, or the request time without one;
//   a point's time is that of the last of its CPU/memory lines;
// - the node point is dropped unless it has non-zero CPU and memory;
// - a pod is dropped entirely if any of its containers lacks CPU or memory.
// Unlike upstream, labels are parsed properly (any order, escapes decoded) and
// non-finite, negative or overflowing values of the used series are errors
// instead of undefined float-to-integer conversions.
//
// Speed (bench/decoders.ts), from what kubelets write:
// - each family lists its containers in the same order with the same label text,
//   so a container line is matched by comparing its label bytes, four at a time,
//   with those of the container expected next, without parsing them; likewise a
//   line of an unused family (pod CPU, then pod memory) with the previous family's;
// - other label sets are read in the literal form {container="..",namespace="..",
//   pod=".."} or {namespace="..",pod=".."} when they have it, else parsed in full;
// - label values in those forms are scanned four bytes at a time up to the word
//   holding their closing quote, byte runs compared four at a time with a last
//   overlapping word instead of a byte loop;
// - plain values and 13-digit timestamps have fast paths, all else goes through
//   Go's rules (decode-float.ts);
// - containers and pods are found by a hash of their label value bytes, and
//   strings are built only for new pods and names (namespace and container names
//   are shared).
// Every line is still checked in full: the same bytes as a line that parsed
// parse the same way.

import { Buffer } from 'node:buffer';
import { DecodeError } from './decode-error.js';
import { FloatSlot, parseGoFloat, parseSimpleFloat } from './decode-float.js';
import { setCpuNanos, setStartNanos } from './decode-nanos.js';
import type { ContainerPoint, NodeScrape, PodPoints } from './types.js';
import type { Names } from './name-interner.js';
import type { ScrapeRecycler } from './scrape-recycler.js';

const enum Series {
  Other = 0,
  NodeCpu,
  NodeMemory,
  ContainerCpu,
  ContainerMemory,
  ContainerStart,
}

const SERIES_NAMES: readonly [Series, Uint8Array][] = [
  [Series.NodeCpu, Buffer.from('node_cpu_usage_seconds_total', 'latin1')],
  [Series.NodeMemory, Buffer.from('node_memory_working_set_bytes', 'latin1')],
  [Series.ContainerCpu, Buffer.from('container_cpu_usage_seconds_total', 'latin1')],
  [Series.ContainerMemory, Buffer.from('container_memory_working_set_bytes', 'latin1')],
  [Series.ContainerStart, Buffer.from('container_start_time_seconds', 'latin1')],
];

// "container" and "namespace" as little-endian words of their first eight bytes.
const word = (s: string, at: number) => Buffer.from(s, 'latin1').readInt32LE(at);
const CONTAINER_W0 = word('container', 0);
const CONTAINER_W1 = word('container', 4);
const NAMESPACE_W0 = word('namespace', 0);
const NAMESPACE_W1 = word('namespace', 4);

const TWO_POW_64 = 2 ** 64;
const TAB = 0x09;
const NL = 0x0a;
const SPACE = 0x20;
const QUOTE = 0x22;
const HASH = 0x23;
const EQUAL = 0x3d;
const BACKSLASH = 0x5c;
const LBRACE = 0x7b;
const COMMA = 0x2c;
const RBRACE = 0x7d;

// Byte classes, one table lookup per byte in the scanning loops.
const NAME = 1; // metric name character
const NAME_START = 2;
const LABEL = 4; // label name character
const LABEL_START = 8;
const VALUE_END = 16; // ends a sample value: blank, newline or '{'
const LABEL_VALUE_STOP = 32; // needs a look in a label value: '"', '\\', newline, non-ASCII
const CLASS = new Uint8Array(256);
for (let c = 0; c < 256; c++) {
  const letter = (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || c === 0x5f;
  const digit = c >= 0x30 && c <= 0x39;
  if (letter || digit || c === 0x3a) CLASS[c]! |= NAME;
  if (letter || c === 0x3a) CLASS[c]! |= NAME_START;
  if (letter || digit) CLASS[c]! |= LABEL;
  if (letter) CLASS[c]! |= LABEL_START;
  if (c === SPACE || c === TAB || c === NL || c === LBRACE) CLASS[c]! |= VALUE_END;
  if (c === QUOTE || c === BACKSLASH || c === NL || c >= 0x80) CLASS[c]! |= LABEL_VALUE_STOP;
}

// Slots of ResourceDecoder.line.
const VALUE = 0;
const TIME = 1;

// Slots of ResourceDecoder.kept: [start, end, flags, hash] of each label value kept.
const CONTAINER = 0;
const POD = 4;
const NAMESPACE = 8;
// Flags of a kept value.
const SPECIAL = 1; // an escape or a raw newline: its text differs from its bytes
const NON_ASCII = 2;

/**
 * Bytes to match literally, also as little-endian words for four at a time:
 * `words` from the start, then `last`, the last four bytes (overlapping the
 * words before), or the two of a two-byte literal.
 */
interface Literal {
  len: number;
  words: Int32Array;
  last: number;
}

function literal(s: string): Literal {
  const bytes = Buffer.from(s, 'latin1');
  if (bytes.length < 2) throw new Error('a literal of two bytes or more');
  const words = new Int32Array(bytes.length >= 4 ? (bytes.length - 1) >> 2 : 0);
  for (let i = 0; i < words.length; i++) words[i] = bytes.readInt32LE(i * 4);
  const last = bytes.length >= 4 ? bytes.readInt32LE(bytes.length - 4) : bytes.readUInt16LE(bytes.length - 2);
  return { len: bytes.length, words, last };
}

/**
 * A label set as kubelets write it: these names in this order, no blanks, plain
 * values, e.g. {container="c",namespace="n",pod="p"}. `literals` are the bytes
 * around the values ('{container="', '",namespace="', ...,'"}'), `slots` where
 * each value is kept (-1: not kept).
 */
interface LabelForm {
  literals: Literal[];
  slots: number[];
}

function labelForm(names: string[], slots: number[]): LabelForm {
  const literals = names.map((n, i) => literal(`${i === 0 ? '{' : '",'}${n}="`));
  literals.push(literal('"}'));
  return { literals, slots };
}

const CONTAINER_FORM = labelForm(['container', 'namespace', 'pod'], [CONTAINER, NAMESPACE, POD]);
const POD_FORM = labelForm(['namespace', 'pod'], [-1, -1]);

const utf8 = new TextDecoder('utf-8', { fatal: true });

interface PodAcc {
  pod: PodPoints;
  /** Cleared in result() when one of its containers lacks CPU or memory. */
  complete: boolean;
  hash: number;
  /** Label value byte ranges of its first line (plain values only). */
  nsStart: number;
  nsEnd: number;
  podStart: number;
  podEnd: number;
}

interface ContainerAcc {
  point: ContainerPoint;
  /** Position in ResourceDecoder.accs. */
  index: number;
  hash: number;
  pod: PodAcc;
  /** Where its label set was first seen in the body, braces included. */
  labelsStart: number;
  labelsEnd: number;
  /** Its container label value's byte range there (plain values only). */
  nameStart: number;
  nameEnd: number;
  hasCpu: boolean;
  hasMemory: boolean;
  cpuNs: number;
}

const isDigit = (c: number) => c >= 0x30 && c <= 0x39;

/** Go's %q for a byte slice, close enough for error messages. */
function quote(b: Uint8Array, start: number, end: number): string {
  return JSON.stringify(Buffer.from(b.buffer, b.byteOffset + start, Math.max(0, end - start)).toString('utf8')).replace(
    /\\u00([0-9a-f]{2})/g,
    '\\x$1',
  );
}

function sameBytes(b: Uint8Array, start: number, end: number, name: Uint8Array): boolean {
  if (end - start !== name.length) return false;
  for (let i = 0; i < name.length; i++) if (b[start + i] !== name[i]) return false;
  return true;
}

/** Whether b[a, a + len) and b[c, c + len) hold the same bytes (both in range). */
function sameRun(b: Uint8Array, a: number, c: number, len: number): boolean {
  for (let i = 0; i < len; i++) if (b[a + i] !== b[c + i]) return false;
  return true;
}

/**
 * sameRun for long runs (label sets, metric names): four bytes a step through
 * `view` of b, some 3× faster, the last step the run's last four bytes
 * (overlapping the step before) instead of a byte at a time.
 */
function sameLongRun(b: Uint8Array, view: DataView, a: number, c: number, len: number): boolean {
  if (len < 4) return sameRun(b, a, c, len);
  const last = len - 4;
  for (let i = 0; i < last; i += 4) if (view.getInt32(a + i, true) !== view.getInt32(c + i, true)) return false;
  return view.getInt32(a + last, true) === view.getInt32(c + last, true);
}

function sameRange(b: Uint8Array, aStart: number, aEnd: number, cStart: number, cEnd: number): boolean {
  return aEnd - aStart === cEnd - cStart && sameRun(b, aStart, cStart, aEnd - aStart);
}

/**
 * A hash of label value b[start, end), a word at a time: every byte counts, so
 * names alike but for a few bytes (pods of one workload) spread over the table.
 */
function hashValue(b: Uint8Array, view: DataView, start: number, end: number): number {
  let h = 0;
  let i = start;
  for (; i + 4 <= end; i += 4) h = hashPair(h, view.getInt32(i, true));
  // The last one to three bytes as one word, as formLabels() takes them from the word holding the closing quote.
  if (i < end) h = hashPair(h, tailWord(b, i, end));
  // The length last: formLabels() hashes while it looks for the value's end.
  return hashPair(h, end - start);
}

/** The one to three bytes b[start, end) as a little-endian word. */
function tailWord(b: Uint8Array, start: number, end: number): number {
  let w = 0;
  for (let i = end - 1; i >= start; i--) w = (w << 8) | b[i]!;
  return w;
}

/** The hash of a pair of hashes (namespace and pod, pod and container). */
function hashPair(a: number, b: number): number {
  return Math.imul(a ^ Math.imul(b, 0x9e3779b1), 0x85ebca6b);
}

/**
 * The high bits of the bytes of v that are '"', '\\', a newline or non-ASCII
 * (LABEL_VALUE_STOP): 0 when there are none. Bytes above the first such byte
 * may be flagged wrongly (a borrow), the first is exact.
 */
function labelValueStops(v: number): number {
  return (v & 0x80808080) | zeroBytes(v ^ 0x22222222) | zeroBytes(v ^ 0x5c5c5c5c) | zeroBytes(v ^ 0x0a0a0a0a);
}

/** The high bits of the zero bytes of x, exact up to the first. */
function zeroBytes(x: number): number {
  return (x - 0x01010101) & ~x & 0x80808080;
}

/** The index (0–3, first byte lowest) of the lowest byte flagged in a non-zero mask of high bits. */
function firstFlagged(mask: number): number {
  return (31 - Math.clz32(mask & -mask)) >>> 3;
}

/**
 * The four ASCII digits at pos as a number, or -1 if one is not a digit: a
 * millisecond timestamp's 13 digits in three steps and one byte.
 */
function fourDigits(view: DataView, pos: number): number {
  const v = view.getInt32(pos, true); // first digit in the lowest byte
  // A byte is a digit if its high nibble is 3 and stays 3 when 6 is added.
  if (((v & 0xf0f0f0f0) | (((v + 0x06060606) & 0xf0f0f0f0) >>> 4)) !== 0x33333333) return -1;
  const d = v - 0x30303030;
  const pairs = (d & 0x000f000f) * 10 + ((d >>> 8) & 0x000f000f); // two 16-bit lanes: d0d1, d2d3
  return (pairs & 0xffff) * 100 + (pairs >>> 16);
}

function seriesOf(b: Uint8Array, start: number, end: number): Series {
  const len = end - start;
  if (len < 28 || len > 34) return Series.Other;
  for (const [series, name] of SERIES_NAMES) if (sameBytes(b, start, end, name)) return series;
  return Series.Other;
}

/**
 * Open addressing on a hash computed from label value bytes, so a container or
 * pod seen before is found without building a string. Values with escapes or
 * raw newlines (equal text, different bytes) use the string maps instead.
 */
class HashTable<T extends { hash: number }> {
  private slots: (T | undefined)[];
  private size = 0;

  /** capacity: a power of two, twice the entries expected (growing costs more). */
  constructor(capacity: number) {
    // Holes read as undefined; filling them would cost more than the lookups.
    this.slots = new Array<T | undefined>(capacity);
  }

  /** Empties the table for a new body, with room for `capacity` slots (kept if already about that size). */
  reset(capacity: number): void {
    this.size = 0;
    const slots = this.slots;
    const n = slots.length;
    if (n < capacity || n > 4 * capacity) {
      this.slots = new Array<T | undefined>(capacity);
      return;
    }
    // A loop, not fill(): on a holey array fill() runs in the runtime (0.4–0.7 µs for 256 slots, the loop under 0.2).
    for (let i = 0; i < n; i++) slots[i] = undefined;
  }

  /** The entry under `hash` that same(entry, d, arg) accepts. */
  find(hash: number, same: (entry: T, d: ResourceDecoder, arg: number) => boolean, d: ResourceDecoder, arg = 0): T | undefined {
    const mask = this.slots.length - 1;
    for (let i = (hash ^ (hash >>> 16)) & mask; ; i = (i + 1) & mask) {
      const e = this.slots[i];
      if (e === undefined) return undefined;
      if (e.hash === hash && same(e, d, arg)) return e;
    }
  }

  add(entry: T): void {
    if (++this.size * 2 > this.slots.length) this.grow();
    this.put(entry);
  }

  private put(entry: T): void {
    const mask = this.slots.length - 1;
    let i = (entry.hash ^ (entry.hash >>> 16)) & mask;
    while (this.slots[i] !== undefined) i = (i + 1) & mask;
    this.slots[i] = entry;
  }

  private grow(): void {
    const old = this.slots;
    this.slots = new Array<T | undefined>(old.length * 2);
    for (const e of old) if (e !== undefined) this.put(e);
  }
}

interface NameEntry {
  hash: number;
  start: number;
  end: number;
  text: string;
}

// Lookup predicates on the current line's kept label values, at module level so
// that a lookup allocates no closure.
const samePod = (p: PodAcc, d: ResourceDecoder) => d.isPod(p);
const sameContainer = (a: ContainerAcc, d: ResourceDecoder) => d.isContainer(a);
const sameName = (e: NameEntry, d: ResourceDecoder, slot: number) => d.isName(e, slot);

/**
 * One per process, reset for every body (decoding is synchronous, so two never
 * overlap): its tables, arrays and per-pod and per-container accumulators are
 * reused instead of being made anew for every node (16 KB a 30-pod node).
 * reset() empties everything a body leaves behind; accumulators past the
 * current body's counts are never read.
 */
class ResourceDecoder {
  private text: Buffer = Buffer.alloc(0);
  private end = 0;
  private lineStart = 0;
  private lineEnd = 0;
  /** The container of the current line when its label set matched one seen before. */
  private acc: ContainerAcc | undefined = undefined;
  private readonly float = new FloatSlot();
  /**
   * The current line's value and timestamp, for apply(): passed as arguments
   * to calls that are not inlined, doubles are boxed, two heap numbers a line.
   */
  private readonly line = new Float64Array(2);

  // The container/pod/namespace label values of a line whose labels were parsed
  // (start -1: absent), and where its label set lies.
  private readonly kept = new Int32Array(12);
  private labelsStart = 0;
  private labelsEnd = 0;

  // The metric name of the previous sample line, usually that of this one too.
  private lastNameStart = 0;
  private lastNameLen = 0;
  private lastSeries = Series.Other;

  // Where the label sets of the lines of the current and the previous family of
  // unused series lie ([start, end] per line), and the current line's number.
  // The arrays are swapped and overwritten, never emptied: emptying drops their
  // backing stores, and refilling them allocated 2.5 KB per node.
  private familyLabels: number[] = [];
  private prevFamilyLabels: number[] = [];
  private familyLine = 0;
  /** Lines of the previous family: prevFamilyLabels may hold older entries past them. */
  private prevFamilyLines = 0;

  // Kubelets write every family's containers in the same order with the same
  // label text: the next container is usually the one after the previous line's.
  private readonly accs: ContainerAcc[] = [];
  /** Containers of this body: accs[accCount..] are left over from earlier bodies. */
  private accCount = 0;
  private cursor = 0;
  private cursorSeries = Series.Other;

  private nodeSeen = false;
  private nodeTs = 0;
  private nodeCpuNs = 0;
  private nodeMemory = 0;
  private readonly pods: PodAcc[] = [];
  /** Pods of this body, as accCount. */
  private podCount = 0;
  private readonly podTable = new HashTable<PodAcc>(64);
  private readonly containerTable = new HashTable<ContainerAcc>(64);
  // Created on first use: few payloads have escapes in these labels.
  private podsByText: Map<string, PodAcc> | undefined;
  private containersByText: Map<string, ContainerAcc> | undefined;
  private readonly names = new HashTable<NameEntry>(64);
  private lastPod: PodAcc | undefined = undefined;

  private b: Uint8Array = new Uint8Array(0);
  private view: DataView = new DataView(new ArrayBuffer(0));
  private requestTimeMs = 0;
  /** Plain label values (namespaces, pods, containers) across ticks. */
  private interner: Names | undefined = undefined;
  /** Where pods and container points come from, when reused. */
  private recycler: ScrapeRecycler | undefined = undefined;

  /** Forgets the previous body entirely and takes this one. */
  reset(body: Uint8Array, requestTimeMs: number, interner: Names | undefined, recycler: ScrapeRecycler | undefined): void {
    // A plain Uint8Array view: a Buffer's indexOf goes through a slow wrapper.
    this.b = new Uint8Array(body.buffer, body.byteOffset, body.byteLength);
    this.view = new DataView(body.buffer, body.byteOffset, body.byteLength);
    this.text = Buffer.from(body.buffer, body.byteOffset, body.byteLength);
    this.end = body.byteLength;
    this.requestTimeMs = requestTimeMs;
    this.interner = interner;
    this.recycler = recycler;
    this.lineStart = this.lineEnd = 0;
    this.acc = undefined;
    this.labelsStart = this.labelsEnd = 0;
    this.lastNameStart = this.lastNameLen = 0;
    this.lastSeries = Series.Other;
    this.familyLine = this.prevFamilyLines = 0;
    this.accCount = this.podCount = 0;
    this.cursor = 0;
    this.cursorSeries = Series.Other;
    this.nodeSeen = false;
    this.nodeTs = this.nodeCpuNs = this.nodeMemory = 0;
    // A container takes three lines of 80 bytes or more, its pod two of 50.
    let capacity = 64;
    while (capacity * 170 < this.end) capacity *= 2;
    this.podTable.reset(capacity);
    this.containerTable.reset(capacity);
    this.names.reset(64);
    this.podsByText = undefined;
    this.containersByText = undefined;
    this.lastPod = undefined;
  }

  /**
   * Lets go of what the last body's objects would otherwise keep alive between
   * decodes: its bytes, the caller's interner and recycler, the string-keyed maps
   * and the decoded objects (now the caller's). Everything else is reset() work.
   */
  release(): void {
    this.b = new Uint8Array(0);
    this.view = new DataView(this.b.buffer);
    this.text = Buffer.alloc(0);
    this.interner = undefined;
    this.recycler = undefined;
    this.podsByText = undefined;
    this.containersByText = undefined;
    for (let i = 0; i < this.podCount; i++) this.pods[i]!.pod = NO_POD;
    for (let i = 0; i < this.accCount; i++) this.accs[i]!.point = NO_POINT;
  }

  /** A syntax error at byte `at`, in textparse's words. */
  private fail(at: number, expected: string): never {
    const b = this.b;
    at = Math.min(at, b.length);
    const e = Math.min(at + 1, b.length);
    const got = at < b.length ? quote(b, at, e) : '"\\n"';
    throw new DecodeError(`failed parsing metrics: ${expected}, got ${got} ("INVALID") while parsing: ${quote(b, this.lineStart, e)}`);
  }

  /** A semantic error in the line read up to `at`. */
  private failValue(at: number, msg: string): never {
    throw new DecodeError(`failed parsing metrics: ${msg} while parsing: ${quote(this.b, this.lineStart, Math.min(at, this.b.length))}`);
  }

  private blanks(pos: number): number {
    const b = this.b;
    const end = this.end;
    while (pos < end && (b[pos] === SPACE || b[pos] === TAB)) pos++;
    return pos;
  }

  decode(): NodeScrape {
    const b = this.b;
    const end = this.end;
    let pos = 0;
    while (pos < end) {
      let c = b[pos]!;
      if (c === SPACE || c === TAB) {
        pos = this.blanks(pos);
        if (pos >= end) break;
        c = b[pos]!;
      }
      if (c === NL) {
        pos++;
      } else if (c === HASH) {
        // HELP, TYPE and comments carry nothing we need.
        const nl = b.indexOf(NL, pos);
        pos = nl < 0 ? end : nl + 1;
      } else {
        pos = this.sample(pos);
      }
    }
    return this.result();
  }

  /** Reads the sample line at `start`; returns the position after its newline. */
  private sample(start: number): number {
    const b = this.b;
    const end = this.end;
    this.lineStart = start;
    let pos = this.metricName(start);
    const series = this.lastSeries;

    // Small functions on the way: V8 inlines them only within a budget of bytecode.
    if (b[pos] === SPACE || b[pos] === TAB) pos = this.blanks(pos);
    this.acc = undefined;
    this.labelsStart = this.labelsEnd = pos;
    if (b[pos] === LBRACE) {
      pos = series >= Series.ContainerCpu ? this.containerLabels(pos, series) : this.otherLabels(pos);
      this.labelsEnd = pos;
    }
    // Kubelets write one space before the value and the timestamp: no loop for it.
    if (b[pos] === SPACE && b[pos + 1]! > SPACE) pos++;
    else if (b[pos] === SPACE || b[pos] === TAB) pos = this.blanks(pos);

    pos = this.value(pos);
    const line = this.line;
    line[VALUE] = this.float.value;

    if (b[pos] === SPACE && b[pos + 1]! > SPACE) pos++;
    else if (b[pos] === SPACE || b[pos] === TAB) pos = this.blanks(pos);
    if (pos < end && b[pos] !== NL) {
      pos = this.timestamp(pos);
    } else {
      line[TIME] = this.requestTimeMs;
    }
    // pos is at the newline (or the end)

    if (series !== Series.Other) this.apply(pos + 1, series);
    return pos + 1;
  }

  /** Applies a sample (this.line) of a used series read up to `lineEnd`. */
  private apply(lineEnd: number, series: Series): void {
    // Errors from here on quote the whole line, newline included.
    this.lineEnd = lineEnd;
    if (series <= Series.NodeMemory) this.applyNode(lineEnd, series);
    else this.applyContainer(lineEnd, series, this.acc ?? this.containerAcc(lineEnd));
  }

  /** Reads the label set at `pos` of a container series; returns the position after it. */
  private containerLabels(pos: number, series: Series): number {
    // The label text of the container expected next, byte for byte: it parsed
    // before, so it parses the same now; skip it without looking inside.
    const i = series === this.cursorSeries ? this.cursor : 0;
    const expected = i < this.accCount ? this.accs[i] : undefined;
    if (expected !== undefined) {
      const len = expected.labelsEnd - expected.labelsStart;
      if (pos + len <= this.end && sameLongRun(this.b, this.view, expected.labelsStart, pos, len)) {
        this.acc = expected;
        return pos + len;
      }
    }
    const next = this.formLabels(pos, CONTAINER_FORM);
    return next >= 0 ? next : this.labels(pos, true);
  }

  /** Checks the label set at `pos` of a series not used; returns the position after it. */
  private otherLabels(pos: number): number {
    const prev = this.prevFamilyLabels;
    const line = this.familyLine++;
    const i = line * 2;
    const start = pos;
    // The same label set as the previous family's line at this place (pod CPU,
    // then pod memory): it parsed there, so it parses here.
    const len = line < this.prevFamilyLines ? prev[i + 1]! - prev[i]! : -1;
    if (len > 0 && pos + len <= this.end && sameLongRun(this.b, this.view, prev[i]!, pos, len)) pos += len;
    else {
      const next = this.formLabels(pos, POD_FORM);
      pos = next >= 0 ? next : this.labels(pos, false);
    }
    const family = this.familyLabels;
    family[i] = start;
    family[i + 1] = pos;
    return pos;
  }

  /** Reads the metric name at `start` into lastSeries; returns the position after it. */
  private metricName(start: number): number {
    const b = this.b;
    const end = this.end;
    // Most lines repeat the previous line's name.
    const n = this.lastNameLen;
    if (n !== 0 && start + n < end && sameLongRun(b, this.view, this.lastNameStart, start, n) && (CLASS[b[start + n]!]! & NAME) === 0) return start + n;
    return this.newMetricName(start);
  }

  /** metricName for a name other than the previous line's. */
  private newMetricName(start: number): number {
    const b = this.b;
    const end = this.end;
    if ((CLASS[b[start]!]! & NAME_START) === 0) this.fail(start, 'expected metric name');
    let pos = start + 1;
    while (pos < end && (CLASS[b[pos]!]! & NAME) !== 0) pos++;
    this.lastNameStart = start;
    this.lastNameLen = pos - start;
    this.lastSeries = seriesOf(b, start, pos);
    // A new family: the last one's label sets become the ones to compare with.
    const prev = this.prevFamilyLabels;
    this.prevFamilyLabels = this.familyLabels;
    this.prevFamilyLines = this.familyLine;
    this.familyLabels = prev;
    this.familyLine = 0;
    return pos;
  }

  /** Reads the value at `pos` into this.float.value; returns the position after it. */
  private value(pos: number): number {
    const b = this.b;
    const end = this.end;
    const next = parseSimpleFloat(b, pos, end, this.float);
    if (next >= 0 && (next === end || (CLASS[b[next]!]! & VALUE_END) !== 0)) return next;
    return this.goValue(pos);
  }

  /** value() for anything but plain values: the whole token through Go's rules, for the value or the error. */
  private goValue(pos: number): number {
    const b = this.b;
    const end = this.end;
    let tokenEnd = pos;
    while (tokenEnd < end && (CLASS[b[tokenEnd]!]! & VALUE_END) === 0) tokenEnd++;
    if (tokenEnd === pos) this.fail(pos, 'expected value after metric');
    parseGoFloat(b, pos, tokenEnd, this.float);
    const error = this.float.error;
    if (error) {
      const s = this.text.toString('utf8', pos, tokenEnd);
      this.failValue(tokenEnd, error === 'unsupported character in float' ? error : `strconv.ParseFloat: parsing ${JSON.stringify(s)}: ${error}`);
    }
    return tokenEnd;
  }

  private failTimestamp(start: number, end: number): never {
    this.failValue(end, `timestamp ${this.text.toString('latin1', start, end)} out of range`);
  }

  /** Reads the timestamp at `pos` into this.line; returns the end of the line. */
  private timestamp(pos: number): number {
    const b = this.b;
    const end = this.end;
    if (!isDigit(b[pos]!)) this.fail(pos, 'expected timestamp or new record');
    const tsStart = pos;
    // A millisecond timestamp of these years has 13 digits: always a safe integer.
    if (pos + 14 <= end) {
      const view = this.view;
      const high = fourDigits(view, pos);
      const mid = fourDigits(view, pos + 4);
      const low = fourDigits(view, pos + 8);
      const last = b[pos + 12]! - 48;
      if ((high | mid | low) >= 0 && last >= 0 && last <= 9 && !isDigit(b[pos + 13]!)) {
        this.line[TIME] = ((high * 10000 + mid) * 10000 + low) * 10 + last;
        pos += 13;
        if (b[pos] === SPACE || b[pos] === TAB) pos = this.blanks(pos);
        if (pos < end && b[pos] !== NL) this.fail(pos, 'expected next entry after timestamp');
        return pos;
      }
    }
    let ts = 0;
    for (; pos + 4 <= end; pos += 4) {
      const n = fourDigits(this.view, pos);
      if (n < 0) break;
      ts = ts * 10000 + n;
    }
    for (; pos < end; pos++) {
      const d = b[pos]! - 48;
      if (d < 0 || d > 9) break;
      ts = ts * 10 + d;
    }
    if (!Number.isSafeInteger(ts)) this.failTimestamp(tsStart, pos);
    this.line[TIME] = ts;
    if (b[pos] === SPACE || b[pos] === TAB) pos = this.blanks(pos);
    if (pos < end && b[pos] !== NL) this.fail(pos, 'expected next entry after timestamp');
    return pos;
  }

  /**
   * Reads the label set at `pos` if it has exactly `form`, keeping values as
   * labels() does (and parsing them the same); returns the position after '}',
   * or -1 for anything else, left to labels().
   */
  private formLabels(pos: number, form: LabelForm): number {
    const b = this.b;
    const end = this.end;
    const r = this.kept;
    const { literals, slots } = form;
    for (let i = 0; ; i++) {
      const lit = literals[i]!;
      if (!this.literalAt(pos, lit)) return -1;
      pos += lit.len;
      if (i === slots.length) return pos; // '"}'
      const start = pos;
      const view = this.view;
      const slot = slots[i]!;
      // Four bytes a step up to the word holding the value's first stop byte,
      // then to that byte; a kept value is hashed in the same pass, as hashValue() does.
      let h = 0;
      for (;;) {
        if (pos + 4 > end) {
          // The body's last bytes (truncated): byte by byte.
          const from = pos;
          while (pos < end && (CLASS[b[pos]!]! & LABEL_VALUE_STOP) === 0) pos++;
          if (pos > from) h = hashPair(h, tailWord(b, from, pos));
          break;
        }
        const w = view.getInt32(pos, true);
        const stops = labelValueStops(w);
        if (stops === 0) {
          if (slot >= 0) h = hashPair(h, w);
          pos += 4;
          continue;
        }
        const k = firstFlagged(stops);
        if (k !== 0 && slot >= 0) h = hashPair(h, w & (0xffffffff >>> (32 - 8 * k)));
        pos += k;
        break;
      }
      if (pos >= end || b[pos] !== QUOTE) return -1; // escapes, newlines, UTF-8: labels()
      if (slot < 0) continue;
      r[slot] = start;
      r[slot + 1] = pos;
      r[slot + 2] = 0;
      r[slot + 3] = hashPair(h, pos - start);
    }
  }

  private literalAt(pos: number, lit: Literal): boolean {
    const len = lit.len;
    if (pos + len > this.end) return false;
    const words = lit.words;
    const v = this.view;
    for (let i = 0; i < words.length; i++) if (v.getInt32(pos + i * 4, true) !== words[i]) return false;
    return len >= 4 ? v.getInt32(pos + len - 4, true) === lit.last : v.getUint16(pos + len - 2, true) === lit.last;
  }

  /**
   * Parses {name="value",...} at `pos`; returns the position after '}'. Keeps
   * the container/pod/namespace value ranges in this.ranges when `keep`.
   */
  private labels(pos: number, keep: boolean): number {
    const b = this.b;
    const end = this.end;
    const r = this.kept;
    r[CONTAINER] = r[POD] = r[NAMESPACE] = -1;
    pos++; // {
    for (;;) {
      pos = this.blanks(pos);
      if (b[pos] === RBRACE) return pos + 1;
      const nameStart = pos;
      if (pos >= end || (CLASS[b[pos]!]! & LABEL_START) === 0) this.fail(pos, 'expected label name');
      pos++;
      while (pos < end && (CLASS[b[pos]!]! & LABEL) !== 0) pos++;
      const nameEnd = pos;
      pos = this.blanks(pos);
      if (b[pos] !== EQUAL) this.fail(pos, 'expected equal');
      pos = this.blanks(pos + 1);
      if (b[pos] !== QUOTE) this.fail(pos, 'expected label value');
      const slot = keep ? this.labelSlot(nameStart, nameEnd) : -1;
      pos = this.labelValueEnd(pos + 1, slot);
      pos = this.blanks(pos + 1);
      if (b[pos] === COMMA) pos++;
      else if (b[pos] !== RBRACE) this.fail(pos, 'expected label name');
    }
  }

  /**
   * Reads the label value from `pos` (after its opening quote); returns the
   * position of its closing quote. Keeps the value's range, flags and hash in
   * `slot` of this.kept unless slot is -1.
   */
  private labelValueEnd(pos: number, slot: number): number {
    const b = this.b;
    const end = this.end;
    const start = pos;
    let flags = 0;
    for (;;) {
      while (pos < end && (CLASS[b[pos]!]! & LABEL_VALUE_STOP) === 0) pos++;
      if (pos >= end) this.fail(start - 1, 'expected label value');
      const c = b[pos]!;
      if (c === QUOTE) break;
      if (c === BACKSLASH) {
        if (pos + 1 >= end || b[pos + 1] === NL) this.fail(pos, 'expected label value');
        flags |= SPECIAL;
        pos++;
      } else if (c === NL) flags |= SPECIAL;
      else flags |= NON_ASCII;
      pos++;
    }
    if (slot >= 0) {
      const r = this.kept;
      r[slot] = start;
      r[slot + 1] = pos;
      r[slot + 2] = flags;
      r[slot + 3] = hashValue(b, this.view, start, pos);
    }
    return pos;
  }

  /** The this.kept slot of label name b[start, end), or -1 for other labels. */
  private labelSlot(start: number, end: number): number {
    const b = this.b;
    const len = end - start;
    if (len === 3) return b[start] === 0x70 && b[start + 1] === 0x6f && b[start + 2] === 0x64 ? POD : -1; // pod
    if (len !== 9) return -1;
    // Nine bytes: two words and the last byte.
    const v = this.view;
    const w0 = v.getInt32(start, true);
    const w1 = v.getInt32(start + 4, true);
    if (w0 === CONTAINER_W0 && w1 === CONTAINER_W1 && b[start + 8] === 0x72) return CONTAINER;
    if (w0 === NAMESPACE_W0 && w1 === NAMESPACE_W1 && b[start + 8] === 0x65) return NAMESPACE;
    return -1;
  }

  private labelValue(start: number, end: number, flags: number): string {
    const b = this.b;
    let s: string;
    if ((flags & NON_ASCII) === 0) {
      // ASCII (flags): the interner always answers.
      s = ((flags & SPECIAL) === 0 ? this.interner?.intern(this.text, start, end) : undefined) ?? this.text.toString('latin1', start, end);
    } else {
      try {
        s = utf8.decode(b.subarray(start, end));
      } catch {
        this.failValue(this.lineEnd, `invalid UTF-8 label value: ${quote(b, start - 1, end + 1)}`);
      }
    }
    if ((flags & SPECIAL) === 0) return s;
    // Prometheus unescapes only \" \\ and \n; other sequences stay as written.
    return s.replace(/\\(["\\n])/g, (_m, ch: string) => (ch === 'n' ? '\n' : ch));
  }

  private applyNode(at: number, series: Series): void {
    const value = this.line[VALUE]!;
    const timestampMs = this.line[TIME]!;
    this.nodeSeen = true;
    this.nodeTs = timestampMs;
    if (series === Series.NodeCpu) this.nodeCpuNs = this.nanos(at, value, 'node_cpu_usage_seconds_total');
    else this.nodeMemory = this.bytes(at, value, 'node_memory_working_set_bytes');
  }

  private applyContainer(at: number, series: Series, acc: ContainerAcc): void {
    const value = this.line[VALUE]!;
    const timestampMs = this.line[TIME]!;
    this.cursorSeries = series;
    this.cursor = acc.index + 1;
    const point = acc.point;
    if (series === Series.ContainerCpu) {
      acc.cpuNs = this.nanos(at, value, 'container_cpu_usage_seconds_total');
      acc.hasCpu = true;
      point.timestampMs = timestampMs;
    } else if (series === Series.ContainerMemory) {
      point.memoryBytes = this.bytes(at, value, 'container_memory_working_set_bytes');
      acc.hasMemory = true;
      point.timestampMs = timestampMs;
    } else {
      if (!Number.isFinite(value)) this.failValue(at, `container_start_time_seconds value ${value} is not finite`);
      // time.Unix(0, int64(value*1e9)) upstream: to the nanosecond of the float's product.
      setStartNanos(point, Math.trunc(value * 1e9));
    }
  }

  /** uint64(value * 1e9), refusing values that conversion cannot represent. */
  private nanos(at: number, value: number, series: string): number {
    const ns = value * 1e9;
    if (!(ns >= 0) || ns >= TWO_POW_64) this.failValue(at, `${series} value ${value} is not a valid cumulative CPU time`);
    return Math.trunc(ns);
  }

  private bytes(at: number, value: number, series: string): number {
    if (!(value >= 0) || value >= TWO_POW_64) this.failValue(at, `${series} value ${value} is not a valid byte count`);
    return Math.trunc(value);
  }

  /** The container of a line whose labels were parsed, created when new. */
  private containerAcc(at: number): ContainerAcc {
    const r = this.kept;
    const labeled = this.labelsStart !== this.labelsEnd;
    // Invalid UTF-8 is reported for the first of container, pod, namespace.
    if (labeled && ((r[CONTAINER + 2]! | r[POD + 2]! | r[NAMESPACE + 2]!) & NON_ASCII) !== 0) {
      for (const slot of [CONTAINER, POD, NAMESPACE]) if (r[slot]! >= 0) this.label(slot);
    }
    if (!labeled || r[CONTAINER]! < 0 || r[POD]! < 0 || r[NAMESPACE]! < 0) {
      this.failValue(at, 'container series without container, pod and namespace labels');
    }
    const plainPod = ((r[POD + 2]! | r[NAMESPACE + 2]!) & SPECIAL) === 0;
    const pod = plainPod ? this.podByBytes() : this.podByText();
    if (plainPod && (r[CONTAINER + 2]! & SPECIAL) === 0) {
      const hash = hashPair(pod.hash, r[CONTAINER + 3]!);
      // A pod without containers yet is new: nothing to find.
      let acc = pod.pod.containers.length === 0 ? undefined : this.containerTable.find(hash, sameContainer, this);
      if (acc === undefined) {
        acc = this.newContainer(pod, hash, this.name(CONTAINER));
        this.containerTable.add(acc);
      }
      return acc;
    }
    const key = `${pod.pod.namespace}\u0000${pod.pod.name}\u0000${this.label(CONTAINER)}`;
    this.containersByText ??= new Map();
    let acc = this.containersByText.get(key);
    if (acc === undefined) {
      acc = this.newContainer(pod, 0, this.label(CONTAINER));
      this.containersByText.set(key, acc);
    }
    return acc;
  }

  /** The pod of plain namespace and pod label values, created when new. */
  private podByBytes(): PodAcc {
    const r = this.kept;
    const nsStart = r[NAMESPACE]!;
    const nsEnd = r[NAMESPACE + 1]!;
    const podStart = r[POD]!;
    const podEnd = r[POD + 1]!;
    const hash = hashPair(r[NAMESPACE + 3]!, r[POD + 3]!);
    // A pod's containers are usually written one after another.
    const last = this.lastPod;
    if (last !== undefined && last.hash === hash && this.isPod(last)) return last;
    let pod = this.podTable.find(hash, samePod, this);
    if (pod === undefined) {
      pod = this.newPod(this.name(NAMESPACE), hash, nsStart, nsEnd, podStart, podEnd);
      this.podTable.add(pod);
    }
    this.lastPod = pod;
    return pod;
  }

  /** Whether p is the pod of the current line's (plain) namespace and pod values. */
  isPod(p: PodAcc): boolean {
    const r = this.kept;
    return sameRange(this.b, p.podStart, p.podEnd, r[POD]!, r[POD + 1]!) && sameRange(this.b, p.nsStart, p.nsEnd, r[NAMESPACE]!, r[NAMESPACE + 1]!);
  }

  /** Whether a is the container of the current line, whose pod podByBytes() left in lastPod. */
  isContainer(a: ContainerAcc): boolean {
    const r = this.kept;
    return a.pod === this.lastPod && sameRange(this.b, a.nameStart, a.nameEnd, r[CONTAINER]!, r[CONTAINER + 1]!);
  }

  /** Whether e holds the text of the current line's label value in `slot`. */
  isName(e: NameEntry, slot: number): boolean {
    const r = this.kept;
    return sameRange(this.b, e.start, e.end, r[slot]!, r[slot + 1]!);
  }

  /** The pod of label values with escapes or newlines, by their decoded text. */
  private podByText(): PodAcc {
    const key = `${this.label(NAMESPACE)}\u0000${this.label(POD)}`;
    this.podsByText ??= new Map();
    let pod = this.podsByText.get(key);
    if (pod === undefined) {
      pod = this.newPod(this.label(NAMESPACE), 0, -1, -1, -1, -1);
      this.podsByText.set(key, pod);
    }
    return pod;
  }

  private newPod(namespace: string, hash: number, nsStart: number, nsEnd: number, podStart: number, podEnd: number): PodAcc {
    const name = this.label(POD);
    const points = this.recycler ? this.recycler.pod(namespace, name) : { namespace, name, containers: [] };
    let pod = this.pods[this.podCount];
    if (pod === undefined) {
      pod = { pod: points, complete: true, hash, nsStart, nsEnd, podStart, podEnd };
      this.pods.push(pod);
    } else {
      pod.pod = points;
      pod.complete = true;
      pod.hash = hash;
      pod.nsStart = nsStart;
      pod.nsEnd = nsEnd;
      pod.podStart = podStart;
      pod.podEnd = podEnd;
    }
    this.podCount++;
    return pod;
  }

  private newContainer(pod: PodAcc, hash: number, name: string): ContainerAcc {
    const r = this.kept;
    const index = this.accCount++;
    let acc = this.accs[index];
    if (acc === undefined) {
      acc = {
        point: this.point(name),
        index,
        hash,
        pod,
        labelsStart: this.labelsStart,
        labelsEnd: this.labelsEnd,
        nameStart: r[CONTAINER]!,
        nameEnd: r[CONTAINER + 1]!,
        hasCpu: false,
        hasMemory: false,
        cpuNs: 0,
      };
      this.accs.push(acc);
    } else {
      acc.point = this.point(name);
      acc.index = index;
      acc.hash = hash;
      acc.pod = pod;
      acc.labelsStart = this.labelsStart;
      acc.labelsEnd = this.labelsEnd;
      acc.nameStart = r[CONTAINER]!;
      acc.nameEnd = r[CONTAINER + 1]!;
      acc.hasCpu = false;
      acc.hasMemory = false;
      acc.cpuNs = 0;
    }
    // Most pods have one container: an array of one, not one grown for pushes (a reused pod keeps its array).
    if (pod.pod.containers.length === 0 && this.recycler === undefined) pod.pod.containers = [acc.point];
    else pod.pod.containers.push(acc.point);
    return acc;
  }

  /** A container point with every field unset (a reused one holds another node's values). */
  private point(name: string): ContainerPoint {
    if (this.recycler === undefined) return { name, timestampMs: 0, startTimeMs: 0, startSubMsNs: 0, cpuSec: 0, cpuNsec: 0, memoryBytes: 0 };
    const p = this.recycler.container(name);
    p.timestampMs = 0;
    p.startTimeMs = 0;
    p.startSubMsNs = 0;
    p.cpuSec = 0;
    p.cpuNsec = 0;
    p.memoryBytes = 0;
    return p;
  }

  /**
   * The plain label value in `slot` as a string shared by every equal value:
   * namespaces and container names repeat, and a string costs more than a lookup.
   */
  private name(slot: number): string {
    const r = this.kept;
    const hash = r[slot + 3]!;
    let entry = this.names.find(hash, sameName, this, slot);
    if (entry === undefined) {
      entry = { hash, start: r[slot]!, end: r[slot + 1]!, text: this.label(slot) };
      this.names.add(entry);
    }
    return entry.text;
  }

  private label(slot: number): string {
    const r = this.kept;
    return this.labelValue(r[slot]!, r[slot + 1]!, r[slot + 2]!);
  }

  private result(): NodeScrape {
    const recycler = this.recycler;
    const scrape: NodeScrape = recycler ? recycler.scrape() : { node: undefined, pods: [] };
    if (this.nodeSeen && this.nodeCpuNs !== 0 && this.nodeMemory !== 0) {
      const node = recycler ? recycler.nodePoint() : { timestampMs: 0, startTimeMs: 0, startSubMsNs: 0, cpuSec: 0, cpuNsec: 0, memoryBytes: 0 };
      node.timestampMs = this.nodeTs;
      node.startTimeMs = 0;
      node.startSubMsNs = 0;
      node.memoryBytes = this.nodeMemory;
      setCpuNanos(node, this.nodeCpuNs);
      scrape.node = node;
    }
    for (let i = 0; i < this.accCount; i++) {
      const acc = this.accs[i]!;
      // Zero counts as missing, as upstream: HPA treats a missing pod specially,
      // a pod with zero usage it would not.
      if (!acc.hasCpu || !acc.hasMemory || acc.cpuNs === 0 || acc.point.memoryBytes === 0) acc.pod.complete = false;
      else setCpuNanos(acc.point, acc.cpuNs);
    }
    for (let i = 0; i < this.podCount; i++) {
      const { pod, complete } = this.pods[i]!;
      if (complete) scrape.pods.push(pod);
      else this.recycler?.dropPod(pod);
    }
    return scrape;
  }
}

let decoder: ResourceDecoder | undefined;
/** Placeholders a released accumulator points at, so it keeps no decoded object alive. */
const NO_POD: PodPoints = { namespace: '', name: '', containers: [] };
const NO_POINT: ContainerPoint = { name: '', timestampMs: 0, startTimeMs: 0, startSubMsNs: 0, cpuSec: 0, cpuNsec: 0, memoryBytes: 0 };

/**
 * Decodes a /metrics/resource body. Samples without a timestamp get
 * `requestTimeMs`. Plain namespace, pod and container names come from `names`
 * when given; pods and container points from `recycler` (the caller then owns
 * the result until recycler.release()). Throws DecodeError on any syntax
 * error, naming the line.
 */
export function decodeResource(body: Uint8Array, requestTimeMs: number, names?: Names, recycler?: ScrapeRecycler): NodeScrape {
  const d = (decoder ??= new ResourceDecoder());
  try {
    d.reset(body, requestTimeMs, names, recycler);
    return d.decode();
  } catch (e) {
    if (e instanceof DecodeError) throw e;
    throw new DecodeError(`failed parsing metrics: ${(e as Error).message}`);
  } finally {
    d.release();
  }
}
