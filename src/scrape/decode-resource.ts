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

import { Buffer } from 'node:buffer';
import { DecodeError } from './decode-error.js';
import { parseGoFloat, type FloatResult } from './decode-float.js';
import { setCpuNanos } from './decode-nanos.js';
import type { ContainerPoint, NodeScrape, PodPoints } from './types.js';

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

const LABEL_CONTAINER = Buffer.from('container', 'latin1');
const LABEL_POD = Buffer.from('pod', 'latin1');
const LABEL_NAMESPACE = Buffer.from('namespace', 'latin1');

const TWO_POW_64 = 2 ** 64;
const NL = 0x0a;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;

const utf8 = new TextDecoder('utf-8', { fatal: true });

interface ContainerAcc {
  point: ContainerPoint;
  /** Position in ResourceDecoder.accs. */
  index: number;
  /** Where its label set was first seen in the body. */
  labelsStart: number;
  labelsEnd: number;
  hasCpu: boolean;
  hasMemory: boolean;
  cpuNs: number;
}

interface PodAcc {
  pod: PodPoints;
  accs: ContainerAcc[];
}

const isNameStart = (c: number) => (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || c === 0x5f || c === 0x3a;
const isNameChar = (c: number) => isNameStart(c) || (c >= 0x30 && c <= 0x39);
const isLabelStart = (c: number) => (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || c === 0x5f;
const isLabelChar = (c: number) => isLabelStart(c) || (c >= 0x30 && c <= 0x39);
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

class ResourceDecoder {
  private pos = 0;
  private lineStart = 0;
  private readonly text: Buffer;
  private readonly float: FloatResult = { value: 0, error: undefined };

  // Byte ranges of the current sample's label set and of the three labels that
  // matter (start -1: absent); decoded only for a container not seen before.
  private labelsStart = 0;
  private labelsEnd = 0;
  private readonly ranges = new Int32Array(9); // [start, end, escaped] × container, pod, namespace
  // Kubelets write every family's containers in the same order with the same
  // label text: the next container is usually the one after the previous line's,
  // confirmed by comparing label bytes, with no string built.
  private readonly accs: ContainerAcc[] = [];
  private cursor = 0;
  private cursorSeries = Series.Other;
  private readonly byLabelText = new Map<string, ContainerAcc>();
  /** The container whose label text the current line repeats (labels not parsed). */
  private known: ContainerAcc | undefined = undefined;

  private nodeSeen = false;
  private nodeTs = 0;
  private nodeCpuNs = 0;
  private nodeMemory = 0;
  private readonly containers = new Map<string, ContainerAcc>();
  private readonly pods = new Map<string, PodAcc>();

  constructor(
    private readonly b: Uint8Array,
    private readonly requestTimeMs: number,
  ) {
    this.text = Buffer.from(b.buffer, b.byteOffset, b.byteLength);
  }

  private fail(expected: string): never {
    const b = this.b;
    const at = Math.min(this.pos, b.length);
    const e = Math.min(at + 1, b.length);
    const got = at < b.length ? quote(b, at, e) : '"\\n"';
    throw new DecodeError(`failed parsing metrics: ${expected}, got ${got} ("INVALID") while parsing: ${quote(b, this.lineStart, e)}`);
  }

  private failValue(msg: string): never {
    throw new DecodeError(`failed parsing metrics: ${msg} while parsing: ${quote(this.b, this.lineStart, Math.min(this.pos, this.b.length))}`);
  }

  private blanks(): void {
    const b = this.b;
    while (this.pos < b.length && (b[this.pos] === 0x20 || b[this.pos] === 0x09)) this.pos++;
  }

  decode(): NodeScrape {
    const b = this.b;
    while (this.pos < b.length) {
      this.blanks();
      if (this.pos >= b.length) break;
      const c = b[this.pos]!;
      if (c === NL) {
        this.pos++;
        continue;
      }
      if (c === 0x23) {
        // HELP, TYPE and comments carry nothing we need.
        const nl = b.indexOf(NL, this.pos);
        this.pos = nl < 0 ? b.length : nl + 1;
        continue;
      }
      this.sample();
    }
    return this.result();
  }

  private sample(): void {
    const b = this.b;
    this.lineStart = this.pos;
    const nameStart = this.pos;
    if (!isNameStart(b[this.pos]!)) this.fail('expected metric name');
    while (this.pos < b.length && isNameChar(b[this.pos]!)) this.pos++;
    const series = this.series(nameStart, this.pos);

    this.ranges[0] = this.ranges[3] = this.ranges[6] = -1;
    this.labelsStart = this.labelsEnd = this.pos;
    this.known = undefined;
    this.blanks();
    if (b[this.pos] === 0x7b) {
      this.labelsStart = this.pos;
      // The label text of the container expected next, byte for byte: it parsed
      // before, so it parses the same now; skip it without looking inside.
      const expected = series >= Series.ContainerCpu ? this.expected(series) : undefined;
      if (expected !== undefined && this.sameLabelsAt(expected, this.pos)) {
        this.pos += expected.labelsEnd - expected.labelsStart;
        this.known = expected;
      } else {
        this.labels(series >= Series.ContainerCpu);
      }
      this.labelsEnd = this.pos;
    }
    this.blanks();

    const valueStart = this.pos;
    while (this.pos < b.length) {
      const c = b[this.pos]!;
      if (c === 0x20 || c === 0x09 || c === NL || c === 0x7b) break;
      this.pos++;
    }
    if (this.pos === valueStart) this.fail('expected value after metric');
    parseGoFloat(b, valueStart, this.pos, this.float);
    if (this.float.error) {
      const s = this.text.toString('utf8', valueStart, this.pos);
      this.failValue(this.float.error === 'unsupported character in float' ? this.float.error : `strconv.ParseFloat: parsing ${JSON.stringify(s)}: ${this.float.error}`);
    }
    const value = this.float.value;

    this.blanks();
    let timestampMs = this.requestTimeMs;
    if (this.pos < b.length && b[this.pos] !== NL) {
      if (!isDigit(b[this.pos]!)) this.fail('expected timestamp or new record');
      const tsStart = this.pos;
      let ts = 0;
      while (this.pos < b.length && isDigit(b[this.pos]!)) ts = ts * 10 + (b[this.pos++]! - 48);
      if (!Number.isSafeInteger(ts)) this.failValue(`timestamp ${this.text.toString('latin1', tsStart, this.pos)} out of range`);
      timestampMs = ts;
      this.blanks();
      if (this.pos < b.length && b[this.pos] !== NL) this.fail('expected next entry after timestamp');
    }
    this.pos++; // the newline (or past the end)

    if (series !== Series.Other) this.apply(series, value, timestampMs);
  }

  private series(start: number, end: number): Series {
    const len = end - start;
    if (len < 28 || len > 34) return Series.Other;
    for (const [series, name] of SERIES_NAMES) if (sameBytes(this.b, start, end, name)) return series;
    return Series.Other;
  }

  /** Parses {name="value",...}; keeps container/pod/namespace when `keep`. */
  private labels(keep: boolean): void {
    const b = this.b;
    this.pos++; // {
    for (;;) {
      this.blanks();
      if (b[this.pos] === 0x7d) {
        this.pos++;
        return;
      }
      const nameStart = this.pos;
      if (this.pos >= b.length || !isLabelStart(b[this.pos]!)) this.fail('expected label name');
      while (this.pos < b.length && isLabelChar(b[this.pos]!)) this.pos++;
      const nameEnd = this.pos;
      this.blanks();
      if (b[this.pos] !== 0x3d) this.fail('expected equal');
      this.pos++;
      this.blanks();
      if (b[this.pos] !== QUOTE) this.fail('expected label value');
      const valueStart = ++this.pos;
      let escaped = false;
      while (this.pos < b.length && b[this.pos] !== QUOTE) {
        if (b[this.pos] === BACKSLASH) {
          escaped = true;
          if (this.pos + 1 >= b.length || b[this.pos + 1] === NL) this.fail('expected label value');
          this.pos++;
        }
        this.pos++;
      }
      if (this.pos >= b.length) {
        this.pos = valueStart - 1;
        this.fail('expected label value');
      }
      const valueEnd = this.pos++;
      if (keep) {
        let slot = -1;
        if (sameBytes(b, nameStart, nameEnd, LABEL_CONTAINER)) slot = 0;
        else if (sameBytes(b, nameStart, nameEnd, LABEL_POD)) slot = 3;
        else if (sameBytes(b, nameStart, nameEnd, LABEL_NAMESPACE)) slot = 6;
        if (slot >= 0) {
          this.ranges[slot] = valueStart;
          this.ranges[slot + 1] = valueEnd;
          this.ranges[slot + 2] = escaped ? 1 : 0;
        }
      }
      this.blanks();
      if (b[this.pos] === 0x2c) this.pos++;
      else if (b[this.pos] !== 0x7d) this.fail('expected label name');
    }
  }

  private labelValue(start: number, end: number, escaped: boolean): string {
    const b = this.b;
    let ascii = true;
    for (let i = start; i < end; i++) {
      if (b[i]! >= 0x80) {
        ascii = false;
        break;
      }
    }
    let s: string;
    if (ascii) s = this.text.toString('latin1', start, end);
    else {
      try {
        s = utf8.decode(b.subarray(start, end));
      } catch {
        this.failValue(`invalid UTF-8 label value: ${quote(b, start - 1, end + 1)}`);
      }
    }
    if (!escaped) return s;
    // Prometheus unescapes only \" \\ and \n; other sequences stay as written.
    return s.replace(/\\(["\\n])/g, (_m, ch: string) => (ch === 'n' ? '\n' : ch));
  }

  private apply(series: Series, value: number, timestampMs: number): void {
    switch (series) {
      case Series.NodeCpu:
        this.nodeSeen = true;
        this.nodeCpuNs = this.nanos(value, 'node_cpu_usage_seconds_total');
        this.nodeTs = timestampMs;
        return;
      case Series.NodeMemory:
        this.nodeSeen = true;
        this.nodeMemory = this.bytes(value, 'node_memory_working_set_bytes');
        this.nodeTs = timestampMs;
        return;
      default:
        break;
    }
    const acc = this.containerAcc(series);
    const point = acc.point;
    if (series === Series.ContainerCpu) {
      acc.cpuNs = this.nanos(value, 'container_cpu_usage_seconds_total');
      acc.hasCpu = true;
      point.timestampMs = timestampMs;
    } else if (series === Series.ContainerMemory) {
      point.memoryBytes = this.bytes(value, 'container_memory_working_set_bytes');
      acc.hasMemory = true;
      point.timestampMs = timestampMs;
    } else {
      if (!Number.isFinite(value)) this.failValue(`container_start_time_seconds value ${value} is not finite`);
      point.startTimeMs = Math.floor(Math.trunc(value * 1e9) / 1e6);
    }
  }

  /** uint64(value * 1e9), refusing values that conversion cannot represent. */
  private nanos(value: number, series: string): number {
    const ns = value * 1e9;
    if (!(ns >= 0) || ns >= TWO_POW_64) this.failValue(`${series} value ${value} is not a valid cumulative CPU time`);
    return Math.trunc(ns);
  }

  private bytes(value: number, series: string): number {
    if (!(value >= 0) || value >= TWO_POW_64) this.failValue(`${series} value ${value} is not a valid byte count`);
    return Math.trunc(value);
  }

  private label(slot: number): string | undefined {
    const r = this.ranges;
    return r[slot]! < 0 ? undefined : this.labelValue(r[slot]!, r[slot + 1]!, r[slot + 2] === 1);
  }

  /** The container the cursor expects for a line of `series`. */
  private expected(series: Series): ContainerAcc | undefined {
    return this.accs[series === this.cursorSeries ? this.cursor : 0];
  }

  private containerAcc(series: Series): ContainerAcc {
    if (series !== this.cursorSeries) {
      this.cursorSeries = series;
      this.cursor = 0;
    }
    const next = this.accs[this.cursor];
    if (next !== undefined && (this.known === next || this.sameLabels(next))) {
      this.cursor++;
      return next;
    }
    // At the end of the known containers a line is most likely a new container:
    // no label-text lookup (the containers map still catches a repeat). Otherwise
    // the cursor lost its place: find the container by its label text.
    const appending = this.cursor === this.accs.length;
    const labelText = appending ? undefined : this.text.toString('latin1', this.labelsStart, this.labelsEnd);
    let acc = labelText === undefined ? undefined : this.byLabelText.get(labelText);
    if (acc) {
      this.cursor = acc.index + 1;
      return acc;
    }
    const container = this.label(0);
    const pod = this.label(3);
    const namespace = this.label(6);
    if (container === undefined || pod === undefined || namespace === undefined) {
      this.failValue('container series without container, pod and namespace labels');
    }
    // Same container, labels written differently (order, spacing, extra labels).
    const key = `${namespace}\u0000${pod}\u0000${container}`;
    acc = this.containers.get(key);
    if (!acc) {
      acc = {
        point: { name: container, timestampMs: 0, startTimeMs: 0, cpuSec: 0, cpuNsec: 0, memoryBytes: 0 },
        index: this.accs.length,
        labelsStart: this.labelsStart,
        labelsEnd: this.labelsEnd,
        hasCpu: false,
        hasMemory: false,
        cpuNs: 0,
      };
      this.containers.set(key, acc);
      const podKey = `${namespace}\u0000${pod}`;
      let podAcc = this.pods.get(podKey);
      if (!podAcc) {
        podAcc = { pod: { namespace, name: pod, containers: [] }, accs: [] };
        this.pods.set(podKey, podAcc);
      }
      podAcc.accs.push(acc);
      this.accs.push(acc);
    }
    if (labelText !== undefined) this.byLabelText.set(labelText, acc);
    this.cursor = acc.index + 1;
    return acc;
  }

  /** Whether the bytes at `at` repeat acc's label text (braces included). */
  private sameLabelsAt(acc: ContainerAcc, at: number): boolean {
    const len = acc.labelsEnd - acc.labelsStart;
    const b = this.b;
    if (at + len > b.length) return false;
    const a = acc.labelsStart;
    for (let i = 0; i < len; i++) if (b[a + i] !== b[at + i]) return false;
    return true;
  }

  private sameLabels(acc: ContainerAcc): boolean {
    const len = this.labelsEnd - this.labelsStart;
    if (acc.labelsEnd - acc.labelsStart !== len) return false;
    const b = this.b;
    const a = acc.labelsStart;
    const c = this.labelsStart;
    for (let i = 0; i < len; i++) if (b[a + i] !== b[c + i]) return false;
    return true;
  }

  private result(): NodeScrape {
    const scrape: NodeScrape = { pods: [] };
    if (this.nodeSeen && this.nodeCpuNs !== 0 && this.nodeMemory !== 0) {
      const node = { timestampMs: this.nodeTs, startTimeMs: 0, cpuSec: 0, cpuNsec: 0, memoryBytes: this.nodeMemory };
      setCpuNanos(node, this.nodeCpuNs);
      scrape.node = node;
    }
    podLoop: for (const { pod, accs } of this.pods.values()) {
      for (const acc of accs) {
        // Zero counts as missing, as upstream: HPA treats a missing pod specially,
        // a pod with zero usage it would not.
        if (!acc.hasCpu || !acc.hasMemory || acc.cpuNs === 0 || acc.point.memoryBytes === 0) continue podLoop;
      }
      for (const acc of accs) {
        setCpuNanos(acc.point, acc.cpuNs);
        pod.containers.push(acc.point);
      }
      scrape.pods.push(pod);
    }
    return scrape;
  }
}

/**
 * Decodes a /metrics/resource body. Samples without a timestamp get
 * `requestTimeMs`. Throws DecodeError on any syntax error, naming the line.
 */
export function decodeResource(body: Uint8Array, requestTimeMs: number): NodeScrape {
  try {
    return new ResourceDecoder(body, requestTimeMs).decode();
  } catch (e) {
    if (e instanceof DecodeError) throw e;
    throw new DecodeError(`failed parsing metrics: ${(e as Error).message}`);
  }
}
