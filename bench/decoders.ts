// Decoder throughput on the kubelet fixtures: decodeSummary against JSON.parse
// alone (which builds objects but extracts nothing), decodeResource against
// parse-prometheus-text-format. Ratios above 1 mean our decoder is faster.
// Writes bench/results/decoders.json. Run: node dist/bench/decoders.js
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { decodeResource } from '../src/scrape/decode-resource.js';
import { decodeSummary } from '../src/scrape/decode-summary.js';
import { fixturePath } from '../test/helpers/paths.js';
import { printTable, writeResult } from './lib/results.js';

const require = createRequire(import.meta.url);
const parsePrometheusTextFormat = require('parse-prometheus-text-format') as (text: string) => unknown[];

const SUMMARY = ['otel-minikube-1.json', 'nri-k8s-1.35.json', 'nri-k8s-1.16.json', 'datadog-windows-1.json'];
const RESOURCE = ['metrics-server-kind-1.txt'];

/** MB/s of fn over body, run for about `ms` after a warm-up. */
function throughput(body: Uint8Array, fn: (b: Uint8Array) => unknown, ms = 400): number {
  for (let i = 0; i < 200; i++) fn(body);
  let runs = 0;
  const start = performance.now();
  let elapsed = 0;
  while (elapsed < ms) {
    for (let i = 0; i < 50; i++) fn(body);
    runs += 50;
    elapsed = performance.now() - start;
  }
  return (body.byteLength * runs) / 1e6 / (elapsed / 1000);
}

export interface DecoderBenchRow extends Record<string, string | number> {
  fixture: string;
  decoder: string;
  ourMBps: number;
  baseline: string;
  baselineMBps: number;
  ratio: number;
}

export function runDecoderBench(ms = 400): DecoderBenchRow[] {
  const rows: DecoderBenchRow[] = [];
  const now = Date.now();
  for (const name of SUMMARY) {
    const body = readFileSync(fixturePath('kubelet', 'summary', name));
    const ours = throughput(body, (b) => decodeSummary(b, now), ms);
    const base = throughput(body, (b) => JSON.parse(Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('utf8')), ms);
    rows.push({ fixture: name, decoder: 'decodeSummary', ourMBps: ours, baseline: 'JSON.parse', baselineMBps: base, ratio: ours / base });
  }
  for (const name of RESOURCE) {
    const body = readFileSync(fixturePath('kubelet', 'resource', name));
    const ours = throughput(body, (b) => decodeResource(b, now), ms);
    const base = throughput(body, (b) => parsePrometheusTextFormat(Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('utf8')), ms);
    rows.push({ fixture: name, decoder: 'decodeResource', ourMBps: ours, baseline: 'parse-prometheus-text-format', baselineMBps: base, ratio: ours / base });
  }
  return rows;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const rows = runDecoderBench();
  printTable('kubelet decoders (MB/s)', rows);
  writeResult('decoders', { node: process.version, rows });
}
