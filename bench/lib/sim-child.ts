// The simulated cluster in its own process (so it shares neither the server's nor
// the load generator's CPU): started by the benchmark over IPC with fork().
//
//   fork('dist/bench/lib/sim-child.js', [nodes, podsPerNode, containersPerPod, dir])
//   → {type:'ready', ...}; then {type:'churn', id} → {type:'churned', id, replaced, ms};
//     {type:'cpu', id} → {type:'cpu', id, cpuSeconds}; {type:'stop'} ends the process.

import { join } from 'node:path';
import { startSimCluster } from '../../src/sim/cluster.js';
import { VIEWER_USER } from '../../src/sim/policy.js';

export interface SimReady {
  type: 'ready';
  url: string;
  kubeconfig: string;
  clusterCa: string;
  serverCert: string;
  serverKey: string;
  adminCert: string;
  adminKey: string;
  nodes: number;
  pods: number;
  /** A pod in the middle of the list that the viewer may read, for single-pod GETs. */
  samplePod: { namespace: string; name: string };
  /** The aggregator's front-proxy client certificate, and a user it may name (reads pods metrics in samplePod's namespace). */
  frontProxyCert: string;
  frontProxyKey: string;
  viewerUser: string;
  startMs: number;
}

export type SimRequest = { type: 'churn'; id: number } | { type: 'cpu'; id: number } | { type: 'stop' };
export type SimReply = SimReady | { type: 'churned'; id: number; replaced: number; ms: number } | { type: 'cpu'; id: number; cpuSeconds: number };

// A write after a response ended (watch streams end on timeouts while a churn
// round blocks the loop for seconds; the stand-in apiserver guards its watch
// writes) would be harmless to the benchmark: logged once, never fatal.
let lateWrites = 0;
process.on('uncaughtException', (e: Error & { code?: string }) => {
  if (e.code === 'ERR_STREAM_WRITE_AFTER_END') {
    if (lateWrites++ === 0) process.stderr.write(`sim-child: ignoring a write after end in the simulated apiserver (${e.stack?.split('\n')[2]?.trim() ?? ''})\n`);
    return;
  }
  process.stderr.write(`sim-child: ${e.stack ?? e.message}\n`);
  process.exit(1);
});

async function main(): Promise<void> {
  const [nodes, podsPerNode, containersPerPod] = process.argv.slice(2, 5).map(Number) as [number, number, number];
  const dir = process.argv[5]!;
  const t0 = performance.now();
  const cluster = await startSimCluster({ nodes, podsPerNode, containersPerPod });
  const files = await cluster.writePki(join(dir, 'pki'));
  const kubeconfig = join(dir, 'metrics-server.kubeconfig');
  await cluster.writeKubeconfig(kubeconfig, 'metrics-server');
  const all = [...cluster.model.allPods()];
  // The viewer may read pod metrics in team-a only: the sample pod is one of those.
  const viewable = all.filter((p) => p.namespace === 'team-a');
  const mid = viewable[Math.floor(viewable.length / 2)] ?? all[Math.floor(all.length / 2)]!;
  const send = (m: SimReply) => process.send!(m);
  send({
    type: 'ready',
    url: cluster.url,
    kubeconfig,
    clusterCa: files.clusterCa,
    serverCert: files.metricsServerCert,
    serverKey: files.metricsServerKey,
    adminCert: cluster.pki.adminClient.cert,
    adminKey: cluster.pki.adminClient.key,
    nodes: cluster.model.nodes.length,
    pods: all.length,
    samplePod: { namespace: mid.namespace, name: mid.name },
    frontProxyCert: cluster.pki.frontProxyClient.cert,
    frontProxyKey: cluster.pki.frontProxyClient.key,
    viewerUser: VIEWER_USER,
    startMs: performance.now() - t0,
  });

  const stop = async () => {
    await cluster.stop().catch(() => {});
    process.exit(0);
  };
  process.on('disconnect', () => void stop());
  process.on('message', (m: SimRequest) => {
    if (m.type === 'stop') void stop();
    else if (m.type === 'cpu') {
      const u = process.cpuUsage();
      send({ type: 'cpu', id: m.id, cpuSeconds: (u.user + u.system) / 1e6 });
    } else if (m.type === 'churn') {
      // Replace every pod: delete it and schedule a new one (new name, new uid) on the same node.
      const t = performance.now();
      const now = Date.now();
      let replaced = 0;
      for (const node of cluster.model.nodes) {
        const pods = [...cluster.model.podsOn(node.name)];
        for (const p of pods) {
          cluster.model.removePod(p.namespace, p.name, now);
          cluster.model.addPod(node.name, undefined, now);
          replaced++;
        }
      }
      send({ type: 'churned', id: m.id, replaced, ms: performance.now() - t });
    }
  });
}

main().catch((e: unknown) => {
  process.stderr.write(`sim-child: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});
