// npm run bench [-- --quick]: every benchmark of issue 9 in one run, each printed
// with its ratio against a baseline measured in the same run, each written to
// bench/results/<name>.json, the headline figures to bench/results/summary.json.
//
//   full:  5,000 nodes × 30 pods × 2 containers (150k pods), --metric-resolution=15s
//   quick: 1,000 nodes × 30 pods × 2 containers (30k pods),  --metric-resolution=3s
//          (3 s so that 5 ticks per kubelet source, the serving runs and 10 churn
//          rounds fit in two minutes; the scraper then shortens its stagger to
//          10% of the tick budget, so tick wall time is not comparable to 15 s)
//
// Processes: this one (orchestration, load generator), the simulated cluster,
// the metrics server under test, the bare baseline server (serving) and the
// bare scraper baseline (scale: node:https keep-alive + JSON.parse, run alone
// just before the server for each kubelet source), each measured alone.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runChurn } from './churn.js';
import { runDecoderBench } from './decoders.js';
import { runEncoderBench } from './encoders.js';
import { startSimProcess } from './lib/children.js';
import { Client } from './lib/client.js';
import { printTable, round, writeResult } from './lib/results.js';
import { runScale, type ScaleResult } from './scale.js';
import { runServing } from './serving.js';

interface Mode {
  mode: 'quick' | 'full';
  nodes: number;
  podsPerNode: number;
  containersPerPod: number;
  resolutionSec: number;
  warmupTicks: number;
  measuredTicks: number;
  loadMs: number;
  /** Measuring time per decoder and fixture. */
  decoderMs: number;
  churnRounds: number;
  churnTicksPerRound: number;
  /** Alternating rounds of 1b's list encoders (medians). */
  encoderRounds: number;
  /** Hard limit of the whole run. */
  limitMs: number;
}

const QUICK: Mode = { mode: 'quick', nodes: 1000, podsPerNode: 30, containersPerPod: 2, resolutionSec: 3, warmupTicks: 2, measuredTicks: 3, loadMs: 2000, decoderMs: 200, churnRounds: 10, churnTicksPerRound: 1, encoderRounds: 3, limitMs: 180_000 };
const FULL: Mode = { mode: 'full', nodes: 5000, podsPerNode: 30, containersPerPod: 2, resolutionSec: 15, warmupTicks: 2, measuredTicks: 4, loadMs: 5000, decoderMs: 1500, churnRounds: 10, churnTicksPerRound: 2, encoderRounds: 5, limitMs: 1_800_000 };

function openFilesLimit(): { soft: number; hard: number } {
  const m = /Max open files\s+(\d+|unlimited)\s+(\d+|unlimited)/.exec(readFileSync('/proc/self/limits', 'utf8'));
  const n = (s: string | undefined) => (s === undefined || s === 'unlimited' ? Infinity : Number(s));
  return { soft: n(m?.[1]), hard: n(m?.[2]) };
}

/** The simulated cluster holds a listener and an accepted socket per node; raise the soft limit (re-exec under `ulimit -n`) if needed. */
function ensureOpenFiles(nodes: number): void {
  const need = 2 * nodes + 1024;
  const { soft, hard } = openFilesLimit();
  if (soft >= need) return;
  if (hard < need || process.env['BENCH_ULIMIT_RAISED']) {
    throw new Error(`open files limit ${soft} (hard ${hard}) is below the ${need} this run needs; raise it with ulimit -n`);
  }
  process.stdout.write(`raising the open files limit from ${soft} to ${need}\n`);
  const r = spawnSync('/bin/sh', ['-c', `ulimit -n ${need} && exec "$0" "$@"`, process.execPath, ...process.argv.slice(1)], {
    stdio: 'inherit',
    env: { ...process.env, BENCH_ULIMIT_RAISED: '1' },
  });
  process.exit(r.status ?? 1);
}

function say(s: string): void {
  process.stdout.write(`${s}\n`);
}

async function main(): Promise<void> {
  const m = process.argv.includes('--quick') ? QUICK : FULL;
  // For working on one part: skip the resource-source scale run and/or churn (no summary.json then).
  const skipResource = process.argv.includes('--no-resource');
  const skipChurn = process.argv.includes('--no-churn');
  ensureOpenFiles(m.nodes);
  const limit = setTimeout(() => {
    process.stderr.write(`bench: exceeded ${m.limitMs / 1000} s, stopping\n`);
    process.exit(2);
  }, m.limitMs);
  limit.unref();
  const t0 = performance.now();
  const elapsed = () => `${((performance.now() - t0) / 1000).toFixed(1)} s`;
  const pods = m.nodes * m.podsPerNode;
  say(`metrics-server-ts benchmarks (${m.mode}): ${m.nodes} nodes × ${m.podsPerNode} pods × ${m.containersPerPod} containers = ${pods} pods, resolution ${m.resolutionSec}s, node ${process.version}`);

  // 1. Decoders (in this process: pure functions on real kubelet payloads).
  const decoders = runDecoderBench(m.decoderMs);
  printTable('1. kubelet decoders (MB/s; ratio = ours / baseline)', decoders);
  writeResult('decoders', { node: process.version, rows: decoders });
  const all = (decoder: string) => decoders.find((r) => r.decoder === decoder && r.fixture.startsWith('all '))!;
  const resourceSpeedup = all('decodeResource').ratio;
  // Time ratio = 1 / throughput ratio, over all real payloads together; the worst single fixture is printed too.
  const summaryTime = 1 / all('decodeSummary').ratio;
  const summaryWorst = Math.max(...decoders.filter((r) => r.decoder === 'decodeSummary' && !r.fixture.startsWith('all ')).map((r) => 1 / r.ratio));
  say(
    `   resource decoder: ${resourceSpeedup.toFixed(1)}× parse-prometheus-text-format (target ≥ 10×); ` +
      `summary decoder: ${summaryTime.toFixed(2)}× the time of JSON.parse over all fixtures, ${summaryWorst.toFixed(2)}× on the worst (target ≤ 1.2×)  [${elapsed()}]`,
  );

  // 1b. List encoders (in this process): a tick's first list of every pod, written from rows vs through objects.
  const encoders = runEncoderBench(m.nodes, m.podsPerNode, m.containersPerPod, m.encoderRounds);
  printTable('1b. list encoders, every pod (ms per list; ratio = baseline / ours)', encoders);
  writeResult('encoders', { node: process.version, rows: encoders });
  say(`   list bodies written from rows: ${encoders.map((r) => `${r.encoding} ${r.ourMs.toFixed(0)} ms vs ${r.baselineMs.toFixed(0)} (${r.ratio.toFixed(1)}×)`).join(', ')}  [${elapsed()}]`);

  const dir = mkdtempSync(join(tmpdir(), 'metrics-server-bench-'));
  const sim = await startSimProcess(m.nodes, m.podsPerNode, m.containersPerPod, dir);
  say(`\nsimulated cluster up in ${(sim.info.startMs / 1000).toFixed(1)} s (pid ${sim.pid}): ${sim.info.nodes} kubelets, ${sim.info.pods} pods  [${elapsed()}]`);
  const client = new Client({ cert: sim.info.adminCert, key: sim.info.adminKey });
  const ctx = { sim, client, dir, resolutionSec: m.resolutionSec, warmupTicks: m.warmupTicks, measuredTicks: m.measuredTicks };
  try {
    // 2. Scale tick, per kubelet source.
    const scale: ScaleResult[] = [];
    if (!skipResource) {
      const resource = await runScale(ctx, 'resource');
      scale.push(resource.result);
      await resource.server.stop();
      say(`   resource source measured  [${elapsed()}]`);
    }
    const summary = await runScale(ctx, 'summary');
    scale.push(summary.result);
    printTable(`2. scale tick (${m.warmupTicks} warm-up + ${m.measuredTicks} measured ticks; bytes_per_pod = server RSS / pods, nothing subtracted)`, scale);
    for (const r of scale) {
      say(
        `   ${r.source}: server ${r.server_cpu_s_per_tick} core-s/tick = ${r.cpu_vs_bare_scraper}× the bare scraper's ${r.bare_scraper_cpu_s_per_tick} (target ${r.source === 'summary' ? 1.5 : 0.75} at 5,000 nodes); ` +
          `RSS ${r.rss_mb} MB = ${r.rss_vs_bare_scraper}× the bare scraper's ${r.bare_scraper_rss_mb} MB (target ≤ 300 MB at 150k pods)`,
      );
    }
    writeResult('scale', { mode: m.mode, rows: scale });
    const server = summary.server;
    say(`   [${elapsed()}]`);

    // 3. Serving (the summary-source server keeps scraping meanwhile).
    const serving = await runServing({ sim, server, client, dir, resolutionSec: m.resolutionSec, loadMs: m.loadMs });
    printTable('3a. single-pod GET as the aggregator sends it (front proxy, SubjectAccessReview cached), 50 keep-alive HTTPS connections (ratio = ours / bare)', [serving.get.ours, serving.get.bare]);
    say(`   requests/s ratio: ${serving.get.rpsRatio} (target ≥ 0.6); ours and bare in ${serving.get.windows} alternating windows each`);
    say(`   requests/s per window: ours ${serving.get.windowRps.ours.join(' ')}; bare ${serving.get.windowRps.bare.join(' ')}`);
    printTable('3b. list all pods: size and latency, first request after a tick and repeated (table: as kubectl get podmetrics -A asks; yaml: Accept application/yaml)', serving.lists);
    say(`   protobuf / JSON size: ${serving.protobufSizeVsJson} (target ≤ 0.6)`);
    printTable('3c. repeated list-all within one tick, 4 connections (ratio = ours / bare)', serving.listLoad.flatMap((l) => [l.ours, l.bare]));
    for (const l of serving.listLoad) say(`   ${l.ours.case}: ${l.ratio}× bare (target ≥ 0.5)`);
    const sm = serving.selfMetrics;
    printTable('3d. GET /metrics as Prometheus scrapes it, 1 connection, between scrape ticks (ratio = ours / bare)', [sm.ours, sm.bare]);
    say(`   ${sm.ours.bytes_per_response} bytes per response; server CPU ${sm.serverCpuMsPerScrape} ms per scrape; requests/s ratio ${sm.rpsRatio}`);
    say(`   server RSS (MB) before serving and after each part: ${Object.entries(serving.rssAfter).map(([k, v]) => `${k} ${v}`).join(', ')}`);
    writeResult('serving', { mode: m.mode, ...serving });
    say(`   [${elapsed()}]`);

    if (skipResource || skipChurn) {
      await server.stop();
      say(`\npartial run (--no-resource / --no-churn): no summary.json; done in ${elapsed()}`);
      return;
    }

    // 4. Churn.
    const churn = await runChurn(sim, server, m.resolutionSec, m.churnRounds, m.churnTicksPerRound);
    printTable(`4. churn: every pod replaced, ${m.churnRounds} rounds (RSS before: ${churn.rssBefore} MB)`, churn.rows);
    say(`   RSS growth round ${m.churnRounds} vs round 1: ${(churn.growth * 100).toFixed(1)}% (target ≤ 10%)`);
    writeResult('churn', { mode: m.mode, ...churn });
    await server.stop();

    const sum = scale.find((s) => s.source === 'summary')!;
    const res = scale.find((s) => s.source === 'resource')!;
    const summaryJson = {
      mode: m.mode,
      nodes: m.nodes,
      pods,
      rss_mb: sum.rss_mb,
      bytes_per_pod: sum.bytes_per_pod,
      tick_cpu_s_summary: sum.server_cpu_s_per_tick,
      tick_cpu_s_resource: res.server_cpu_s_per_tick,
      tick_wall_fraction_of_resolution: Math.max(sum.tick_wall_fraction_of_resolution, res.tick_wall_fraction_of_resolution),
      resource_decode_speedup_vs_parse_prometheus_text_format: round(resourceSpeedup, 2),
      summary_decode_time_vs_json_parse: round(summaryTime, 3),
      get_rps_vs_bare: serving.get.rpsRatio,
      get_p99_ms: serving.get.ours.p99_ms,
      list_cached_throughput_vs_bare: Math.min(...serving.listLoad.map((l) => l.ratio)),
      protobuf_size_vs_json: serving.protobufSizeVsJson,
      churn_rss_growth: churn.growth,
    };
    writeResult('summary', summaryJson);
    printTable('summary (bench/results/summary.json)', Object.entries(summaryJson).map(([key, value]) => ({ key, value })));
    say(`\ndone in ${elapsed()}`);
  } finally {
    await client.close();
    await sim.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    process.stderr.write(`bench: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exit(1);
  },
);
