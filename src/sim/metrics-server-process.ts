// Runs this project's metrics server (dist/src/main.js) as a child process against
// a simulated cluster, the way it runs in a real one: its own service-account
// token, the cluster CA for kubelets, a cluster-signed serving certificate, and
// front-proxy trust read from the extension-apiserver-authentication ConfigMap.
// The aggregator is pointed at it. Used by the demo and the end-to-end tests.

import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import https from 'node:https';
import net from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SERVER_NODE_FLAGS } from '../node-flags.js';
import type { SimCluster } from './cluster.js';

export interface MetricsServerProcessOptions {
  cluster: SimCluster;
  /** Working directory for kubeconfig, certificates and the log. */
  dir: string;
  /** --kubelet-source (default: the server's default). */
  kubeletSource?: 'summary' | 'resource';
  /** --metric-resolution (default 5s: metrics appear within seconds). */
  metricResolution?: string;
  /** More flags, appended last. */
  extraArgs?: string[];
  /** Path of main.js (default: the compiled dist/src/main.js next to this file). */
  mainPath?: string;
}

export interface MetricsServerProcess {
  readonly port: number;
  readonly url: string;
  readonly child: ChildProcess;
  /** The server's combined stdout/stderr. */
  readonly logPath: string;
  readonly args: string[];
  /** Resolves with the exit code when the process ends. */
  readonly exited: Promise<number | null>;
  /** Waits until every node and every Running pod is served through the aggregator. */
  waitForMetrics(timeoutMs?: number): Promise<void>;
  /** SIGTERM, then SIGKILL after graceMs. */
  stop(graceMs?: number): Promise<void>;
  logTail(lines?: number): Promise<string>;
}

/** A free TCP port on 127.0.0.1 (the metrics server's --secure-port must be non-zero). */
export async function freePort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((resolve, reject) => {
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (srv.address() as net.AddressInfo).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

/** GET through the stand-in apiserver as the cluster admin. */
export function adminGet(cluster: SimCluster, path: string, accept = 'application/json'): Promise<{ status: number; body: string }> {
  const u = new URL(path, cluster.url);
  return new Promise((resolve, reject) => {
    const req = https.get(
      { host: u.hostname, port: u.port, path: u.pathname + u.search, ca: cluster.pki.clusterCa.cert, cert: cluster.pki.adminClient.cert, key: cluster.pki.adminClient.key, headers: { accept }, agent: false, timeout: 5_000 },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (d: Buffer) => chunks.push(d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
  });
}

export async function startMetricsServerProcess(opts: MetricsServerProcessOptions): Promise<MetricsServerProcess> {
  const { cluster, dir } = opts;
  await mkdir(dir, { recursive: true });
  const pki = await cluster.writePki(join(dir, 'pki'));
  const kubeconfig = join(dir, 'metrics-server.kubeconfig');
  await cluster.writeKubeconfig(kubeconfig, 'metrics-server');
  const port = await freePort();
  const mainPath = opts.mainPath ?? fileURLToPath(new URL('../main.js', import.meta.url));
  const args = [
    mainPath,
    `--kubeconfig=${kubeconfig}`,
    `--secure-port=${port}`,
    '--bind-address=127.0.0.1',
    `--tls-cert-file=${pki.metricsServerCert}`,
    `--tls-private-key-file=${pki.metricsServerKey}`,
    `--cert-dir=${join(dir, 'certs')}`,
    `--kubelet-certificate-authority=${pki.clusterCa}`,
    '--kubelet-use-node-status-port',
    '--kubelet-preferred-address-types=InternalIP,Hostname',
    `--metric-resolution=${opts.metricResolution ?? '5s'}`,
    ...(opts.kubeletSource ? [`--kubelet-source=${opts.kubeletSource}`] : []),
    ...(opts.extraArgs ?? []),
  ];
  const logPath = join(dir, 'metrics-server.log');
  const log = createWriteStream(logPath);
  // Its own process group: a terminal's Ctrl-C reaches only the parent, which stops
  // the server in order (and kills it if the parent exits any other way).
  const child = spawn(process.execPath, [...SERVER_NODE_FLAGS, ...args], { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  const killOnExit = (): void => {
    child.kill('SIGKILL');
  };
  process.on('exit', killOnExit);
  child.stdout!.pipe(log, { end: false });
  child.stderr!.pipe(log, { end: false });
  const exited = new Promise<number | null>((resolve) => {
    child.on('exit', (code, signal) => {
      process.off('exit', killOnExit);
      // Let the pipes drain into the log first.
      setTimeout(() => {
        log.end();
        resolve(code ?? (signal ? 128 : null));
      }, 50);
    });
  });
  const url = `https://127.0.0.1:${port}`;
  cluster.setMetricsServer({ url, caBundle: cluster.pki.clusterCa.cert, serverName: 'metrics-server.kube-system.svc' });

  let running = true;
  void exited.then(() => (running = false));

  const logTail = async (lines = 20): Promise<string> => {
    const text = await readFile(logPath, 'utf8').catch(() => '');
    return text.trimEnd().split('\n').slice(-lines).join('\n');
  };

  const waitForMetrics = async (timeoutMs = 60_000): Promise<void> => {
    const deadline = Date.now() + timeoutMs;
    const wantNodes = cluster.model.nodes.length;
    const wantPods = [...cluster.model.allPods()].filter((p) => p.phase === 'Running').length;
    let last = '';
    while (Date.now() < deadline) {
      if (!running) throw new Error(`metrics server exited early:\n${await logTail()}`);
      try {
        const nodes = await adminGet(cluster, '/apis/metrics.k8s.io/v1beta1/nodes');
        const pods = await adminGet(cluster, '/apis/metrics.k8s.io/v1beta1/pods');
        const n = nodes.status === 200 ? (JSON.parse(nodes.body) as { items: unknown[] }).items.length : -1;
        const p = pods.status === 200 ? (JSON.parse(pods.body) as { items: unknown[] }).items.length : -1;
        last = `nodes ${nodes.status} (${n}/${wantNodes}), pods ${pods.status} (${p}/${wantPods})`;
        if (n === wantNodes && p === wantPods) return;
      } catch (e) {
        last = (e as Error).message;
      }
      await new Promise((r) => setTimeout(r, 250));
    }
    throw new Error(`metrics not served within ${timeoutMs} ms (last: ${last})\n${await logTail()}`);
  };

  const stop = async (graceMs = 5_000): Promise<void> => {
    if (!running) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    await exited;
    clearTimeout(timer);
  };

  return { port, url, child, logPath, args, exited, waitForMetrics, stop, logTail };
}
