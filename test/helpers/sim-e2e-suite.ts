// The kubectl end-to-end suite, run once per kubelet source: what kubectl shows
// through the aggregator must equal the usage model (CPU within 1%, memory exact).
import type { Test } from 'tap';
import { e2eSkipReason, millis, near, parseColumns, quantity, startE2E, type E2E } from './sim-e2e.js';

type Usage = { cpu: string; memory: string };
type NodeMetrics = { metadata: { name: string; labels?: Record<string, string> }; timestamp: string; window: string; usage: Usage };
type PodMetrics = { metadata: { name: string; namespace: string; labels?: Record<string, string> }; timestamp: string; window: string; containers: { name: string; usage: Usage }[] };
type List<T> = { kind: string; apiVersion: string; items: T[] };

export async function kubectlSuite(t: Test, kubeletSource: 'summary' | 'resource'): Promise<void> {
  const skip = await e2eSkipReason();
  await t.test(`kubectl against metrics-server-ts (--kubelet-source=${kubeletSource})`, { skip }, async (t) => {
    if (skip) return;
    const e: E2E = await startE2E({ kubeletSource });
    t.teardown(() => e.stop());
    const { cluster: c } = e;
    t.comment(`kubectl ${e.kubectl.found.version}; metrics server ${e.ms.url}`);
    const k = (args: string[], kubeconfig = e.admin) => e.kubectl.run(args, { kubeconfig });
    const pods = [...c.model.allPods()];
    const podCpu = (ns: string, name: string) => c.expectedPod(ns, name).cpuNanocores;
    const podMem = (ns: string, name: string) => c.expectedPod(ns, name).memoryBytes;

    t.test('kubectl top node', async (t) => {
      const r = await k(['top', 'node']);
      t.equal(r.code, 0, r.stderr);
      const rows = parseColumns(r.stdout);
      t.same(rows.map((x) => x.NAME), ['sim-node-1', 'sim-node-2', 'sim-node-3']);
      for (const row of rows) {
        const want = c.expectedNode(row.NAME!);
        t.ok(near(parseInt(row['CPU(cores)']!, 10), millis(want.cpuNanocores)), `${row.NAME} cpu ${row['CPU(cores)']} ≈ ${millis(want.cpuNanocores)}m`);
        t.equal(row['MEMORY(bytes)'], `${Math.floor(want.memoryBytes / 2 ** 20)}Mi`);
        t.equal(row['CPU(%)'], `${Math.floor(millis(want.cpuNanocores) / 80)}%`, 'percent of allocatable (8 cores)');
      }
    });

    t.test('kubectl top node NAME and -l', async (t) => {
      const one = parseColumns((await k(['top', 'node', 'sim-node-2'])).stdout);
      t.same(one.map((x) => x.NAME), ['sim-node-2']);
      const cp = await k(['top', 'node', '-l', 'node-role.kubernetes.io/control-plane']);
      t.same(parseColumns(cp.stdout).map((x) => x.NAME), ['sim-node-1']);
      const missing = await k(['top', 'node', 'nope']);
      t.not(missing.code, 0);
      t.match(missing.stderr, /NotFound/);
    });

    t.test('kubectl top pod -A', async (t) => {
      const r = await k(['top', 'pod', '-A']);
      t.equal(r.code, 0, r.stderr);
      const rows = parseColumns(r.stdout);
      t.equal(rows.length, pods.length);
      for (const row of rows) {
        t.ok(near(parseInt(row['CPU(cores)']!, 10), millis(podCpu(row.NAMESPACE!, row.NAME!))), `${row.NAMESPACE}/${row.NAME} cpu`);
        t.equal(row['MEMORY(bytes)'], `${Math.floor(podMem(row.NAMESPACE!, row.NAME!) / 2 ** 20)}Mi`);
      }
    });

    t.test('kubectl top pod -l app=web', async (t) => {
      const r = await k(['top', 'pod', '-A', '-l', 'app=web']);
      t.equal(r.code, 0, r.stderr);
      const want = pods.filter((p) => p.labels.app === 'web').map((p) => `${p.namespace}/${p.name}`).sort();
      t.same(parseColumns(r.stdout).map((x) => `${x.NAMESPACE}/${x.NAME}`).sort(), want);
    });

    t.test('kubectl top pod --containers', async (t) => {
      const r = await k(['top', 'pod', '-n', 'team-a', '--containers']);
      t.equal(r.code, 0, r.stderr);
      const rows = parseColumns(r.stdout);
      t.equal(rows.length, pods.filter((p) => p.namespace === 'team-a').length * 2);
      for (const row of rows) {
        const want = c.expectedContainer('team-a', row.POD!, row.NAME!);
        t.ok(near(parseInt(row['CPU(cores)']!, 10), millis(want.cpuNanocores)), `${row.POD}/${row.NAME} cpu`);
        t.equal(row['MEMORY(bytes)'], `${Math.floor(want.memoryBytes / 2 ** 20)}Mi`);
      }
    });

    t.test('kubectl get --raw for every endpoint', async (t) => {
      const raw = async <T>(path: string): Promise<T> => {
        const r = await k(['get', '--raw', path]);
        t.equal(r.code, 0, `${path}: ${r.stderr}`);
        return JSON.parse(r.stdout) as T;
      };
      const checkNode = (n: NodeMetrics) => {
        const want = c.expectedNode(n.metadata.name);
        t.ok(near(quantity(n.usage.cpu) * 1e9, want.cpuNanocores), `${n.metadata.name} cpu ${n.usage.cpu} ≈ ${want.cpuNanocores}n`);
        t.equal(quantity(n.usage.memory), want.memoryBytes, `${n.metadata.name} memory exact`);
        t.match(n.window, /^\d+(\.\d+)?s$/);
      };
      const checkPod = (p: PodMetrics) => {
        for (const ctr of p.containers) {
          const want = c.expectedContainer(p.metadata.namespace, p.metadata.name, ctr.name);
          t.ok(near(quantity(ctr.usage.cpu) * 1e9, want.cpuNanocores), `${p.metadata.name}/${ctr.name} cpu`);
          t.equal(quantity(ctr.usage.memory), want.memoryBytes, `${p.metadata.name}/${ctr.name} memory exact`);
        }
      };
      t.match(await raw('/apis/metrics.k8s.io/v1beta1'), { kind: 'APIResourceList', groupVersion: 'metrics.k8s.io/v1beta1', resources: [{ name: 'nodes', kind: 'NodeMetrics' }, { name: 'pods', kind: 'PodMetrics' }] });
      const nodes = await raw<List<NodeMetrics>>('/apis/metrics.k8s.io/v1beta1/nodes');
      t.equal(nodes.kind, 'NodeMetricsList');
      t.equal(nodes.items.length, 3);
      nodes.items.forEach(checkNode);
      t.equal(nodes.items[0]!.metadata.labels?.['kubernetes.io/hostname'], nodes.items[0]!.metadata.name, 'node labels copied');
      checkNode(await raw<NodeMetrics>('/apis/metrics.k8s.io/v1beta1/nodes/sim-node-3'));
      const sel = await raw<List<NodeMetrics>>('/apis/metrics.k8s.io/v1beta1/nodes?labelSelector=topology.kubernetes.io%2Fzone%3Dzone-2');
      t.same(sel.items.map((n) => n.metadata.name), ['sim-node-2']);
      const all = await raw<List<PodMetrics>>('/apis/metrics.k8s.io/v1beta1/pods');
      t.equal(all.kind, 'PodMetricsList');
      t.equal(all.items.length, pods.length);
      all.items.forEach(checkPod);
      const ns = await raw<List<PodMetrics>>('/apis/metrics.k8s.io/v1beta1/namespaces/team-b/pods');
      t.same(ns.items.map((p) => p.metadata.name).sort(), pods.filter((p) => p.namespace === 'team-b').map((p) => p.name).sort());
      const p0 = pods[0]!;
      const one = await raw<PodMetrics>(`/apis/metrics.k8s.io/v1beta1/namespaces/${p0.namespace}/pods/${p0.name}`);
      t.equal(one.metadata.name, p0.name);
      t.same(one.containers.map((x) => x.name).sort(), ['main', 'sidecar']);
      checkPod(one);
      const missing = await k(['get', '--raw', '/apis/metrics.k8s.io/v1beta1/namespaces/default/pods/nope']);
      t.not(missing.code, 0);
      t.match(missing.stderr, /NotFound/);
    });

    t.test('kubectl get nodemetrics / podmetrics -A print the server-side table', async (t) => {
      const n = await k(['get', 'nodemetrics']);
      t.equal(n.code, 0, n.stderr);
      const nrows = parseColumns(n.stdout);
      t.same(Object.keys(nrows[0]!), ['NAME', 'CPU', 'MEMORY', 'WINDOW']);
      t.same(nrows.map((x) => x.NAME), ['sim-node-1', 'sim-node-2', 'sim-node-3']);
      for (const row of nrows) t.equal(quantity(row.MEMORY!), c.expectedNode(row.NAME!).memoryBytes);
      const p = await k(['get', 'podmetrics', '-A']);
      t.equal(p.code, 0, p.stderr);
      const prows = parseColumns(p.stdout);
      t.same(Object.keys(prows[0]!), ['NAMESPACE', 'NAME', 'CPU', 'MEMORY', 'WINDOW']);
      t.equal(prows.length, pods.length);
      for (const row of prows) {
        t.ok(near(quantity(row.CPU!) * 1e9, podCpu(row.NAMESPACE!, row.NAME!)), `${row.NAME} cpu`);
        t.equal(quantity(row.MEMORY!), podMem(row.NAMESPACE!, row.NAME!));
      }
    });

    t.test('kubectl api-resources and explain', async (t) => {
      const r = await k(['api-resources', '--api-group=metrics.k8s.io']);
      t.equal(r.code, 0, r.stderr);
      t.match(r.stdout, /pods\s+metrics\.k8s\.io\/v1beta1\s+true\s+PodMetrics/);
      const x = await k(['explain', 'podmetrics']);
      t.equal(x.code, 0, x.stderr);
      t.match(x.stdout, /KIND:\s+PodMetrics/);
      t.match(x.stdout, /containers\s+<\[\]ContainerMetrics>/);
    });

    t.test('a user allowed in one namespace gets 403 elsewhere', async (t) => {
      const ok = await k(['top', 'pod'], e.viewer);
      t.equal(ok.code, 0, ok.stderr);
      t.same(parseColumns(ok.stdout).map((x) => x.NAME).sort(), pods.filter((p) => p.namespace === 'team-a').map((p) => p.name).sort());
      const denied = await k(['top', 'pod', '-n', 'default'], e.viewer);
      t.not(denied.code, 0);
      t.match(denied.stderr, /Forbidden.*User "viewer" cannot list resource "pods" in API group "metrics.k8s.io" in the namespace "default"/);
      const nodes = await k(['top', 'node'], e.viewer);
      t.not(nodes.code, 0);
      t.match(nodes.stderr, /Forbidden/);
    });

    t.test('the aggregator spoke HTTP/2 to the metrics server, as kube-aggregator does', async (t) => {
      t.ok(c.aggregator.sent.h2 > 0, `${c.aggregator.sent.h2} requests as streams of HTTP/2 connections`);
      t.equal(c.aggregator.sent['http/1.1'], 0, 'none over HTTP/1.1');
    });
  });
}
