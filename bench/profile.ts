// Profiling aid (not part of npm run bench): runs the simulated cluster and the
// server under a V8 profiler for a number of ticks, then stops both.
//   node dist/bench/profile.js <nodes> <resolutionSec> <ticks> <summary|resource> <outDir> [--heap|--noprof|--snapshot] [--node-flag=X] [--server-arg=X] [--load=get|list|metrics] [--json] [--front-proxy] [--h2] [--bare] [--after=N] (--snapshot with --after=N: a second snapshot N ticks after the load)
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startBareProcess, startSimProcess } from './lib/children.js';
import { runLoad } from './lib/load.js';
import { Client } from './lib/client.js';
import { cpuSeconds, rssMiB } from './lib/proc.js';
import { startServer } from './scale.js';
import { SERVER_NODE_FLAGS } from '../src/node-flags.js';

const [nodes, resolutionSec, ticks] = process.argv.slice(2, 5).map(Number) as [number, number, number];
const source = process.argv[5] as 'summary' | 'resource';
const out = process.argv[6]!;
const heap = process.argv.includes('--heap');
const dir = mkdtempSync(join(tmpdir(), 'metrics-server-profile-'));
const ppn = Number(process.argv.find((a) => a.startsWith('--ppn='))?.slice(6) ?? 30);
const sim = await startSimProcess(nodes, ppn, 2, dir);
const client = new Client({ cert: sim.info.adminCert, key: sim.info.adminKey });
const ctx = { sim, client, dir, resolutionSec, warmupTicks: 0, measuredTicks: 0 };
const prof = process.argv.includes('--snapshot') ? ['--heapsnapshot-signal=SIGUSR2', `--diagnostic-dir=${out}`] : process.argv.includes('--noprof') ? [] : heap ? ['--heap-prof', `--heap-prof-dir=${out}`] : ['--cpu-prof', `--cpu-prof-dir=${out}`];
const nodeFlags = process.argv.filter((a) => a.startsWith('--node-flag=')).map((a) => a.slice(12));
const serverArgs = process.argv.filter((a) => a.startsWith('--server-arg=')).map((a) => a.slice(13));
const server = await startServer(ctx, source, serverArgs, [...SERVER_NODE_FLAGS, ...prof, ...nodeFlags]);
try {
  for (let i = 1; i <= ticks; i++) {
    const t = await server.waitForTicks(i, 120_000);
    process.stdout.write(`tick ${i}: ${t.durationMs} ms, scraped ${t.scraped}, pods ${t.pods}, cpu ${t.cpu.toFixed(2)} s, rss ${rssMiB(server.pid).toFixed(0)} MiB\n`);
  }
  const { readdirSync, readFileSync } = await import('node:fs');
  for (const tid of readdirSync(`/proc/${server.pid}/task`)) {
    const st = readFileSync(`/proc/${server.pid}/task/${tid}/stat`, 'utf8');
    const comm = st.slice(st.indexOf('(') + 1, st.lastIndexOf(')'));
    const rest = st.slice(st.lastIndexOf(')') + 2).split(' ');
    process.stdout.write(`thread ${tid} ${comm}: ${((Number(rest[11]) + Number(rest[12])) / 100).toFixed(2)} s\n`);
  }
  const st = readFileSync(`/proc/${server.pid}/status`, 'utf8');
  process.stdout.write(st.split('\n').filter((l) => /^(VmRSS|RssAnon|RssFile|VmHWM)/.test(l)).join('; ') + '\n');
  process.stdout.write(JSON.stringify(await client.metrics(server.url, ['nodejs_heap_size_total_bytes', 'nodejs_heap_size_used_bytes', 'nodejs_external_memory_bytes'])) + '\n');
  if (process.argv.includes('--snapshot')) {
    process.kill(server.pid, 'SIGUSR2');
    await new Promise((r) => setTimeout(r, 15_000));
  }
  const load = process.argv.find((a) => a.startsWith('--load='))?.slice(7);
  if (load) {
    const { namespace, name } = sim.info.samplePod;
    const path = load === 'get' ? `/apis/metrics.k8s.io/v1beta1/namespaces/${namespace}/pods/${name}` : load === 'metrics' ? '/metrics' : '/apis/metrics.k8s.io/v1beta1/pods';
    const accept = load === 'metrics' ? 'text/plain' : process.argv.includes('--json') ? 'application/json' : 'application/vnd.kubernetes.protobuf';
    const cpu0 = cpuSeconds(server.pid);
    // --front-proxy: as the aggregator asks for the HPA (front-proxy certificate, X-Remote-* headers, SubjectAccessReview).
    const fp = process.argv.includes('--front-proxy');
    const tls = fp ? { cert: sim.info.frontProxyCert, key: sim.info.frontProxyKey, rejectUnauthorized: false } : { cert: sim.info.adminCert, key: sim.info.adminKey, rejectUnauthorized: false };
    const headers: Record<string, string> = fp ? { accept, 'x-remote-user': sim.info.viewerUser, 'x-remote-group': 'system:authenticated' } : { accept };
    // --h2: the requests as streams of one HTTP/2 connection, as the aggregator sends them.
    const h2 = process.argv.includes('--h2');
    const { latenciesMs: _l, ...r } = await runLoad({ url: server.url + path, connections: load === 'get' ? 50 : load === 'metrics' ? 1 : 4, durationMs: 4000, headers, tls, h2 });
    const cpu = cpuSeconds(server.pid) - cpu0;
    process.stdout.write(`load ${load}${h2 ? ' (h2)' : ''}: ${JSON.stringify(r)}; server cpu ${cpu.toFixed(2)} s, ${((cpu / Math.max(1, r.requests)) * 1000).toFixed(3)} ms per request\n`);
    // --bare: the same load against a bare node:https (--h2: node:http2) server in its own process sending the same bytes.
    if (process.argv.includes('--bare')) {
      const one = await client.get(server.url + path, accept);
      const bodyFile = join(dir, 'bare.bin');
      writeFileSync(bodyFile, one.body);
      const bare = await startBareProcess(sim.info.serverCert, sim.info.serverKey, bodyFile, one.contentType || accept, h2);
      try {
        await runLoad({ url: bare.url + path, connections: 50, durationMs: 300, headers, tls, h2 });
        const b0 = cpuSeconds(bare.pid);
        const { latenciesMs: _lb, ...rb } = await runLoad({ url: bare.url + path, connections: load === 'get' ? 50 : load === 'metrics' ? 1 : 4, durationMs: 4000, headers, tls, h2 });
        const cb = cpuSeconds(bare.pid) - b0;
        process.stdout.write(`bare ${load}: ${JSON.stringify(rb)}; bare cpu ${cb.toFixed(2)} s, ${((cb / Math.max(1, rb.requests)) * 1000).toFixed(3)} ms per request\n`);
      } finally {
        await bare.stop();
      }
    }
    // --after=N: memory right after the load and N ticks later (what serving leaves behind).
    const after = Number(process.argv.find((a) => a.startsWith('--after='))?.slice(8) ?? 0);
    if (after > 0) {
      const memory = async (when: string) => {
        const m = await client.metrics(server.url, ['nodejs_heap_size_total_bytes', 'nodejs_heap_size_used_bytes', 'nodejs_external_memory_bytes']);
        const mb = (v: number | undefined) => ((v ?? NaN) / 2 ** 20).toFixed(0);
        process.stdout.write(`${when}: rss ${rssMiB(server.pid).toFixed(0)} MiB, heap ${mb(m['nodejs_heap_size_used_bytes'])}/${mb(m['nodejs_heap_size_total_bytes'])} MiB, external ${mb(m['nodejs_external_memory_bytes'])} MiB\n`);
      };
      await memory('after load');
      await server.waitForTicks(ticks + after, 120_000 * after);
      await memory(`${after} ticks after load`);
      // With --snapshot, a second heap snapshot: what serving left behind.
      if (process.argv.includes('--snapshot')) {
        process.kill(server.pid, 'SIGUSR2');
        await new Promise((r) => setTimeout(r, 15_000));
      }
    }
  }
} finally {
  await server.stop();
  await client.close();
  await sim.stop();
  rmSync(dir, { recursive: true, force: true });
}
process.exit(0);
