// A real kubectl against a minimal stand-in server (127.0.0.1, plain HTTP) that
// serves discovery, aggregated discovery, OpenAPI v3 and metrics objects through
// this package: proves kubectl explain and kubectl get (server-side Table) work.

import t from 'tap';
import Koa from 'koa';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { respond } from '../../../src/api/codec/index.js';
import { notFound } from '../../../src/api/status.js';
import { aggregatedDiscoveryMiddleware } from '../../../src/api/discovery-aggregated.js';
import { openapiMiddleware } from '../../../src/api/openapi.js';
import { findKubectl } from '../../../src/sim/kubectl.js';
import * as samples from './samples.js';
import { serve } from './serve.js';

const run = promisify(execFile);

// The core objects kubectl top reads next to the metrics (allocatable for percentages).
const node = (name: string, cpu: string, memory: string) => ({ metadata: { name }, status: { allocatable: { cpu, memory }, capacity: { cpu, memory } } });
const nodeList = { kind: 'NodeList', apiVersion: 'v1', metadata: {}, items: [node('node-1', '4', '16Gi'), node('node-2', '8', '32Gi')] };
const seen: string[] = [];

const found = await findKubectl();
const missing = 'missing' in found ? `kubectl not available: ${found.missing}` : undefined;

t.test('kubectl explain and kubectl get through our documents', { skip: missing ?? false }, async (t) => {
  const kubectl = (found as { path: string }).path;
  const app = new Koa();
  app.use(aggregatedDiscoveryMiddleware());
  app.use(openapiMiddleware());
  app.use((ctx) => {
    const discovery = { discovery: true };
    if (ctx.path === '/api') respond(ctx, { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: '127.0.0.1' }] }, discovery);
    else if (ctx.path === '/api/v1') respond(ctx, { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: 'v1', resources: [] }, discovery);
    else if (ctx.path === '/apis') respond(ctx, samples.apiGroupList, discovery);
    else if (ctx.path === '/apis/metrics.k8s.io/v1beta1') respond(ctx, samples.apiResourceList, discovery);
    else if (ctx.path === '/apis/metrics.k8s.io/v1beta1/nodes') respond(ctx, samples.nodeMetricsList);
    else if (ctx.path === '/apis/metrics.k8s.io/v1beta1/pods') respond(ctx, samples.podMetricsList);
    else if (ctx.path === '/api/v1/nodes') respond(ctx, nodeList);
    else if (ctx.path === '/apis/metrics.k8s.io/v1beta1/nodes/node-9') respond(ctx, notFound('nodemetrics', 'node-9', 'metrics.k8s.io').status);
    seen.push(`${ctx.path} ${ctx.get('accept')} -> ${ctx.response.get('content-type')}`);
  });
  const srv = await serve(app);
  const dir = mkdtempSync(join(tmpdir(), 'kubectl-client-'));
  t.teardown(async () => {
    await srv.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const k = async (...args: string[]) =>
    (
      await run(kubectl, ['--server', srv.url, '--cache-dir', join(dir, 'cache'), ...args], {
        env: { ...process.env, KUBECONFIG: join(dir, 'none'), HOME: dir },
        timeout: 15_000,
      })
    ).stdout;

  const explain = await k('explain', 'podmetrics');
  t.match(explain, /GROUP:\s+metrics\.k8s\.io/);
  t.match(explain, /KIND:\s+PodMetrics/);
  t.match(explain, /VERSION:\s+v1beta1/);
  t.match(explain, /containers\s+<\[\]ContainerMetrics> -required-/);
  t.match(explain, /timestamp\s+<string> -required-/);

  const usage = await k('explain', 'podmetrics.containers.usage');
  t.match(usage, /FIELD: usage <map\[string\]Quantity>/);
  t.match(usage, /The memory usage is the memory working set\./);

  const nodes = await k('get', 'nodemetrics');
  t.same(
    nodes.trim().split('\n').map((l) => l.trim().split(/\s+/)),
    [
      ['NAME', 'CPU', 'MEMORY', 'WINDOW'],
      ['node-1', '123456789n', '11944Ki', '15.002s'],
      ['node-2', '2', '1000000', '1m0.5s'],
    ],
  );

  const pods = await k('get', 'podmetrics', '-A');
  t.same(
    pods.trim().split('\n').map((l) => l.trim().split(/\s+/)),
    [
      ['NAMESPACE', 'NAME', 'CPU', 'MEMORY', 'WINDOW'],
      ['kube-system', 'coredns-558bd4d5db-4dpjz', '2147218n', '12240Ki', '15.011s'],
      ['default', 'web-7d4b9c6f8-abcde', '54735432n', '24576334', '14.987s'],
    ],
  );

  // kubectl top asks for protobuf and decodes it with the Go metrics clientset.
  const top = await k('top', 'node');
  t.same(
    top.trim().split('\n').map((l) => l.trim().split(/\s+/)),
    [
      ['NAME', 'CPU(cores)', 'CPU(%)', 'MEMORY(bytes)', 'MEMORY(%)'],
      ['node-1', '124m', '3%', '11Mi', '0%'],
      ['node-2', '2000m', '25%', '0Mi', '0%'],
    ],
  );
  t.ok(
    seen.includes('/apis/metrics.k8s.io/v1beta1/nodes application/vnd.kubernetes.protobuf, */* -> application/vnd.kubernetes.protobuf'),
    'kubectl top was answered in protobuf',
  );
  const topPods = await k('top', 'pod', '-A');
  t.same(
    topPods.trim().split('\n').map((l) => l.trim().split(/\s+/)),
    [
      ['NAMESPACE', 'NAME', 'CPU(cores)', 'MEMORY(bytes)'],
      ['default', 'web-7d4b9c6f8-abcde', '55m', '23Mi'],
      ['kube-system', 'coredns-558bd4d5db-4dpjz', '3m', '11Mi'],
    ],
  );

  // A protobuf Status error, decoded and printed by kubectl.
  const err = await k('top', 'node', 'node-9').then(
    () => undefined,
    (e: { stderr?: string }) => e.stderr ?? '',
  );
  t.match(err, 'Error from server (NotFound): nodemetrics.metrics.k8s.io "node-9" not found');
  t.ok(seen.includes('/apis/metrics.k8s.io/v1beta1/nodes/node-9 application/vnd.kubernetes.protobuf, */* -> application/vnd.kubernetes.protobuf'));

  const raw = await k('get', '--raw', '/apis/metrics.k8s.io/v1beta1/nodes');
  t.same(JSON.parse(raw), samples.nodeMetricsList, 'get --raw returns the JSON object');
});
