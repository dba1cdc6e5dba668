// The cluster changes under the metrics server: pods come and go, containers
// restart, a kubelet fails. What kubectl and the API show follows the model.
import t from 'tap';
import { adminGet } from '../../src/sim/metrics-server-process.js';
import { e2eSkipReason, near, parseColumns, quantity, startE2E } from '../helpers/sim-e2e.js';

const skip = await e2eSkipReason();

/** Polls check() until it returns true or ms pass. */
async function eventually(check: () => Promise<boolean>, ms = 15_000): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await check()) return true;
    await new Promise((r) => setTimeout(r, 200));
  }
  return false;
}

t.test('churn and kubelet faults', { skip }, async (t) => {
  if (skip) return;
  const e = await startE2E({ kubeletSource: 'resource' });
  t.teardown(() => e.stop());
  const c = e.cluster;
  const metrics = '/apis/metrics.k8s.io/v1beta1';

  t.test('a new pod appears with its model usage, a removed one disappears', async (t) => {
    c.model.addPod('sim-node-2', { namespace: 'team-b', name: 'late-arrival', labels: { app: 'batch' } });
    const path = `${metrics}/namespaces/team-b/pods/late-arrival`;
    t.ok(await eventually(async () => (await adminGet(c, path)).status === 200), 'served after its scrapes');
    const pod = JSON.parse((await adminGet(c, path)).body) as { containers: { name: string; usage: { cpu: string; memory: string } }[] };
    for (const ctr of pod.containers) {
      const want = c.expectedContainer('team-b', 'late-arrival', ctr.name);
      t.ok(near(quantity(ctr.usage.cpu) * 1e9, want.cpuNanocores), `${ctr.name} cpu`);
      t.equal(quantity(ctr.usage.memory), want.memoryBytes);
    }
    const top = await e.kubectl.run(['top', 'pod', '-n', 'team-b', '-l', 'app=batch'], { kubeconfig: e.admin });
    t.same(parseColumns(top.stdout).map((r) => r.NAME), ['late-arrival']);
    c.model.removePod('team-b', 'late-arrival');
    t.ok(await eventually(async () => (await adminGet(c, path)).status === 404), 'gone once the pod is deleted');
  });

  t.test('a restarted container keeps being served with its rate', async (t) => {
    const pod = c.model.podsOn('sim-node-1')[0]!;
    c.model.restartContainer(pod.namespace, pod.name, 'main');
    const path = `${metrics}/namespaces/${pod.namespace}/pods/${pod.name}`;
    const want = c.expectedContainer(pod.namespace, pod.name, 'main');
    t.ok(
      await eventually(async () => {
        const r = await adminGet(c, path);
        if (r.status !== 200) return false;
        const main = (JSON.parse(r.body) as { containers: { name: string; usage: { cpu: string } }[] }).containers.find((x) => x.name === 'main');
        return !!main && near(quantity(main.usage.cpu) * 1e9, want.cpuNanocores);
      }),
      'rate after the restart equals the model',
    );
  });

  t.test('a failing kubelet drops its node; the others stay', async (t) => {
    c.setFault('sim-node-3', { kind: 'http500' });
    const names = async () => (JSON.parse((await adminGet(c, `${metrics}/nodes`)).body) as { items: { metadata: { name: string } }[] }).items.map((n) => n.metadata.name);
    t.ok(await eventually(async () => !(await names()).includes('sim-node-3')), 'sim-node-3 no longer served');
    t.same(await names(), ['sim-node-1', 'sim-node-2']);
    const top = await e.kubectl.run(['top', 'node'], { kubeconfig: e.admin });
    // kubectl lists every node and marks the ones without metrics.
    t.same(parseColumns(top.stdout).map((r) => `${r.NAME} ${r['CPU(cores)'] === '<unknown>' ? 'unknown' : 'ok'}`), ['sim-node-1 ok', 'sim-node-2 ok', 'sim-node-3 unknown']);
    c.setFault('sim-node-3', { kind: 'garbage' });
    await new Promise((r) => setTimeout(r, 2500));
    t.notOk((await names()).includes('sim-node-3'), 'garbage is not metrics');
    c.setFault('sim-node-3', undefined);
    t.ok(await eventually(async () => (await names()).includes('sim-node-3')), 'back once the kubelet recovers');
  });
});
