// Runs the real helm against deploy/helm/metrics-server-ts for the deploy tests:
// isolated HOME and helm directories, bounded in time, output parsed as the
// manifests under deploy/ are.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findHelm, type HelmFound } from '../../src/sim/helm.js';
import { repoRoot } from '../helpers/paths.js';
import { MANIFESTS, loadManifest, parseManifestText, type KubeObject } from './manifests.js';

export const CHART_DIR = join(repoRoot, 'deploy', 'helm', 'metrics-server-ts');
/** The values that render deploy/high-availability.yaml's objects. */
export const HA_VALUES = join(CHART_DIR, 'ci', 'ha-values.yaml');

export interface HelmResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface RenderOptions {
  /** Release name; default metrics-server (the names of deploy/components.yaml). */
  release?: string;
  /** Release namespace; default kube-system. */
  namespace?: string;
  /** Values files (-f), in order. */
  values?: string[];
  /** --set expressions. */
  set?: string[];
  /** --set-string expressions. */
  setString?: string[];
  /** --set-file expressions. */
  setFile?: string[];
  /**
   * A kubeconfig: render with --dry-run=server against that cluster, so that the
   * templates' lookup calls are answered (OpenAPI validation left out).
   */
  kubeconfig?: string;
}

export interface ChartRunner {
  found: HelmFound;
  /** Runs helm; env entries are added to (or replace) the isolated environment. */
  helm(args: string[], env?: Record<string, string>): Promise<HelmResult>;
  /** helm template's arguments for the options (without the helm command itself). */
  templateArgs(opts?: RenderOptions): string[];
  /** helm template's objects; throws with helm's stderr when it fails. */
  render(opts?: RenderOptions): Promise<KubeObject[]>;
  cleanup(): void;
}

function valueArgs(opts: RenderOptions): string[] {
  return [
    ...(opts.values ?? []).flatMap((f) => ['-f', f]),
    ...(opts.set ?? []).flatMap((s) => ['--set', s]),
    ...(opts.setString ?? []).flatMap((s) => ['--set-string', s]),
    ...(opts.setFile ?? []).flatMap((s) => ['--set-file', s]),
  ];
}

/** A runner, or the reason helm is unavailable (for the tests' skip). */
export async function chartRunner(): Promise<ChartRunner | { missing: string }> {
  const found = await findHelm();
  if ('missing' in found) return found;
  const home = mkdtempSync(join(tmpdir(), 'helm-home-'));
  const env = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: home,
    HELM_CACHE_HOME: join(home, 'cache'),
    HELM_CONFIG_HOME: join(home, 'config'),
    HELM_DATA_HOME: join(home, 'data'),
    // helm template never needs a cluster; make sure it cannot reach one.
    KUBECONFIG: join(home, 'no-kubeconfig'),
  };
  const helm = (args: string[], extraEnv: Record<string, string> = {}): Promise<HelmResult> =>
    new Promise((resolve) => {
      execFile(found.path, args, { timeout: 30_000, env: { ...env, ...extraEnv }, maxBuffer: 16 << 20 }, (err, stdout, stderr) => {
        const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : 1) : 0;
        resolve({ code, stdout, stderr });
      });
    });
  const templateArgs = (opts: RenderOptions = {}) => [
    'template', opts.release ?? 'metrics-server', CHART_DIR, '--namespace', opts.namespace ?? 'kube-system', ...valueArgs(opts),
    ...(opts.kubeconfig ? ['--dry-run=server', '--disable-openapi-validation'] : []),
  ];
  const clusterEnv = (opts: RenderOptions): Record<string, string> => (opts.kubeconfig ? { KUBECONFIG: opts.kubeconfig } : {});
  return {
    found,
    helm,
    templateArgs,
    async render(opts = {}) {
      const r = await helm(templateArgs(opts), clusterEnv(opts));
      if (r.code !== 0) throw new Error(`helm ${templateArgs(opts).join(' ')} exited ${r.code}: ${r.stderr.trim()}`);
      return parseManifestText(r.stdout);
    },
    cleanup: () => rmSync(home, { recursive: true, force: true }),
  };
}

/** A set of objects that a user applies: a manifest under deploy/ or a chart render. */
export interface ObjectSet {
  label: string;
  objects: KubeObject[];
}

/**
 * deploy/components.yaml and deploy/high-availability.yaml, then the chart
 * rendered (release metrics-server in kube-system) with its default values and
 * with ci/ha-values.yaml; skip says why the renders are missing.
 */
export async function deploySets(): Promise<{ sets: ObjectSet[]; skip: string | false }> {
  const sets: ObjectSet[] = MANIFESTS.map((name) => ({ label: name, objects: loadManifest(name) }));
  const chart = await chartRunner();
  if ('missing' in chart) return { sets, skip: `helm not available: ${chart.missing}` };
  try {
    sets.push(
      { label: 'chart, default values', objects: await chart.render() },
      { label: 'chart, ci/ha-values.yaml', objects: await chart.render({ values: [HA_VALUES] }) },
    );
  } finally {
    chart.cleanup();
  }
  return { sets, skip: false };
}
