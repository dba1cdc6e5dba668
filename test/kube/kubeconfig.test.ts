import t from 'tap';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadKubeConfig } from '../../src/kube/kubeconfig.js';

const dir = mkdtempSync(join(tmpdir(), 'kubeconfig-'));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));
const write = (name: string, server: string) => {
  const p = join(dir, name);
  writeFileSync(p, `apiVersion: v1\nkind: Config\nclusters:\n- name: c\n  cluster:\n    server: ${server}\ncontexts:\n- name: x\n  context: {cluster: c, user: u}\ncurrent-context: x\nusers:\n- name: u\n  user: {token: abc}\n`);
  return p;
};

t.test('loads a kubeconfig file', async (t) => {
  const kc = loadKubeConfig(write('good', 'https://127.0.0.1:6443'));
  t.equal(kc.getCurrentCluster()?.server, 'https://127.0.0.1:6443');
});

t.test('clear errors: missing file, bad server URL, no cluster environment', async (t) => {
  t.throws(() => loadKubeConfig(join(dir, 'missing')), /ENOENT/);
  t.throws(() => loadKubeConfig(write('bad', 'not a url')), /invalid server URL/);
  t.throws(() => loadKubeConfig(undefined, {}), /not running in a cluster.*--kubeconfig/);
});
