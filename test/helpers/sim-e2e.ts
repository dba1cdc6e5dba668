// End-to-end fixture: a simulated cluster, this project's metrics server as a child
// process, and the real kubectl. Tests compare what kubectl shows with the model.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { quantityToScalar } from '@kubernetes/client-node/dist/util.js';
import { existsSync } from 'node:fs';
import { startSimCluster, type SimCluster, type SimClusterOptions } from '../../src/sim/cluster.js';
import { startMetricsServerProcess, type MetricsServerProcess } from '../../src/sim/metrics-server-process.js';
import { kubectlRunner, type KubectlRunner } from './kubectl.js';
import { repoRoot } from './paths.js';

export interface E2E {
  cluster: SimCluster;
  ms: MetricsServerProcess;
  kubectl: KubectlRunner;
  admin: string;
  viewer: string;
  dir: string;
  stop(): Promise<void>;
}

const MAIN = join(repoRoot, 'dist', 'src', 'main.js');

/** Why the e2e suite cannot run here, or false. */
export async function e2eSkipReason(): Promise<string | false> {
  if (!existsSync(MAIN)) return `${MAIN} is not built (npm run build)`;
  const k = await kubectlRunner();
  if ('missing' in k) return `kubectl not available: ${k.missing}`;
  k.cleanup();
  return false;
}

export async function startE2E(opts: { kubeletSource?: 'summary' | 'resource'; cluster?: SimClusterOptions; extraArgs?: string[] } = {}): Promise<E2E> {
  const k = await kubectlRunner();
  if ('missing' in k) throw new Error(k.missing);
  const dir = mkdtempSync(join(tmpdir(), 'ms-e2e-'));
  const cluster = await startSimCluster({ nodes: 3, podsPerNode: 4, containersPerPod: 2, ...opts.cluster });
  const ms = await startMetricsServerProcess({
    cluster,
    dir,
    mainPath: MAIN,
    metricResolution: '2s',
    ...(opts.kubeletSource ? { kubeletSource: opts.kubeletSource } : {}),
    ...(opts.extraArgs ? { extraArgs: opts.extraArgs } : {}),
  });
  const stop = async (): Promise<void> => {
    await ms.stop();
    await cluster.stop();
    k.cleanup();
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await ms.waitForMetrics(30_000);
  } catch (e) {
    await stop();
    throw e;
  }
  const admin = join(dir, 'admin.kubeconfig');
  const viewer = join(dir, 'viewer.kubeconfig');
  await cluster.writeKubeconfig(admin, 'admin');
  await cluster.writeKubeconfig(viewer, 'viewer');
  return { cluster, ms, kubectl: k, admin, viewer, dir, stop };
}

/** A Kubernetes quantity as a number (CPU in cores, memory in bytes), parsed by client-node. */
export function quantity(q: string): number {
  return Number(quantityToScalar(q));
}

/** Rows of kubectl's column output, keyed by header name. */
export function parseColumns(out: string): Record<string, string>[] {
  const lines = out.trimEnd().split('\n').filter((l) => l.trim() !== '');
  const header = lines[0]!.trim().split(/\s+/);
  return lines.slice(1).map((l) => Object.fromEntries(l.trim().split(/\s+/).map((v, i) => [header[i]!, v])));
}

/** kubectl's millicore display: MilliValue() rounds up. */
export function millis(nanocores: number): number {
  return Math.ceil(nanocores / 1e6);
}

/** |got - want| within 1% (and at least 1 unit, for rounding). */
export function near(got: number, want: number): boolean {
  return Math.abs(got - want) <= Math.max(1, Math.abs(want) * 0.01);
}
