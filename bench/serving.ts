// Serving: an HPA-like single-pod GET (protobuf) at 50 keep-alive HTTPS
// connections, sent as the aggregator sends it (front-proxy certificate,
// X-Remote-* headers, authorized by a cached SubjectAccessReview), and the list
// of every pod (JSON and protobuf), against a bare node:https server in its own
// process sending the same bytes; and GET /metrics as Prometheus scrapes it
// (one series set per node: megabytes at thousands of nodes).
// Alone (after the summary-source scale run that starts the server it measures):
//   npm run bench -- --quick --no-resource --no-churn
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startBareProcess, type ServerProcess, type SimProcess } from './lib/children.js';
import type { Client } from './lib/client.js';
import { loadDispatcher, mergeLoads, runLoad, type LoadResult } from './lib/load.js';
import { probeWhile } from './lib/probe.js';
import { cpuSeconds, rssMiB } from './lib/proc.js';
import { round } from './lib/results.js';

export const PROTOBUF = 'application/vnd.kubernetes.protobuf';
const API = '/apis/metrics.k8s.io/v1beta1';
const MEDIA = [
  ['json', 'application/json'],
  ['protobuf', PROTOBUF],
] as const;
/** What `kubectl get podmetrics` asks for. */
const TABLE = 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json';
/** Lists 3b builds besides JSON and protobuf: a Table as kubectl asks for it, and YAML. */
const OTHER_LISTS = [['table', TABLE], ['yaml', 'application/yaml']] as const;

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
  error_kinds: string;
}

export interface ListRow extends Record<string, string | number> {
  media: string;
  items: number;
  bytes: number;
  first_in_tick_ms: number;
  /** The slowest single-pod GET (one connection, one every 5 ms) while the first list was served. */
  get_max_ms_during_first: number;
  repeated_ms_median: number;
}

export interface ServingResult {
  /**
   * windows: the alternating load windows of each side; windowRps: each window's
   * requests/s, in the order run (a window of ours that a scrape tick fell in reads lower).
   */
  get: { ours: LoadRow; bare: LoadRow; rpsRatio: number; windows: number; windowRps: { ours: number[]; bare: number[] } };
  lists: ListRow[];
  listLoad: { ours: LoadRow; bare: LoadRow; ratio: number }[];
  protobufSizeVsJson: number;
  /** GET /metrics, one connection; server CPU per response measured between scrape ticks. */
  selfMetrics: { ours: LoadRow; bare: LoadRow; rpsRatio: number; serverCpuMsPerScrape: number };
  /** Server RSS (MB) before serving and after each part of it: what serving leaves behind. */
  rssAfter: Record<string, number>;
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
    error_kinds: Object.entries(r.errorKinds).map(([k, n]) => `${k}×${n}`).join(' '),
  };
}

/** Serves `body` from a bare node:https server in its own process. */
async function bare(ctx: ServingContext, kind: string, body: Buffer, contentType: string) {
  const bodyFile = join(ctx.dir, `bare-${kind.replace(/\W+/g, '-')}.bin`);
  writeFileSync(bodyFile, body);
  return startBareProcess(ctx.sim.info.serverCert, ctx.sim.info.serverKey, bodyFile, contentType);
}

async function sample(ctx: ServingContext, path: string, accept: string) {
  const r = await ctx.client.get(ctx.server.url + path, accept);
  if (r.status !== 200) throw new Error(`${path}: HTTP ${r.status}: ${r.body.toString('utf8').slice(0, 300)}`);
  return r;
}

function tlsOf(ctx: ServingContext) {
  return { cert: ctx.sim.info.adminCert, key: ctx.sim.info.adminKey, rejectUnauthorized: false };
}

/** The bare server's run: warm-up, then measured. */
async function measureBare(ctx: ServingContext, kind: string, path: string, accept: string, connections: number, durationMs: number) {
  const s = await sample(ctx, path, accept);
  const b = await bare(ctx, kind, s.body, s.contentType);
  try {
    const opts = { url: b.url + path, connections, headers: { accept }, tls: tlsOf(ctx) };
    await runLoad({ ...opts, durationMs: 300 });
    return { bytes: s.body.length, result: await runLoad({ ...opts, durationMs }) };
  } finally {
    await b.stop();
  }
}

/**
 * As kube-apiserver's aggregator asks on behalf of the HPA: its front-proxy
 * client certificate and X-Remote-* headers naming a user who is no
 * system:master, so every request is authorized by SubjectAccessReview (cached).
 */
function viaFrontProxy(ctx: ServingContext) {
  const s = ctx.sim.info;
  return {
    tls: { cert: s.frontProxyCert, key: s.frontProxyKey, rejectUnauthorized: false },
    headers: { 'x-remote-user': s.viewerUser, 'x-remote-group': 'system:authenticated' },
  };
}

/**
 * Our server (via the front proxy) and the bare one under the same load in
 * alternating windows of about 1.5 s (at least four each: 0.75 s in quick mode,
 * whose 3 s ticks would otherwise fall in one side's two windows or the other's),
 * each window pair in the other order than the last, on connections kept across
 * windows: a busy or slow spell of the shared machine then weighs on both alike
 * instead of on whichever ran during it. Each side's figures are its windows'
 * together (`totalMs` each).
 */
async function measureInterleaved(ctx: ServingContext, kind: string, path: string, accept: string, connections: number, totalMs: number) {
  const s = await sample(ctx, path, accept);
  const b = await bare(ctx, kind, s.body, s.contentType);
  const fp = viaFrontProxy(ctx);
  const sides = [
    { url: ctx.server.url + path, connections, headers: { accept, ...fp.headers }, tls: fp.tls },
    { url: b.url + path, connections, headers: { accept }, tls: tlsOf(ctx) },
  ].map((opts) => ({ opts, dispatcher: loadDispatcher(opts), runs: [] as LoadResult[] }));
  const [ours, theirs] = sides as [(typeof sides)[0], (typeof sides)[0]];
  try {
    for (const side of sides) await runLoad({ ...side.opts, dispatcher: side.dispatcher, durationMs: 300 });
    const windows = Math.max(4, Math.round(totalMs / 1500));
    for (let i = 0; i < windows; i++) {
      for (const side of i % 2 === 0 ? [ours, theirs] : [theirs, ours]) side.runs.push(await runLoad({ ...side.opts, dispatcher: side.dispatcher, durationMs: totalMs / windows }));
    }
    const rps = (runs: LoadResult[]) => runs.map((r) => Math.round(r.rps));
    return { bytes: s.body.length, windows, windowRps: { ours: rps(ours.runs), bare: rps(theirs.runs) }, ours: mergeLoads(ours.runs), bare: mergeLoads(theirs.runs) };
  } finally {
    await Promise.all(sides.map((side) => side.dispatcher.close()));
    await b.stop();
  }
}

async function measureOurs(ctx: ServingContext, path: string, accept: string, connections: number, durationMs: number, warmupMs: number) {
  const opts = { url: ctx.server.url + path, connections, headers: { accept }, tls: tlsOf(ctx) };
  if (warmupMs > 0) await runLoad({ ...opts, durationMs: warmupMs });
  return runLoad({ ...opts, durationMs });
}

export async function runServing(ctx: ServingContext): Promise<ServingResult> {
  const { namespace, name } = ctx.sim.info.samplePod;
  const getPath = `${API}/namespaces/${namespace}/pods/${name}`;
  const getKind = 'single-pod GET via front proxy (protobuf)';
  // A whole resolution each, over two: the server keeps scraping while it serves, and the
  // ticks fall in both sides' windows.
  const getMs = Math.max(ctx.loadMs, ctx.resolutionSec * 1000);
  const rssAfter: Record<string, number> = { before: round(rssMiB(ctx.server.pid), 1) };
  const rssNow = (part: string) => (rssAfter[part] = round(rssMiB(ctx.server.pid), 1));
  const g = await measureInterleaved(ctx, getKind, getPath, PROTOBUF, 50, getMs);
  rssNow('get');
  const get = { ours: row(getKind, 'metrics-server-ts', 50, g.bytes, g.ours), bare: row(getKind, 'bare node:https', 50, g.bytes, g.bare), windows: g.windows, windowRps: g.windowRps };

  // List of every pod: the first request after a tick (encodes), then repeats (cached).
  const lists: ListRow[] = [];
  await ctx.server.waitForTickStartingAfter(performance.now(), ctx.resolutionSec * 3000);
  const firsts: Record<string, { ms: number; bytes: number; items: number; getMaxMs: number }> = {};
  for (const [media, accept] of [...MEDIA, ...OTHER_LISTS]) {
    // Each encoding is built on its first request; a single-pod GET probes how long requests wait behind it.
    const { value: r, probe } = await probeWhile(ctx.server.url + getPath, { headers: { accept: PROTOBUF }, tls: tlsOf(ctx) }, () => sample(ctx, `${API}/pods`, accept));
    const items = media === 'json' ? (JSON.parse(r.body.toString('utf8')) as { items: unknown[] }).items.length : NaN;
    firsts[media] = { ms: r.ms, bytes: r.body.length, items, getMaxMs: probe.maxMs };
    rssNow(`first_${media}`);
  }
  // A Table (kubectl get podmetrics -A) or YAML list is cached for the second it was made in only: its repeats mostly rebuild it.
  for (const [media, accept] of [...MEDIA, ...OTHER_LISTS]) {
    const times: number[] = [];
    for (let i = 0; i < 5; i++) times.push((await ctx.client.get(`${ctx.server.url}${API}/pods`, accept)).ms);
    times.sort((a, b) => a - b);
    const f = firsts[media]!;
    lists.push({ media, items: firsts['json']!.items, bytes: f.bytes, first_in_tick_ms: round(f.ms, 1), get_max_ms_during_first: round(f.getMaxMs, 1), repeated_ms_median: round(times[2]!, 1) });
    rssNow(`repeated_${media}`);
  }

  // Throughput of repeated list-all within one tick, 4 connections: the bare
  // server first, then ours in a window that starts right after a tick.
  const window = Math.min(ctx.loadMs, ctx.resolutionSec * 250);
  const bares = [];
  for (const [media, accept] of MEDIA) bares.push(await measureBare(ctx, `list-${media}`, `${API}/pods`, accept, 4, window));
  // /metrics as Prometheus scrapes it, one connection, uncompressed (so the bare server sends the same bytes).
  const metricsKind = 'GET /metrics (Prometheus text)';
  const metricsBare = await measureBare(ctx, metricsKind, '/metrics', 'text/plain', 1, window);
  const listLoad = [];
  for (const [i, [media, accept]] of MEDIA.entries()) {
    // Each media type right after its own tick; the first request of the tick
    // encodes (measured in 3b), the repeats are what is compared.
    await ctx.server.waitForTickStartingAfter(performance.now(), ctx.resolutionSec * 3000);
    await sample(ctx, `${API}/pods`, accept);
    const o = await measureOurs(ctx, `${API}/pods`, accept, 4, window, 0);
    const kind = `list all pods (${media})`;
    const ours = row(kind, 'metrics-server-ts', 4, bares[i]!.bytes, o);
    const b = row(kind, 'bare node:https', 4, bares[i]!.bytes, bares[i]!.result);
    listLoad.push({ ours, bare: b, ratio: round(ours.rps / b.rps) });
    rssNow(`list_load_${media}`);
  }
  // Right after the last list window, still well before the next tick (a tick takes under a quarter of the
  // resolution, each window at most a quarter): the server's CPU in this window is the scrapes' alone.
  const cpu0 = cpuSeconds(ctx.server.pid);
  const metricsOurs = await measureOurs(ctx, '/metrics', 'text/plain', 1, window, 0);
  const cpuMs = ((cpuSeconds(ctx.server.pid) - cpu0) * 1000) / Math.max(1, metricsOurs.requests);
  rssNow('metrics');
  const json = lists.find((l) => l.media === 'json')!;
  const proto = lists.find((l) => l.media === 'protobuf')!;

  const selfMetrics = {
    ours: row(metricsKind, 'metrics-server-ts', 1, metricsBare.bytes, metricsOurs),
    bare: row(metricsKind, 'bare node:https', 1, metricsBare.bytes, metricsBare.result),
    rpsRatio: round(metricsOurs.rps / metricsBare.result.rps),
    serverCpuMsPerScrape: round(cpuMs, 1),
  };
  return { get: { ...get, rpsRatio: round(get.ours.rps / get.bare.rps) }, lists, listLoad, protobufSizeVsJson: round(proto.bytes / json.bytes), selfMetrics, rssAfter };
}
