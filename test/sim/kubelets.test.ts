import t from 'tap';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { gunzipSync } from 'node:zlib';
import { startSimCluster } from '../../src/sim/cluster.js';
import { decodeResource } from '../../src/scrape/decode-resource.js';
import { decodeSummary } from '../../src/scrape/decode-summary.js';
import type { MetricsPoint, NodeScrape } from '../../src/scrape/types.js';
import { fixturePath } from '../helpers/paths.js';
import { simRequest, type SimRequestOptions } from '../helpers/sim-client.js';

// A parser that is not ours checks the exposition format.
const parsePrometheus = createRequire(import.meta.url)('parse-prometheus-text-format') as (text: string) => { name: string; type: string; metrics: { value: string; labels?: Record<string, string>; timestamp_ms?: string }[] }[];

const cpuNs = (p: MetricsPoint): number => p.cpuSec * 1e9 + p.cpuNsec;
const rate = (a: MetricsPoint, b: MetricsPoint): number => ((cpuNs(b) - cpuNs(a)) * 1000) / (b.timestampMs - a.timestampMs);

t.test('simulated kubelets', async (t) => {
  let clock = Date.UTC(2026, 0, 1, 12, 0, 0, 250);
  const c = await startSimCluster({ nodes: 2, podsPerNode: 3, containersPerPod: 2, now: () => clock });
  t.teardown(() => c.stop());
  const node = c.model.nodes[0]!;
  const kubelet = `https://127.0.0.1:${node.kubeletPort}`;
  const scrape = (path: string, as: SimRequestOptions['as'] = 'metrics-server') => simRequest(c, kubelet, path, { as });

  t.test('authentication and authorization', async (t) => {
    t.equal((await scrape('/metrics/resource', 'anonymous')).status, 401);
    t.equal((await scrape('/stats/summary', { token: 'forged' })).status, 401);
    const viewer = await scrape('/metrics/resource', 'viewer');
    t.equal(viewer.status, 403, 'authenticated but not allowed nodes/metrics');
    t.match(viewer.body, /user=viewer/);
    t.equal((await scrape('/metrics/resource')).status, 200, 'metrics-server token');
    t.equal((await scrape('/stats/summary', 'admin')).status, 200, 'admin client certificate');
    t.equal((await scrape('/nope')).status, 404);
  });

  t.test('/metrics/resource is valid Prometheus text that our decoder reads', async (t) => {
    const r = await scrape('/metrics/resource');
    t.match(r.headers['content-type'], /^text\/plain; version=0\.0\.4/);
    const families = parsePrometheus(r.body);
    const names = families.map((f) => f.name);
    t.same(names, [
      'container_cpu_usage_seconds_total',
      'container_memory_working_set_bytes',
      'container_start_time_seconds',
      'node_cpu_usage_seconds_total',
      'node_memory_working_set_bytes',
      'pod_cpu_usage_seconds_total',
      'pod_memory_working_set_bytes',
      'resource_scrape_error',
    ]);
    const mem = families.find((f) => f.name === 'container_memory_working_set_bytes')!;
    t.equal(mem.metrics.length, 6);
    const first = c.model.podsOn(node.name)[0]!;
    const m = mem.metrics.find((x) => x.labels?.pod === first.name && x.labels.container === 'main')!;
    t.equal(Number(m.value), first.containers[0]!.memoryBytes);
    t.equal(m.timestamp_ms, String(clock));
    const decoded = decodeResource(new TextEncoder().encode(r.body), clock);
    t.equal(decoded.pods.length, 3);
    t.equal(decoded.node!.memoryBytes, c.model.nodeMemoryBytes(node.name));
  });

  t.test('/stats/summary is the kubelet JSON that our decoder reads', async (t) => {
    const r = await scrape('/stats/summary?only_cpu_and_memory=true');
    t.match(r.headers['content-type'], /^application\/json/);
    const doc = JSON.parse(r.body) as { node: { nodeName: string; cpu: { time: string; usageNanoCores: number } }; pods: { podRef: { name: string }; containers: { name: string }[] }[] };
    t.equal(doc.node.nodeName, node.name);
    t.equal(doc.node.cpu.time, '2026-01-01T12:00:00Z', 'whole seconds, as metav1.Time');
    t.equal(doc.node.cpu.usageNanoCores, c.model.nodeCpuNanocores(node.name));
    t.equal(doc.pods.length, 3);
    const decoded = decodeSummary(new TextEncoder().encode(r.body), clock);
    t.equal(decoded.pods.length, 3);
    t.equal(decoded.pods[0]!.containers.length, 2);
  });

  // Rates between two scrapes equal the model's rates exactly, in both formats.
  const twoScrapes = async (path: string, decode: (b: Uint8Array, ms: number) => NodeScrape): Promise<[NodeScrape, NodeScrape]> => {
    const a = decode(new TextEncoder().encode((await scrape(path)).body), clock);
    clock += 15_300;
    const b = decode(new TextEncoder().encode((await scrape(path)).body), clock);
    return [a, b];
  };

  for (const [path, decode] of [
    ['/metrics/resource', decodeResource],
    ['/stats/summary', decodeSummary],
  ] as const) {
    t.test(`model rates through ${path}`, async (t) => {
      const [a, b] = await twoScrapes(path, decode);
      const nodeRate = rate(a.node!, b.node!);
      t.ok(Math.abs(nodeRate - c.model.nodeCpuNanocores(node.name)) <= 1, `node rate ${nodeRate}`);
      t.equal(b.node!.memoryBytes, c.model.nodeMemoryBytes(node.name));
      for (const pod of b.pods) {
        const before = a.pods.find((p) => p.name === pod.name)!;
        for (const ctr of pod.containers) {
          const want = c.expectedContainer(pod.namespace, pod.name, ctr.name);
          const got = rate(before.containers.find((x) => x.name === ctr.name)!, ctr);
          t.ok(Math.abs(got - want.cpuNanocores) <= 1, `${pod.name}/${ctr.name} ${got} ≈ ${want.cpuNanocores}`);
          t.equal(ctr.memoryBytes, want.memoryBytes);
        }
      }
    });
  }

  t.test('churn: restart, new pod, removed pod', async (t) => {
    const pod = c.model.podsOn(node.name)[0]!;
    const [before] = await twoScrapes('/metrics/resource', decodeResource);
    const nodeBefore = cpuNs(before.node!);
    c.model.restartContainer(pod.namespace, pod.name, 'main', clock);
    c.model.addPod(node.name, { namespace: 'default', name: 'fresh-1' }, clock);
    const gone = c.model.podsOn(node.name)[1]!;
    c.model.removePod(gone.namespace, gone.name, clock);
    clock += 5_000;
    const after = decodeResource(new TextEncoder().encode((await scrape('/metrics/resource')).body), clock);
    const restarted = after.pods.find((p) => p.name === pod.name)!.containers.find((x) => x.name === 'main')!;
    t.equal(restarted.startTimeMs, clock - 5_000, 'start time moved to the restart');
    t.ok(Math.abs(cpuNs(restarted) - (c.expectedContainer(pod.namespace, pod.name, 'main').cpuNanocores * 5)) <= 1, 'counter restarted from zero');
    t.ok(after.pods.some((p) => p.name === 'fresh-1'));
    t.notOk(after.pods.some((p) => p.name === gone.name));
    t.ok(cpuNs(after.node!) > nodeBefore, 'node counter never goes back');
  });

  t.test('faults per node', async (t) => {
    const other = `https://127.0.0.1:${c.model.nodes[1]!.kubeletPort}`;
    c.setFault(node.name, { kind: 'http500' });
    t.equal((await scrape('/metrics/resource')).status, 500);
    t.equal((await simRequest(c, other, '/metrics/resource', { as: 'metrics-server' })).status, 200, 'other nodes unaffected');
    c.setFault(node.name, { kind: 'garbage' });
    const g = await scrape('/stats/summary');
    t.equal(g.status, 200);
    t.throws(() => decodeSummary(new TextEncoder().encode(g.body), clock));
    c.setFault(node.name, { kind: 'timeout' });
    await t.rejects(simRequest(c, kubelet, '/metrics/resource', { as: 'metrics-server', timeoutMs: 300 }), /timed out/);
    c.setFault(node.name, { kind: 'reset' });
    await t.rejects(scrape('/metrics/resource'));
    c.setFault(node.name, { kind: 'oversized', bytes: 3 * 1024 * 1024 });
    const big = await scrape('/metrics/resource');
    t.equal(big.body.length, 3 * 1024 * 1024);
    t.equal(big.headers['content-length'], String(3 * 1024 * 1024));
    c.setFault(node.name, { kind: 'delay', ms: 200 });
    const started = Date.now();
    t.equal((await scrape('/metrics/resource')).status, 200);
    t.ok(Date.now() - started >= 190);
    c.setFault(node.name, undefined);
    t.equal((await scrape('/metrics/resource')).status, 200);
  });

  t.test('replays a real payload', async (t) => {
    const fixture = readFileSync(fixturePath('kubelet', 'resource', 'metrics-server-decode-normal.txt'));
    c.setReplay(node.name, { resource: fixture });
    const r = await scrape('/metrics/resource');
    t.equal(r.body, fixture.toString('utf8'));
    t.equal((await scrape('/stats/summary')).status, 200, 'the other path still renders the model');
    c.setReplay(node.name, undefined);
  });

  t.test('bodies are framed as Go frames a kubelet\'s: Content-Length up to 2 KB, chunked above', async (t) => {
    const big = Buffer.alloc(10_000, '# a comment line of padding\n');
    for (const [body, chunked] of [[Buffer.from('# small\n'), false], [big, true]] as const) {
      c.setReplay(node.name, { resource: body, summary: body });
      for (const path of ['/metrics/resource', '/stats/summary']) {
        const r = await scrape(path);
        t.equal(r.body, body.toString('utf8'), `${path}, ${body.length} bytes: body intact`);
        t.equal(r.headers['transfer-encoding'], chunked ? 'chunked' : undefined, `${path}, ${body.length} bytes: transfer-encoding`);
        t.equal(r.headers['content-length'], chunked ? undefined : String(body.length), `${path}, ${body.length} bytes: content-length`);
      }
    }
    c.setReplay(node.name, undefined);
  });

  t.test('/metrics/resource is gzipped when asked, as promhttp does; /stats/summary never is', async (t) => {
    const plain = await scrape('/metrics/resource');
    t.equal(plain.headers['content-encoding'], undefined, 'not asked: not compressed');
    for (const ae of ['gzip', 'deflate, gzip', 'GZIP;q=0.5']) {
      const r = await simRequest(c, kubelet, '/metrics/resource', { as: 'metrics-server', headers: { 'accept-encoding': ae } });
      t.equal(r.headers['content-encoding'], 'gzip', ae);
      // A few pods compress below 2 KB: Go then sends a Content-Length.
      t.equal(r.headers['content-length'], String(r.bytes.length), `${ae}: framed as Go frames it`);
      const text = gunzipSync(r.bytes).toString('utf8');
      t.same(
        parsePrometheus(text).map((f) => f.name),
        parsePrometheus(plain.body).map((f) => f.name),
        `${ae}: the same families inflated`,
      );
    }
    for (const ae of ['gzip;q=0', 'deflate', 'br, identity']) {
      const r = await simRequest(c, kubelet, '/metrics/resource', { as: 'metrics-server', headers: { 'accept-encoding': ae } });
      t.equal(r.headers['content-encoding'], undefined, `${ae}: not compressed`);
    }
    const summary = await simRequest(c, kubelet, '/stats/summary', { as: 'metrics-server', headers: { 'accept-encoding': 'gzip' } });
    t.equal(summary.headers['content-encoding'], undefined, '/stats/summary is not compressed');
    t.ok(JSON.parse(summary.body), 'and is JSON');
  });

  t.test('requests are counted per node', async (t) => {
    t.ok((c.kubelets.requests.get(node.name) ?? 0) > 5);
  });
});
