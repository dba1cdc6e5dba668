// Scale tick: the server under test (its own process) scrapes every kubelet of
// the simulated cluster (another process) each resolution; per kubelet source we
// read tick wall time from its -v=1 "Scrape finished" lines, CPU from
// /proc/<pid>/stat between steady ticks, RSS from /proc/<pid>/status and heap from
// its own /metrics (nodejs_heap_size_used_bytes).
import { join } from 'node:path';
import { startBareScraperProcess, startServerProcess, type ServerProcess, type SimProcess } from './lib/children.js';
import type { Client } from './lib/client.js';
import { rssMiB } from './lib/proc.js';
import { round } from './lib/results.js';
import { SERVER_NODE_FLAGS } from '../src/node-flags.js';
import { freePort } from '../src/sim/metrics-server-process.js';

const FAILURES = 'metrics_server_kubelet_scrape_failures_total';
/** The server's --kubelet-concurrency default, given to the bare scraper too. */
const KUBELET_CONCURRENCY = 256;

export interface ScaleContext {
  sim: SimProcess;
  client: Client;
  dir: string;
  resolutionSec: number;
  warmupTicks: number;
  measuredTicks: number;
}

export interface ScaleResult extends Record<string, string | number> {
  source: string;
  nodes: number;
  pods: number;
  resolution_s: number;
  ticks_measured: number;
  scraped_per_tick: number;
  pods_per_tick: number;
  tick_wall_s_mean: number;
  tick_wall_s_max: number;
  tick_wall_fraction_of_resolution: number;
  server_cpu_s_per_tick: number;
  sim_cpu_s_per_tick: number;
  rss_mb: number;
  heap_used_mb: number;
  bytes_per_pod: number;
  /** metrics_server_kubelet_scrape_failures_total by reason, warm-up included. */
  scrape_failures_since_start: string;
  /** The bare scraper baseline (bench/lib/bare-scraper-child.ts) on the same cluster, just before. */
  bare_scraper_cpu_s_per_tick: number;
  bare_scraper_rss_mb: number;
  /** Server / bare scraper. */
  cpu_vs_bare_scraper: number;
  rss_vs_bare_scraper: number;
}

/** Ticks of the bare scraper baseline: one warm-up (connections, JIT), then measured ones. */
const BARE_WARMUP = 1;

/** Runs the bare scraper baseline alone for its warm-up and `measured` ticks; CPU per measured tick and RSS at the end. */
export async function runBareScraper(ctx: ScaleContext, source: 'summary' | 'resource', measured: number): Promise<{ cpu: number; rss: number }> {
  const s = ctx.sim.info;
  const bare = startBareScraperProcess({ apiserver: s.url, cert: s.adminCert, key: s.adminKey, source, resolutionSec: ctx.resolutionSec, concurrency: KUBELET_CONCURRENCY });
  try {
    const R = ctx.resolutionSec * 1000;
    const first = await bare.waitForTicks(BARE_WARMUP, 120_000 + R);
    const last = await bare.waitForTicks(BARE_WARMUP + measured, measured * R * 1.5 + 30_000);
    if (last.failed > 0) throw new Error(`bare scraper: ${last.failed} of ${last.failed + last.scraped} kubelets failed in its last tick`);
    return { cpu: (last.cpu - first.cpu) / measured, rss: rssMiB(bare.pid) };
  } finally {
    await bare.stop();
  }
}


/** Starts the metrics server against the simulated cluster, as issue 9 prescribes. */
export async function startServer(ctx: ScaleContext, source: 'summary' | 'resource', extra: string[] = [], nodeArgs: readonly string[] = SERVER_NODE_FLAGS): Promise<ServerProcess> {
  const s = ctx.sim.info;
  const port = await freePort();
  const args = [
    `--kubeconfig=${s.kubeconfig}`,
    `--secure-port=${port}`,
    '--bind-address=127.0.0.1',
    `--tls-cert-file=${s.serverCert}`,
    `--tls-private-key-file=${s.serverKey}`,
    `--cert-dir=${join(ctx.dir, 'certs')}`,
    `--client-ca-file=${s.clusterCa}`,
    '--kubelet-insecure-tls',
    '--kubelet-preferred-address-types=InternalIP',
    '--kubelet-use-node-status-port',
    `--metric-resolution=${ctx.resolutionSec}s`,
    `--kubelet-source=${source}`,
    '-v=1',
    '--logging-format=json',
    ...extra,
  ];
  return startServerProcess(args, port, nodeArgs);
}

/** Runs the server for warmup + measured ticks; returns the figures and the still-running server. */
export async function runScale(ctx: ScaleContext, source: 'summary' | 'resource'): Promise<{ result: ScaleResult; server: ServerProcess }> {
  // One tick fewer than the server (at least two): the bare scraper is steady sooner, and quick mode stays under two minutes.
  const bare = await runBareScraper(ctx, source, Math.max(2, ctx.measuredTicks - 1));
  const server = await startServer(ctx, source);
  const R = ctx.resolutionSec * 1000;
  const W = ctx.warmupTicks;
  const N = ctx.measuredTicks;
  try {
    const first = await server.waitForTicks(W, 90_000 + W * R * 1.5);
    const simCpu0 = ctx.sim.cpuSeconds();
    const last = await server.waitForTicks(W + N, N * R * 1.5 + 10_000);
    const simCpu1 = ctx.sim.cpuSeconds();
    const rss = rssMiB(server.pid);
    const measured = server.ticks.slice(W, W + N);
    const wall = measured.map((t) => t.durationMs / 1000);
    const m = await ctx.client.metrics(server.url, ['nodejs_heap_size_used_bytes', `${FAILURES}{`]);
    const failures = Object.entries(m)
      .filter(([k, v]) => k.startsWith(FAILURES) && v > 0)
      .map(([k, v]) => `${/reason="([^"]*)"/.exec(k)?.[1] ?? k}×${v}`)
      .join(' ');
    const pods = ctx.sim.info.pods;
    const mean = wall.reduce((a, b) => a + b, 0) / wall.length;
    const result: ScaleResult = {
      source,
      nodes: ctx.sim.info.nodes,
      pods,
      resolution_s: ctx.resolutionSec,
      ticks_measured: N,
      scraped_per_tick: Math.min(...measured.map((t) => t.scraped)),
      pods_per_tick: Math.min(...measured.map((t) => t.pods)),
      tick_wall_s_mean: round(mean),
      tick_wall_s_max: round(Math.max(...wall)),
      tick_wall_fraction_of_resolution: round(mean / ctx.resolutionSec),
      server_cpu_s_per_tick: round((last.cpu - first.cpu) / N),
      sim_cpu_s_per_tick: round((simCpu1 - simCpu0) / N),
      rss_mb: round(rss, 1),
      heap_used_mb: round((m['nodejs_heap_size_used_bytes'] ?? NaN) / 2 ** 20, 1),
      bytes_per_pod: Math.round((rss * 2 ** 20) / pods),
      scrape_failures_since_start: failures || 'none',
      bare_scraper_cpu_s_per_tick: round(bare.cpu),
      bare_scraper_rss_mb: round(bare.rss, 1),
      cpu_vs_bare_scraper: round((last.cpu - first.cpu) / N / bare.cpu, 2),
      rss_vs_bare_scraper: round(rss / bare.rss, 2),
    };
    return { result, server };
  } catch (e) {
    await server.stop();
    throw e;
  }
}
