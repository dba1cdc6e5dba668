// Decoder for the kubelet's GET /stats/summary (stats/v1alpha1 JSON), as
// metrics-server v0.4/v0.5 read it: cumulative usageCoreNanoSeconds with
// cpu.time as the sample time, memory.workingSetBytes and startTime, for the
// node and for every container. Everything else in the summary is skipped.
//
// Completeness (upstream pkg/scraper/client/summary/decode.go): the node point
// is dropped when startTime, cpu.time, usageCoreNanoSeconds or workingSetBytes
// is missing or zero; a pod is dropped entirely when any of its containers is.

import { DecodeError } from './decode-error.js';
import { fieldName, JsonScanner } from './decode-json.js';
import type { NameInterner } from './name-interner.js';
import type { ContainerPoint, MetricsPoint, NodeScrape, PodPoints } from './types.js';

const F = {
  node: fieldName('node'),
  pods: fieldName('pods'),
  podRef: fieldName('podRef'),
  name: fieldName('name'),
  namespace: fieldName('namespace'),
  containers: fieldName('containers'),
  startTime: fieldName('startTime'),
  cpu: fieldName('cpu'),
  memory: fieldName('memory'),
  time: fieldName('time'),
  usageCoreNanoSeconds: fieldName('usageCoreNanoSeconds'),
  workingSetBytes: fieldName('workingSetBytes'),
};

const OBJECT = 0x7b;
const OBJECT_END = 0x7d;
const ARRAY = 0x5b;
const ARRAY_END = 0x5d;

/** One node or container while its JSON object is being read; NaN = absent. */
class PointReader {
  startTimeMs = NaN;
  timestampMs = NaN;
  cpuSec = 0;
  cpuNsec = 0;
  hasCpu = false;
  memoryBytes = 0;

  reset(): void {
    this.startTimeMs = NaN;
    this.timestampMs = NaN;
    this.cpuSec = 0;
    this.cpuNsec = 0;
    this.hasCpu = false;
    this.memoryBytes = 0;
  }

  /** Complete as upstream requires: start and CPU time set, CPU and memory non-zero. */
  complete(): boolean {
    return (
      !Number.isNaN(this.startTimeMs) &&
      !Number.isNaN(this.timestampMs) &&
      this.hasCpu &&
      (this.cpuSec !== 0 || this.cpuNsec !== 0) &&
      this.memoryBytes !== 0
    );
  }

  fill(point: MetricsPoint): void {
    point.timestampMs = this.timestampMs;
    point.startTimeMs = this.startTimeMs;
    point.cpuSec = this.cpuSec;
    point.cpuNsec = this.cpuNsec;
    point.memoryBytes = this.memoryBytes;
  }
}

function objectStart(s: JsonScanner, field: string): boolean {
  if (s.nullNext()) return false;
  if (s.peek() !== OBJECT) s.fail(`${field}: expected an object`);
  s.pos++;
  return !s.emptyNext(OBJECT_END);
}

function arrayStart(s: JsonScanner, field: string): boolean {
  if (s.nullNext()) return false;
  if (s.peek() !== ARRAY) s.fail(`${field}: expected an array`);
  s.pos++;
  return !s.emptyNext(ARRAY_END);
}

function readCpu(s: JsonScanner, r: PointReader, field: string): void {
  // cpu: null (or absent) leaves the point without CPU, like a nil *CPUStats.
  if (!objectStart(s, field)) return;
  do {
    s.key();
    if (s.keyIs(F.time, 'time')) {
      r.timestampMs = s.time(`${field}.time`);
    } else if (s.keyIs(F.usageCoreNanoSeconds, 'usageCoreNanoSeconds')) {
      if (s.uint64(`${field}.usageCoreNanoSeconds`)) {
        r.hasCpu = true;
        const start = s.digitsStart;
        const end = s.digitsEnd;
        // Split the decimal digits: the last nine are the nanoseconds. Exact for
        // every uint64, no double rounding.
        const split = Math.max(start, end - 9);
        r.cpuSec = s.digitsValue(start, split);
        r.cpuNsec = s.digitsValue(split, end);
      } else {
        r.hasCpu = false;
      }
    } else {
      s.skip();
    }
  } while (s.moreNext(OBJECT_END));
}

function readMemory(s: JsonScanner, r: PointReader, field: string): void {
  if (!objectStart(s, field)) return;
  do {
    s.key();
    if (s.keyIs(F.workingSetBytes, 'workingSetBytes')) {
      r.memoryBytes = s.uint64(`${field}.workingSetBytes`) ? s.digitsValue(s.digitsStart, s.digitsEnd) : 0;
    } else {
      s.skip();
    }
  } while (s.moreNext(OBJECT_END));
}

/** Reads the members shared by node and container stats; returns false for a key it does not own. */
function readPointMember(s: JsonScanner, r: PointReader, where: string): boolean {
  if (s.keyIs(F.startTime, 'startTime')) r.startTimeMs = s.time(`${where}.startTime`);
  else if (s.keyIs(F.cpu, 'cpu')) readCpu(s, r, `${where}.cpu`);
  else if (s.keyIs(F.memory, 'memory')) readMemory(s, r, `${where}.memory`);
  else return false;
  return true;
}

function readNode(s: JsonScanner, r: PointReader): MetricsPoint | undefined {
  r.reset();
  let any = false;
  if (objectStart(s, 'node')) {
    any = true;
    do {
      s.key();
      if (!readPointMember(s, r, 'node')) s.skip();
    } while (s.moreNext(OBJECT_END));
  }
  if (!any || !r.complete()) return undefined;
  const point: MetricsPoint = { timestampMs: 0, startTimeMs: 0, cpuSec: 0, cpuNsec: 0, memoryBytes: 0 };
  r.fill(point);
  return point;
}

/** Reads one pod; returns undefined when it must be dropped (incomplete container, no name, no containers). */
function readPod(s: JsonScanner, r: PointReader, names: NameInterner | undefined): PodPoints | undefined {
  let name = '';
  let namespace = '';
  let containers: ContainerPoint[] | undefined;
  let complete = true;
  if (!objectStart(s, 'pods[]')) return undefined;
  do {
    s.key();
    if (s.keyIs(F.podRef, 'podRef')) {
      if (objectStart(s, 'podRef')) {
        do {
          s.key();
          if (s.keyIs(F.name, 'name')) name = s.string('podRef.name', names);
          else if (s.keyIs(F.namespace, 'namespace')) namespace = s.string('podRef.namespace', names);
          else s.skip();
        } while (s.moreNext(OBJECT_END));
      }
    } else if (s.keyIs(F.containers, 'containers')) {
      containers = [];
      if (arrayStart(s, 'containers')) {
        do {
          r.reset();
          let containerName = '';
          if (objectStart(s, 'containers[]')) {
            do {
              s.key();
              if (s.keyIs(F.name, 'name')) containerName = s.string('containers[].name', names);
              else if (!readPointMember(s, r, 'containers[]')) s.skip();
            } while (s.moreNext(OBJECT_END));
          }
          if (!complete) continue;
          if (!r.complete()) {
            complete = false;
            continue;
          }
          const point: ContainerPoint = { name: containerName, timestampMs: 0, startTimeMs: 0, cpuSec: 0, cpuNsec: 0, memoryBytes: 0 };
          r.fill(point);
          containers.push(point);
        } while (s.moreNext(ARRAY_END));
      }
    } else {
      s.skip();
    }
  } while (s.moreNext(OBJECT_END));
  if (!complete || containers === undefined || containers.length === 0 || name === '' || namespace === '') return undefined;
  return { namespace, name, containers };
}

/**
 * Decodes a /stats/summary body. `_requestTimeMs` is unused: summary samples
 * always carry cpu.time, and a sample without it is incomplete (as upstream).
 * Pod and container names come from `names` when given (one interner across
 * ticks). Throws DecodeError on anything that is not a well-formed summary.
 */
export function decodeSummary(body: Uint8Array, _requestTimeMs: number, names?: NameInterner): NodeScrape {
  const s = new JsonScanner(body);
  const r = new PointReader();
  const result: NodeScrape = { pods: [] };
  try {
    if (s.nullNext()) {
      s.end();
      return result;
    }
    if (s.peek() !== OBJECT) s.fail('expected a JSON object');
    s.pos++;
    if (!s.emptyNext(OBJECT_END)) {
      do {
        s.key();
        if (s.keyIs(F.node, 'node')) {
          const node = readNode(s, r);
          if (node) result.node = node;
          else delete result.node;
        } else if (s.keyIs(F.pods, 'pods')) {
          result.pods = [];
          if (arrayStart(s, 'pods')) {
            do {
              const pod = readPod(s, r, names);
              if (pod) result.pods.push(pod);
            } while (s.moreNext(ARRAY_END));
          }
        } else {
          s.skip();
        }
      } while (s.moreNext(OBJECT_END));
    }
    s.end();
  } catch (e) {
    if (e instanceof DecodeError) throw e;
    // Anything else (e.g. a RangeError from a pathological input) is still a decode failure.
    throw new DecodeError(`invalid summary: ${(e as Error).message}`);
  }
  return result;
}
