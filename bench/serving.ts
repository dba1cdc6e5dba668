// Serving: an HPA-like single-pod GET (protobuf) at 50 keep-alive HTTPS
// connections, and the list of every pod (JSON and protobuf), against a bare
// node:https server in its own process sending the same bytes.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startBareProcess, type ServerProcess, type SimProcess } from './lib/children.js';
import type { Client } from './lib/client.js';
import { runLoad, type LoadResult } from './lib/load.js';
import { round } from './lib/results.js';

export const PROTOBUF = 'application/vnd.kubernetes.protobuf';
const API = '/apis/metrics.k8s.io/v1beta1';

export interface ServingContext {
  sim: SimProcess;
  server: ServerProcess;
  client: Client;
  dir: string;
  resolutionSec: number;
  /** Duration of each closed-loop load run. */
  loadMs: number;
}

export interface LoadRow extends Record<string, string | number> {
  case: string;
  target: string;
  connections: number;
  bytes_per_response: number;
  rps: number;
  p50_ms: number;
  p99_ms: number;
  mb_per_s: number;
  errors: number;
}

export interface ListRow extends Record<string, string | number> {
  media: string;
  items: number;
  bytes: number;
  first_in_tick_ms: number;
  repeated_ms_median: number;
}

export interface ServingResult {
  get: { ours: LoadRow; bare: LoadRow; rpsRatio: number };
  lists: ListRow[];
  listLoad: { ours: LoadRow; bare: LoadRow; ratio: number }[];
  protobufSizeVsJson: number;
}

function row(kind: string, target: string, connections: number, bytes: number, r: LoadResult): LoadRow {
  return {
    case: kind,
    target,
    connections,
    bytes_per_response: bytes,
    rps: round(r.rps, 1),
    p50_ms: round(r.p50Ms, 2),
    p99_ms: round(r.p99Ms, 2),
    mb_per_s: round(r.bytes / 1e6 / (r.requests / r.rps), 1),
    errors: r.errors,
  };
}

/** Our server and the bare server with the same bytes, one after the other, same load. */
async function compare(ctx: ServingContext, kind: string, path: string, accept: string, connections: number, durationMs: number, afterTick: boolean) {
  const s = ctx.sim.info;
  const url = ctx.server.url + path;
  const sample = await ctx.client.get(url, accept);
  if (sample.status !== 200) throw new Error(`${path}: HTTP ${sample.status}: ${sample.body.toString('utf8').slice(0, 300)}`);
  const bodyFile = join(ctx.dir, `bare-${kind}.bin`);
  writeFileSync(bodyFile, sample.body);
  const bare = await startBareProcess(s.serverCert, s.serverKey, bodyFile, sample.contentType);
  const tls = { cert: s.adminCert, key: s.adminKey, rejectUnauthorized: false };
  try {
    const headers = { accept };
    // Warm-up (connections, JIT, the authorization cache), then the measured runs.
    await runLoad({ url: bare.url + path, connections, durationMs: 300, headers, tls });
    const b = await runLoad({ url: bare.url + path, connections, durationMs, headers, tls });
    await runLoad({ url, connections, durationMs: 300, headers, tls });
    if (afterTick) await ctx.server.waitForTickStartingAfter(performance.now(), ctx.resolutionSec * 3000);
    const o = await runLoad({ url, connections, durationMs, headers, tls });
    return { ours: row(kind, 'metrics-server-ts', connections, sample.body.length, o), bare: row(kind, 'bare node:https', connections, sample.body.length, b) };
  } finally {
    await bare.stop();
  }
}

export async function runServing(ctx: ServingContext): Promise<ServingResult> {
  const { namespace, name } = ctx.sim.info.samplePod;
  const get = await compare(ctx, 'single-pod GET (protobuf)', `${API}/namespaces/${namespace}/pods/${name}`, PROTOBUF, 50, ctx.loadMs, false);

  // List of every pod: the first request after a tick (encodes), then repeats (cached).
  const lists: ListRow[] = [];
  await ctx.server.waitForTickStartingAfter(performance.now(), ctx.resolutionSec * 3000);
  const firsts: Record<string, { ms: number; bytes: number; items: number }> = {};
  for (const [media, accept] of [['json', 'application/json'], ['protobuf', PROTOBUF]] as const) {
    const r = await ctx.client.get(`${ctx.server.url}${API}/pods`, accept);
    if (r.status !== 200) throw new Error(`list pods (${media}): HTTP ${r.status}`);
    const items = media === 'json' ? (JSON.parse(r.body.toString('utf8')) as { items: unknown[] }).items.length : NaN;
    firsts[media] = { ms: r.ms, bytes: r.body.length, items };
  }
  for (const [media, accept] of [['json', 'application/json'], ['protobuf', PROTOBUF]] as const) {
    const times: number[] = [];
    for (let i = 0; i < 7; i++) times.push((await ctx.client.get(`${ctx.server.url}${API}/pods`, accept)).ms);
    times.sort((a, b) => a - b);
    const f = firsts[media]!;
    lists.push({ media, items: Number.isNaN(f.items) ? firsts['json']!.items : f.items, bytes: f.bytes, first_in_tick_ms: round(f.ms, 1), repeated_ms_median: round(times[3]!, 1) });
  }

  // Throughput of repeated list-all within one tick: a few connections, a window that starts right after a tick.
  const window = Math.min(ctx.loadMs, ctx.resolutionSec * 600);
  const listLoad = [];
  for (const [media, accept] of [['json', 'application/json'], ['protobuf', PROTOBUF]] as const) {
    const r = await compare(ctx, `list all pods (${media})`, `${API}/pods`, accept, 4, window, true);
    listLoad.push({ ...r, ratio: round(r.ours.rps / r.bare.rps) });
  }
  const json = lists.find((l) => l.media === 'json')!;
  const proto = lists.find((l) => l.media === 'protobuf')!;
  return { get: { ...get, rpsRatio: round(get.ours.rps / get.bare.rps) }, lists, listLoad, protobufSizeVsJson: round(proto.bytes / json.bytes) };
}
