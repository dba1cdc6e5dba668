// Decoder for the kubelet's GET /stats/summary (stats/v1alpha1 JSON), as
// metrics-server v0.4/v0.5 read it: cumulative usageCoreNanoSeconds with
// cpu.time as the sample time, memory.workingSetBytes and startTime, for the
// node and for every container. Everything else in the summary is skipped.
//
// Completeness (upstream pkg/scraper/client/summary/decode.go): the node point
// is dropped when startTime, cpu.time, usageCoreNanoSeconds or workingSetBytes
// is missing or zero; a pod is dropped entirely when any of its containers is.
//
// A repeated member or a null reads as Go's encoding/json reads it into the
// kubelet's types: "node" and "podRef" are structs (null leaves them as they
// were, a later object sets only the fields it has), "cpu" and "memory" are
// pointers (null unsets them, a later object sets only the fields it has),
// "pods" and "containers" are slices (null empties them). A later array
// replaces an earlier one here; Go decodes it into the elements already there.
// No kubelet repeats a member: that one difference is left.

import { DecodeError } from './decode-error.js';
import { JsonScanner, Keys, TimeSlot } from './decode-json.js';
import type { Names } from './name-interner.js';
import type { ScrapeRecycler } from './scrape-recycler.js';
import type { ContainerPoint, MetricsPoint, NodeScrape, PodPoints } from './types.js';

// The members read in each kind of object, by index; every other member is skipped.
const TOP = new Keys(['node', 'pods']);
const POD = new Keys(['podRef', 'containers']);
const POD_REF = new Keys(['name', 'namespace']);
const POINT_START_TIME = 0;
const POINT_CPU = 1;
const POINT_MEMORY = 2;
const CONTAINER_NAME = 3;
const NODE_KEYS = new Keys(['startTime', 'cpu', 'memory']);
const CONTAINER_KEYS = new Keys(['startTime', 'cpu', 'memory', 'name']);
const CPU = new Keys(['time', 'usageCoreNanoSeconds']);
const MEMORY = new Keys(['workingSetBytes']);

/** Field names for error messages, fixed strings so the normal path builds none. */
interface Fields {
  startTime: string;
  cpu: string;
  cpuTime: string;
  cpuUsage: string;
  memory: string;
  workingSet: string;
}
const NODE_FIELDS: Fields = {
  startTime: 'node.startTime',
  cpu: 'node.cpu',
  cpuTime: 'node.cpu.time',
  cpuUsage: 'node.cpu.usageCoreNanoSeconds',
  memory: 'node.memory',
  workingSet: 'node.memory.workingSetBytes',
};
const CONTAINER_FIELDS: Fields = {
  startTime: 'containers[].startTime',
  cpu: 'containers[].cpu',
  cpuTime: 'containers[].cpu.time',
  cpuUsage: 'containers[].cpu.usageCoreNanoSeconds',
  memory: 'containers[].memory',
  workingSet: 'containers[].memory.workingSetBytes',
};

const OBJECT_END = 0x7d;
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
    point.startSubMsNs = 0;
    point.cpuSec = this.cpuSec;
    point.cpuNsec = this.cpuNsec;
    point.memoryBytes = this.memoryBytes;
  }
}

/** Consumes '[' (or null) and reports whether elements follow. */
function arrayStart(s: JsonScanner, field: string): boolean {
  return s.arrayStart(field) && !s.emptyNext(ARRAY_END);
}

function readCpu(s: JsonScanner, r: PointReader, f: Fields): void {
  if (!s.objectStart(f.cpu)) {
    // null: a nil *CPUStats, whatever an earlier "cpu" set.
    r.timestampMs = NaN;
    r.hasCpu = false;
    r.cpuSec = 0;
    r.cpuNsec = 0;
    return;
  }
  for (let k = s.member(CPU, true); k >= 0; k = s.member(CPU, false)) {
    if (k === 0) {
      s.readTime(f.cpuTime, TimeSlot.Sample);
      r.timestampMs = s.timeMs;
    } else {
      r.hasCpu = s.uint64(f.cpuUsage);
      if (r.hasCpu) {
        const start = s.digitsStart;
        const end = s.digitsEnd;
        // Split the decimal digits: the last nine are the nanoseconds. Exact for
        // every uint64, no double rounding.
        const split = Math.max(start, end - 9);
        r.cpuSec = s.digitsValue(start, split);
        r.cpuNsec = s.digitsValue(split, end);
      }
    }
  }
}

function readMemory(s: JsonScanner, r: PointReader, f: Fields): void {
  if (!s.objectStart(f.memory)) {
    // null: a nil *MemoryStats, whatever an earlier "memory" set.
    r.memoryBytes = 0;
    return;
  }
  for (let k = s.member(MEMORY, true); k >= 0; k = s.member(MEMORY, false)) {
    r.memoryBytes = s.uint64(f.workingSet) ? s.digitsValue(s.digitsStart, s.digitsEnd) : 0;
  }
}

/** Reads the member (by its index in NODE_KEYS/CONTAINER_KEYS) shared by node and container stats; returns false for any other. */
function readPointMember(s: JsonScanner, r: PointReader, member: number, f: Fields): boolean {
  if (member === POINT_START_TIME) {
    s.readTime(f.startTime, TimeSlot.Start);
    r.startTimeMs = s.timeMs;
  }
  else if (member === POINT_CPU) readCpu(s, r, f);
  else if (member === POINT_MEMORY) readMemory(s, r, f);
  else return false;
  return true;
}

/** Reads a "node" member into r, which holds what earlier ones set (NodeStats is a struct: null changes nothing). */
function readNode(s: JsonScanner, r: PointReader): void {
  if (!s.objectStart('node')) return;
  for (let k = s.member(NODE_KEYS, true); k >= 0; k = s.member(NODE_KEYS, false)) readPointMember(s, r, k, NODE_FIELDS);
}

/** Reads one container into r; returns its name. */
function readContainer(s: JsonScanner, r: PointReader, names: Names | undefined): string {
  r.reset();
  let name = '';
  if (!s.objectStart('containers[]')) return name;
  for (let k = s.member(CONTAINER_KEYS, true); k >= 0; k = s.member(CONTAINER_KEYS, false)) {
    if (k === CONTAINER_NAME) name = s.string('containers[].name', names);
    else readPointMember(s, r, k, CONTAINER_FIELDS);
  }
  return name;
}

/** Where a decode takes its objects: fresh ones, or reused ones from a recycler. */
interface Allocator {
  scrape(): NodeScrape;
  nodePoint(): MetricsPoint;
  container(name: string): ContainerPoint;
  pod(namespace: string, name: string): PodPoints;
  /** Empties pod.containers (the pod stays in use). */
  clearContainers(pod: PodPoints): void;
  /** The pod is not returned: its objects may be reused. */
  dropPod(pod: PodPoints): void;
}

const FRESH: Allocator = {
  scrape: () => ({ node: undefined, pods: [] }),
  nodePoint: () => ({ timestampMs: 0, startTimeMs: 0, startSubMsNs: 0, cpuSec: 0, cpuNsec: 0, memoryBytes: 0 }),
  container: (name) => ({ name, timestampMs: NaN, startTimeMs: NaN, startSubMsNs: 0, cpuSec: 0, cpuNsec: 0, memoryBytes: 0 }),
  pod: (namespace, name) => ({ namespace, name, containers: [] }),
  clearContainers: (pod) => {
    pod.containers.length = 0;
  },
  dropPod: () => {},
};

/** Reads a pod's containers into pod.containers; false when one of them is incomplete (the pod is dropped). */
function readContainers(s: JsonScanner, r: PointReader, names: Names | undefined, pod: PodPoints, alloc: Allocator): boolean {
  let complete = true;
  if (!arrayStart(s, 'containers')) return true;
  do {
    const name = readContainer(s, r, names);
    if (!complete) continue;
    if (!r.complete()) {
      complete = false;
      continue;
    }
    const point = alloc.container(name);
    r.fill(point);
    pod.containers.push(point);
  } while (s.moreNext(ARRAY_END));
  return complete;
}

/** Reads one pod; returns undefined when it must be dropped (incomplete container, no name, no containers). */
function readPod(s: JsonScanner, r: PointReader, names: Names | undefined, alloc: Allocator): PodPoints | undefined {
  let name = '';
  let namespace = '';
  let containers = false;
  let complete = true;
  if (!s.objectStart('pods[]')) return undefined;
  // Names are set once read; the containers go straight into the pod.
  const pod = alloc.pod('', '');
  for (let k = s.member(POD, true); k >= 0; k = s.member(POD, false)) {
    if (k === 0) {
      if (s.objectStart('podRef')) {
        for (let r = s.member(POD_REF, true); r >= 0; r = s.member(POD_REF, false)) {
          if (r === 0) name = s.string('podRef.name', names);
          else namespace = s.string('podRef.namespace', names);
        }
      }
    } else {
      // A later "containers" member replaces an earlier one, as in Go.
      alloc.clearContainers(pod);
      containers = true;
      complete = readContainers(s, r, names, pod, alloc);
    }
  }
  if (!complete || !containers || pod.containers.length === 0 || name === '' || namespace === '') {
    alloc.dropPod(pod);
    return undefined;
  }
  pod.namespace = namespace;
  pod.name = name;
  return pod;
}

// One scanner and point readers for every decode: decoding is synchronous, so two never overlap.
const scanner = new JsonScanner(new Uint8Array(0));
const reader = new PointReader();
/** The node's, apart: pods read between two "node" members must not touch it. */
const nodeReader = new PointReader();

/**
 * Decodes a /stats/summary body. `_requestTimeMs` is unused: summary samples
 * always carry cpu.time, and a sample without it is incomplete (as upstream).
 * Pod and container names come from `names` when given (one interner across
 * ticks). Pods and container points come from `recycler` when given: the
 * caller then owns the result until it hands it back with recycler.release().
 * Throws DecodeError on anything that is not a well-formed summary.
 */
export function decodeSummary(body: Uint8Array, _requestTimeMs: number, names?: Names, recycler?: ScrapeRecycler): NodeScrape {
  const alloc: Allocator = recycler ?? FRESH;
  const s = scanner.reset(body);
  const r = reader;
  const node = nodeReader;
  node.reset();
  const result = alloc.scrape();
  try {
    if (s.nullNext()) {
      s.end();
      return result;
    }
    if (s.peek() !== 0x7b) s.fail('expected a JSON object');
    s.pos++;
    if (!s.emptyNext(OBJECT_END)) {
      do {
        switch (s.key(TOP)) {
          case 0:
            readNode(s, node);
            break;
          case 1:
            // A later "pods" member replaces an earlier one.
            while (result.pods.length > 0) alloc.dropPod(result.pods.pop()!);
            if (arrayStart(s, 'pods')) {
              do {
                const pod = readPod(s, r, names, alloc);
                if (pod) result.pods.push(pod);
              } while (s.moreNext(ARRAY_END));
            }
            break;
          default:
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
  if (node.complete()) {
    const point = alloc.nodePoint();
    node.fill(point);
    result.node = point;
  }
  return result;
}
