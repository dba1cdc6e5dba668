// Runs the real kubectl in tests: isolated HOME and cache dir, bounded in time.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findKubectl, type KubectlFound } from '../../src/sim/kubectl.js';

export interface KubectlResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface KubectlRunner {
  found: KubectlFound;
  run(args: string[], opts?: { kubeconfig?: string; timeoutMs?: number }): Promise<KubectlResult>;
  cleanup(): void;
}

/** A runner, or the reason kubectl is unavailable (for t.skip / t.plan(0, reason)). */
export async function kubectlRunner(defaultKubeconfig?: string): Promise<KubectlRunner | { missing: string }> {
  const found = await findKubectl();
  if ('missing' in found) return found;
  const home = mkdtempSync(join(tmpdir(), 'sim-kubectl-home-'));
  return {
    found,
    run: (args, opts = {}) =>
      new Promise((resolve) => {
        const kubeconfig = opts.kubeconfig ?? defaultKubeconfig;
        const full = [...(kubeconfig ? [`--kubeconfig=${kubeconfig}`] : []), `--cache-dir=${join(home, 'cache')}`, ...args];
        execFile(
          found.path,
          full,
          { timeout: opts.timeoutMs ?? 15_000, env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: home, KUBECACHEDIR: join(home, 'cache') } },
          (err, stdout, stderr) => {
            const code = err ? (typeof (err as NodeJS.ErrnoException & { code?: unknown }).code === 'number' ? ((err as unknown as { code: number }).code) : 1) : 0;
            resolve({ code, stdout, stderr });
          },
        );
      }),
    cleanup: () => rmSync(home, { recursive: true, force: true }),
  };
}
