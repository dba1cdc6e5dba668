// The two per-node families, metrics_server_kubelet_request_duration_seconds
// (histogram) and metrics_server_kubelet_last_request_time_seconds (gauge),
// kept and rendered outside prom-client. With one series set per node they are
// nearly all of /metrics: at 5,000 nodes prom-client built 75k sample objects
// and formatted every label set on each scrape, ≈ 0.5 s of CPU per 6.5 MB
// response (measured), blocking the event loop as long. Here a node's label is
// escaped once, its numbers live in one Float64Array (no boxed doubles per
// observation), and a scrape writes text straight from them. The text is what
// prom-client's Histogram and Gauge export for the same observations.

import type { TimeSlicer } from '../util/time-slice.js';

/** Label value escaping of the Prometheus text format (as prom-client). */
function escapeLabelValue(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

/** HELP text escaping of the Prometheus text format (as prom-client). */
function escapeHelp(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}

/** A sample value as prom-client writes it. */
function formatValue(v: number): string {
  if (Number.isNaN(v)) return 'Nan';
  if (!Number.isFinite(v)) return v > 0 ? '+Inf' : '-Inf';
  return `${v}`;
}

export interface FamilyInfo {
  name: string;
  help: string;
}

export interface KubeletNodeSeriesConfig {
  duration: FamilyInfo;
  lastRequest: FamilyInfo;
  /** Upper bounds of the duration histogram, ascending; +Inf is implied. */
  buckets: readonly number[];
}

/** One node's series: `{node="…"}` escaped once, and its numbers. */
interface NodeSeries {
  /** `node="<escaped>"` */
  label: string;
  /** Per bucket (not cumulative) then values above every bound, sum, count, last request time. */
  values: Float64Array;
  /** Tick in which the node was last requested. */
  seenTick: number;
}

export class KubeletNodeSeries {
  private readonly nodes = new Map<string, NodeSeries>();
  private readonly bounds: readonly number[];
  /** `<name>_bucket{le="<bound>",` per bucket, +Inf last. */
  private readonly bucketPrefixes: string[];
  private readonly sumPrefix: string;
  private readonly countPrefix: string;
  private readonly lastPrefix: string;
  private readonly durationHeader: string;
  private readonly lastHeader: string;
  private readonly SUM: number;
  private readonly COUNT: number;
  private readonly LAST: number;

  constructor(cfg: KubeletNodeSeriesConfig) {
    this.bounds = [...cfg.buckets];
    const d = cfg.duration.name;
    this.bucketPrefixes = [...this.bounds.map(formatValue), '+Inf'].map((le) => `${d}_bucket{le="${le}",`);
    this.sumPrefix = `${d}_sum{`;
    this.countPrefix = `${d}_count{`;
    this.lastPrefix = `${cfg.lastRequest.name}{`;
    this.durationHeader = `# HELP ${d} ${escapeHelp(cfg.duration.help)}\n# TYPE ${d} histogram`;
    this.lastHeader = `# HELP ${cfg.lastRequest.name} ${escapeHelp(cfg.lastRequest.help)}\n# TYPE ${cfg.lastRequest.name} gauge`;
    this.SUM = this.bounds.length + 1;
    this.COUNT = this.SUM + 1;
    this.LAST = this.COUNT + 1;
  }

  /** Number of nodes with series. */
  get size(): number {
    return this.nodes.size;
  }

  /** Records one request to node's kubelet: its duration, the time it was made (epoch s), the tick it belongs to. */
  observe(node: string, durationSec: number, atSec: number, tick: number): void {
    let s = this.nodes.get(node);
    if (s === undefined) {
      s = { label: `node="${escapeLabelValue(node)}"`, values: new Float64Array(this.LAST + 1), seenTick: tick };
      this.nodes.set(node, s);
    }
    s.seenTick = tick;
    const v = s.values;
    const b = this.bounds;
    let i = 0;
    while (i < b.length && durationSec > b[i]!) i++;
    v[i]! += 1;
    v[this.SUM]! += durationSec;
    v[this.COUNT]! += 1;
    v[this.LAST] = atSec;
  }

  /** Drops a node's series. */
  remove(node: string): void {
    this.nodes.delete(node);
  }

  /** Drops the series of nodes not requested since tick `oldest` (exclusive of it); returns their names. */
  sweep(oldest: number): string[] {
    const gone: string[] = [];
    for (const [node, s] of this.nodes) {
      if (s.seenTick < oldest) {
        this.nodes.delete(node);
        gone.push(node);
      }
    }
    return gone;
  }

  /** Both families in the Prometheus text format, separated by a blank line, without a final newline. */
  render(): string {
    let text = '';
    for (const part of this.parts()) text += part;
    return text;
  }

  /**
   * render()'s text as bytes, written NODES_PER_PART nodes at a time, yielding
   * whenever the slicer's slice is spent (at 5,000 nodes the text is 6.5 MB and
   * held every other request ~100 ms written at once). Nodes are those present
   * when it starts; each node's numbers are read whole.
   */
  async renderBuffer(slicer: TimeSlicer): Promise<Buffer> {
    const out: Buffer[] = [];
    for (const part of this.parts()) {
      out.push(Buffer.from(part));
      if (slicer.due) await slicer.next();
    }
    return Buffer.concat(out);
  }

  /** The text in parts: each family's header, then its lines NODES_PER_PART nodes at a time. */
  private *parts(): Generator<string> {
    const nodes = [...this.nodes.values()];
    yield this.lastHeader;
    for (let from = 0; from < nodes.length; from += NODES_PER_PART) {
      let last = '';
      for (const s of nodes.slice(from, from + NODES_PER_PART)) last += `\n${this.lastPrefix}${s.label}} ${formatValue(s.values[this.LAST]!)}`;
      yield last;
    }
    yield `\n\n${this.durationHeader}`;
    const prefixes = this.bucketPrefixes;
    for (let from = 0; from < nodes.length; from += NODES_PER_PART) {
      let dur = '';
      for (const s of nodes.slice(from, from + NODES_PER_PART)) {
        const v = s.values;
        const tail = `${s.label}} `;
        let acc = 0;
        for (let i = 0; i < prefixes.length - 1; i++) {
          acc += v[i]!;
          dur += `\n${prefixes[i]}${tail}${acc}`;
        }
        dur += `\n${prefixes[prefixes.length - 1]}${tail}${formatValue(v[this.COUNT]!)}`;
        dur += `\n${this.sumPrefix}${tail}${formatValue(v[this.SUM]!)}`;
        dur += `\n${this.countPrefix}${tail}${formatValue(v[this.COUNT]!)}`;
      }
      yield dur;
    }
  }
}

/** Nodes whose lines are written between two looks at the slicer's clock. */
const NODES_PER_PART = 256;
