import t from 'tap';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSimCluster } from '../../src/sim/cluster.js';
import { kubectlRunner } from '../helpers/kubectl.js';

const k = await kubectlRunner();
const skip = 'missing' in k ? `kubectl not available: ${k.missing}` : false;

t.test('the real kubectl against the stand-in apiserver', { skip }, async (t) => {
  if ('missing' in k) return;
  t.teardown(() => k.cleanup());
  t.comment(`kubectl ${k.found.version} (${k.found.source}: ${k.found.path})`);
  const c = await startSimCluster({ nodes: 3, podsPerNode: 4 });
  t.teardown(() => c.stop());
  const dir = mkdtempSync(join(tmpdir(), 'sim-kubeconfig-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const admin = join(dir, 'admin.yaml');
  const viewer = join(dir, 'viewer.yaml');
  await c.writeKubeconfig(admin, 'admin');
  await c.writeKubeconfig(viewer, 'viewer');

  t.test('get --raw /version', async (t) => {
    const r = await k.run(['get', '--raw', '/version'], { kubeconfig: admin });
    t.equal(r.code, 0, r.stderr);
    t.match(JSON.parse(r.stdout), { major: '1', minor: '32' });
  });

  t.test('get nodes prints the server-side table', async (t) => {
    const r = await k.run(['get', 'nodes'], { kubeconfig: admin });
    t.equal(r.code, 0, r.stderr);
    const lines = r.stdout.trim().split('\n');
    t.match(lines[0], /^NAME\s+STATUS\s+ROLES\s+AGE\s+VERSION$/);
    t.same(lines.slice(1).map((l) => l.split(/\s+/)[0]), ['sim-node-1', 'sim-node-2', 'sim-node-3']);
    t.match(lines[1], /Ready\s+control-plane/);
  });

  t.test('get pods with a label selector across namespaces', async (t) => {
    const r = await k.run(['get', 'pods', '-A', '-l', 'app=web', '-o', 'jsonpath={range .items[*]}{.metadata.namespace}/{.metadata.name}{"\\n"}{end}'], { kubeconfig: admin });
    t.equal(r.code, 0, r.stderr);
    const want = [...c.model.allPods()].filter((p) => p.labels.app === 'web').map((p) => `${p.namespace}/${p.name}`);
    t.same(r.stdout.trim().split('\n'), want);
  });

  t.test('the viewer is confined to team-a', async (t) => {
    const ok = await k.run(['get', 'pods', '-o', 'name'], { kubeconfig: viewer });
    t.equal(ok.code, 0, ok.stderr);
    const want = [...c.model.allPods()].filter((p) => p.namespace === 'team-a').map((p) => `pod/${p.name}`);
    t.same(ok.stdout.trim().split('\n'), want);
    const denied = await k.run(['get', 'pods', '-n', 'default'], { kubeconfig: viewer });
    t.not(denied.code, 0);
    t.match(denied.stderr, /Error from server \(Forbidden\): pods is forbidden: User "viewer" cannot list resource "pods" in API group "" in the namespace "default"/);
  });

  t.test('api-resources sees metrics.k8s.io through aggregated discovery', async (t) => {
    const r = await k.run(['api-resources', '--api-group=metrics.k8s.io'], { kubeconfig: admin });
    t.equal(r.code, 0, r.stderr);
    t.match(r.stdout, /nodes\s+metrics\.k8s\.io\/v1beta1\s+false\s+NodeMetrics/);
    t.match(r.stdout, /pods\s+metrics\.k8s\.io\/v1beta1\s+true\s+PodMetrics/);
    t.ok(c.apiserver.log.some((l) => l.path === '/apis' && /apidiscovery\.k8s\.io;v=v2/.test(l.accept ?? '')), 'kubectl asked for v2 discovery');
  });

  t.test('with no metrics server, kubectl top reports the service unavailable', async (t) => {
    const r = await k.run(['top', 'nodes'], { kubeconfig: admin });
    t.not(r.code, 0);
    t.match(r.stderr, /ServiceUnavailable|service unavailable|unable to handle the request/i);
  });
});
