// Compact JSON of a NodeMetricsList or PodMetricsList written straight from rows,
// byte for byte what encodeJson() makes of listObject(rows): same field order,
// label order, quantities, times, escaping and trailing newline. Strings that
// need escaping or are not ASCII go through jsonStringLiteral(); anything a
// row writer does not expect (a non-string label value, a time or window that
// does not format) returns undefined and the caller encodes the objects instead.

import { jsonStringLiteral } from '../codec/json.js';
import type { MetricsRows, NodeRow, PodRow } from '../metrics-rows.js';
import { formatTime, sortedLabels } from '../objects.js';
import { cpuQuantity, memoryQuantity } from '../quantity.js';
import type { ResourceUsage } from '../sources.js';
import { GROUP_VERSION } from '../types.js';
import { ByteSink, SizeHint } from './byte-sink.js';
import { writeWhole, type ListBodyWriter, type Unfinished } from './list-body-writer.js';
import { RowUnsupported, timeTexts, windowTexts, type TextCache } from './row-values.js';

const ascii = (s: string): Buffer => Buffer.from(s, 'latin1');
const LIST_HEAD = {
  NodeMetricsList: ascii(`{"kind":"NodeMetricsList","apiVersion":"${GROUP_VERSION}","metadata":{},"items":[`),
  PodMetricsList: ascii(`{"kind":"PodMetricsList","apiVersion":"${GROUP_VERSION}","metadata":{},"items":[`),
};
const LIST_TAIL = ascii(']}\n');
const HINTS = { NodeMetricsList: new SizeHint(300), PodMetricsList: new SizeHint(400) };
const META_NAME = ascii('{"metadata":{"name":');
const NAMESPACE = ascii(',"namespace":');
const CREATION = ascii(',"creationTimestamp":');
const LABELS = ascii(',"labels":{');
const TIMESTAMP = ascii('},"timestamp":');
const WINDOW = ascii(',"window":');
const CONTAINERS = ascii(',"containers":[');
const CONTAINER_NAME = ascii('{"name":');
const USAGE_CPU = ascii(',"usage":{"cpu":');
const MEMORY = ascii(',"memory":');

/** A JSON string literal; the byte loop covers plain ASCII, the rest is escaped as encodeJson does. */
function str(out: ByteSink, s: unknown): void {
  if (typeof s !== 'string') throw new RowUnsupported();
  const n = s.length;
  out.ensure(n + 2);
  const buf = out.buf;
  let p = out.pos;
  buf[p++] = 0x22;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    // Control characters, '"', '\\', and '<', '>', '&' (escaped like Go), and non-ASCII.
    if (c < 0x20 || c > 0x7e || c === 0x22 || c === 0x5c || c === 0x3c || c === 0x3e || c === 0x26) {
      const text = jsonStringLiteral(s);
      out.utf8(text, Buffer.byteLength(text, 'utf8'));
      return;
    }
    buf[p++] = c;
  }
  buf[p++] = 0x22;
  out.pos = p;
}

function quoted(out: ByteSink, text: string): void {
  out.ensure(text.length + 2);
  out.buf[out.pos++] = 0x22;
  out.ascii(text);
  out.buf[out.pos++] = 0x22;
}

function byte(out: ByteSink, b: number): void {
  out.ensure(1);
  out.buf[out.pos++] = b;
}

/** creationTimestamp: its text, and where each item's value starts in the body (the list cache rewrites them as seconds pass). */
interface Creation {
  text: string;
  at: Int32Array;
  n: number;
}

function metadata(out: ByteSink, name: string, namespace: string | undefined, creation: Creation, labels: Readonly<Record<string, string>>): void {
  out.bytes(META_NAME);
  str(out, name);
  if (namespace !== undefined) {
    out.bytes(NAMESPACE);
    str(out, namespace);
  }
  out.bytes(CREATION);
  creation.at[creation.n++] = out.pos + 1;
  quoted(out, creation.text);
  const sorted = sortedLabels(labels);
  if (sorted) {
    out.bytes(LABELS);
    let first = true;
    for (const k in sorted) {
      if (!first) byte(out, 0x2c);
      first = false;
      str(out, k);
      byte(out, 0x3a);
      str(out, sorted[k]);
    }
    byte(out, 0x7d);
  }
}

function usage(out: ByteSink, u: ResourceUsage): void {
  out.bytes(USAGE_CPU);
  quoted(out, cpuQuantity(u.cpuNanocores));
  out.bytes(MEMORY);
  quoted(out, memoryQuantity(u.memoryBytes));
  byte(out, 0x7d);
}

function nodeItem(out: ByteSink, row: NodeRow, creation: Creation, times: TextCache, windows: TextCache): void {
  const { node, usage: u } = row;
  metadata(out, node.name, undefined, creation, node.labels);
  out.bytes(TIMESTAMP);
  quoted(out, times.get(u.timestampMs));
  out.bytes(WINDOW);
  str(out, windows.get(u.windowNs)); // "µs" is not ASCII
  usage(out, u.usage);
  byte(out, 0x7d);
}

function podItem(out: ByteSink, row: PodRow, creation: Creation, times: TextCache, windows: TextCache): void {
  const { pod, usage: u } = row;
  metadata(out, pod.name, pod.namespace, creation, pod.labels);
  out.bytes(TIMESTAMP);
  quoted(out, times.get(u.timestampMs));
  out.bytes(WINDOW);
  str(out, windows.get(u.windowNs)); // "µs" is not ASCII
  out.bytes(CONTAINERS);
  const cs = u.containers;
  for (let c = 0; c < cs.length; c++) {
    if (c > 0) byte(out, 0x2c);
    out.bytes(CONTAINER_NAME);
    str(out, cs[c]!.name);
    usage(out, cs[c]!.usage);
    byte(out, 0x7d);
  }
  out.ensure(2);
  out.buf[out.pos++] = 0x5d;
  out.buf[out.pos++] = 0x7d;
}

/** The compact JSON body of a list, written a range of rows at a time. */
export class JsonListWriter implements ListBodyWriter {
  private readonly out: ByteSink;
  private readonly times = timeTexts();
  private readonly windows = windowTexts();
  private readonly creation: Creation;

  constructor(private readonly r: MetricsRows) {
    this.out = new ByteSink(HINTS[r.kind].estimate(r.rows.length));
    this.out.bytes(LIST_HEAD[r.kind]);
    this.creation = { text: formatTime(r.nowMs), at: new Int32Array(r.rows.length), n: 0 };
  }

  write(from: number, to: number): void {
    const { out, r, creation, times, windows } = this;
    if (r.kind === 'NodeMetricsList') {
      for (let i = from; i < to; i++) {
        if (i > 0) byte(out, 0x2c);
        nodeItem(out, r.rows[i]!, creation, times, windows);
      }
    } else {
      for (let i = from; i < to; i++) {
        if (i > 0) byte(out, 0x2c);
        podItem(out, r.rows[i]!, creation, times, windows);
      }
    }
  }

  finish(): Unfinished {
    this.out.bytes(LIST_TAIL);
    HINTS[this.r.kind].learn(this.r.rows.length, this.out.pos);
    return { sink: this.out, start: 0, creationAt: this.creation.at };
  }
}

/** The compact JSON body of the list, or undefined when the rows need the object encoder. */
export function writeListJson(r: MetricsRows): Buffer | undefined {
  return writeWhole(() => new JsonListWriter(r), r.rows.length)?.body;
}
