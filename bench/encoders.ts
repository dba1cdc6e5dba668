// List encoding in process: writing a pod list's compact JSON or protobuf body
// (and the protobuf PartialObjectMetadataList) straight from its rows (what the server does on the first list request of a
// tick) against building the wire objects and encoding them (encodeJson /
// encodeProtobuf, the path every other encoding still takes). Pods, names,
// labels and usage come from the simulated cluster's model. Ratios above 1 mean
// the row writer is faster. Writes bench/results/encoders.json.
// Run: node dist/bench/encoders.js [nodes]
import { fileURLToPath } from 'node:url';
import { encodeJson } from '../src/api/codec/json.js';
import { asPartialObjectMetadata } from '../src/api/codec/partial.js';
import { encodeProtobuf } from '../src/api/codec/protobuf.js';
import { writeListJson, writeListProtobuf } from '../src/api/list-writer/index.js';
import { listObject, type PodRow, type PodRows } from '../src/api/metrics-rows.js';
import { UsageModel } from '../src/sim/model.js';
import { compare } from '../src/util/go-order.js';
import { printTable, writeResult } from './lib/results.js';

export interface EncoderBenchRow extends Record<string, string | number> {
  encoding: string;
  items: number;
  bytes: number;
  ourMs: number;
  baseline: string;
  baselineMs: number;
  ratio: number;
}

/** Every pod of a simulated cluster as list rows, sorted as the storage sorts them. */
function simulatedRows(nodes: number, podsPerNode: number, containersPerPod: number, nowMs: number): PodRows {
  const model = new UsageModel({ nodes, podsPerNode, containersPerPod, nowMs });
  const rows: PodRow[] = [];
  for (const node of model.nodes) {
    for (const p of model.podsOn(node.name)) {
      rows.push({
        pod: { namespace: p.namespace, name: p.name, labels: p.labels },
        usage: {
          timestampMs: nowMs - 2_000 - (node.index % 3) * 1_000,
          windowNs: 15_000_000_000 + (node.index % 7) * 1_000_000,
          containers: p.containers.map((c) => ({ name: c.name, usage: { cpuNanocores: c.cpuNanocores, memoryBytes: c.memoryBytes } })),
        },
      });
    }
  }
  rows.sort((a, b) => compare(a.pod.namespace, b.pod.namespace) || compare(a.pod.name, b.pod.name));
  return { kind: 'PodMetricsList', nowMs, rows };
}

function timed(fn: () => Buffer | undefined): number {
  const t = performance.now();
  if (!fn()) throw new Error('the row writer declined simulated rows');
  return performance.now() - t;
}

/** Median ms of ours and the baseline, alternating rounds after one warm-up each. */
function race(ours: () => Buffer | undefined, base: () => Buffer, rounds: number): [number, number] {
  timed(ours);
  timed(base);
  const a: number[] = [];
  const b: number[] = [];
  for (let r = 0; r < rounds; r++) {
    a.push(timed(ours));
    b.push(timed(base));
  }
  const median = (v: number[]) => v.sort((x, y) => x - y)[v.length >> 1]!;
  return [median(a), median(b)];
}

export function runEncoderBench(nodes: number, podsPerNode = 30, containersPerPod = 2, rounds = 5): EncoderBenchRow[] {
  const rows = simulatedRows(nodes, podsPerNode, containersPerPod, Date.now());
  const out: EncoderBenchRow[] = [];
  const cases: [string, () => Buffer | undefined, string, () => Buffer][] = [
    ['JSON', () => writeListJson(rows), 'objects + encodeJson', () => Buffer.from(encodeJson(listObject(rows)))],
    ['protobuf', () => writeListProtobuf(rows), 'objects + encodeProtobuf', () => encodeProtobuf(listObject(rows))],
    [
      'protobuf metadata',
      () => writeListProtobuf(rows, 'v1'),
      'objects + encodeProtobuf',
      () => encodeProtobuf(asPartialObjectMetadata(listObject(rows), 'PartialObjectMetadataList', 'v1')),
    ],
  ];
  for (const [encoding, ours, baseline, base] of cases) {
    // Same bytes or no figures: the comparison is only fair if both write the same body.
    const mine = ours();
    const theirs = base();
    if (!mine || !mine.equals(theirs)) throw new Error(`${encoding}: the row writer's body differs from the object encoder's`);
    const [ourMs, baselineMs] = race(ours, base, rounds);
    out.push({ encoding, items: rows.rows.length, bytes: mine.length, ourMs, baseline, baselineMs, ratio: baselineMs / ourMs });
  }
  return out;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const rows = runEncoderBench(Number(process.argv[2] ?? 1000));
  printTable('list encoders (ms per list; ratio = baseline / ours)', rows);
  writeResult('encoders', { node: process.version, rows });
}
