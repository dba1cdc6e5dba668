// The HorizontalPodAutoscaler's request through the aggregator: protobuf Accept,
// namespace and label selector, no gzip. The body is decoded with protobufjs from
// the upstream message definitions (k8s.io/metrics generated.proto field numbers),
// not with this project's encoder. The aggregator reaches the server over HTTP/2,
// or over HTTP/1.1 when the server runs with --disable-http2-serving.
import t from 'tap';
import https from 'node:https';
import protobuf from 'protobufjs';
import { e2eSkipReason, near, quantity, startE2E } from '../helpers/sim-e2e.js';

const SCHEMA = `
syntax = "proto2";
package upstream;
message TypeMeta { optional string apiVersion = 1; optional string kind = 2; }
message Unknown { optional TypeMeta typeMeta = 1; optional bytes raw = 2; optional string contentEncoding = 3; optional string contentType = 4; }
message Time { optional int64 seconds = 1; optional int32 nanos = 2; }
message Duration { optional int64 duration = 1; }
message ObjectMeta { optional string name = 1; optional string namespace = 3; optional Time creationTimestamp = 8; map<string, string> labels = 11; }
message ListMeta { optional string resourceVersion = 2; }
message Quantity { optional string string = 1; }
message ContainerMetrics { optional string name = 1; map<string, Quantity> usage = 2; }
message PodMetrics { optional ObjectMeta metadata = 1; optional Time timestamp = 2; optional Duration window = 3; repeated ContainerMetrics containers = 4; }
message PodMetricsList { optional ListMeta metadata = 1; repeated PodMetrics items = 2; }
`;

interface DecodedPod {
  metadata: { name: string; namespace: string; labels: Record<string, string> };
  timestamp: { seconds: number };
  window: { duration: number };
  containers: { name: string; usage: Record<string, { string: string }> }[];
}

const skip = await e2eSkipReason();

for (const [protocol, extraArgs] of [['h2', []], ['http/1.1', ['--disable-http2-serving']]] as const) t.test(`HPA-style protobuf request decoded from the upstream schema, aggregator to server over ${protocol}`, { skip }, async (t) => {
  if (skip) return;
  const e = await startE2E({ kubeletSource: 'resource', cluster: { nodes: 2, podsPerNode: 5 }, extraArgs: [...extraArgs] });
  t.teardown(() => e.stop());
  const c = e.cluster;
  const root = protobuf.parse(SCHEMA, { keepCase: true }).root;
  const Unknown = root.lookupType('upstream.Unknown');
  const PodMetricsList = root.lookupType('upstream.PodMetricsList');

  const ns = 'default';
  const body = await new Promise<{ status: number; type: string | undefined; body: Buffer }>((resolve, reject) => {
    https
      .get(
        {
          host: '127.0.0.1',
          port: new URL(c.url).port,
          path: `/apis/metrics.k8s.io/v1beta1/namespaces/${ns}/pods?labelSelector=app%3Dweb`,
          ca: c.pki.clusterCa.cert,
          cert: c.pki.adminClient.cert,
          key: c.pki.adminClient.key,
          headers: { accept: 'application/vnd.kubernetes.protobuf, */*', 'user-agent': 'kube-controller-manager/v1.32.4 (linux/amd64) kubernetes/sim/system:serviceaccount:kube-system:horizontal-pod-autoscaler' },
          agent: false,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (d: Buffer) => chunks.push(d));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, type: res.headers['content-type'], body: Buffer.concat(chunks) }));
        },
      )
      .on('error', reject);
  });
  t.equal(body.status, 200);
  t.equal(body.type, 'application/vnd.kubernetes.protobuf');
  t.same([...body.body.subarray(0, 4)], [0x6b, 0x38, 0x73, 0x00], 'k8s\\0 magic');
  const envelope = Unknown.toObject(Unknown.decode(body.body.subarray(4))) as { typeMeta: { apiVersion: string; kind: string }; raw: Uint8Array };
  t.same(envelope.typeMeta, { apiVersion: 'metrics.k8s.io/v1beta1', kind: 'PodMetricsList' });
  const list = PodMetricsList.toObject(PodMetricsList.decode(envelope.raw), { longs: Number }) as { items: DecodedPod[] };
  const want = [...c.model.allPods()].filter((p) => p.namespace === ns && p.labels.app === 'web');
  t.ok(want.length > 0, 'the model has web pods in default');
  t.same(list.items.map((p) => p.metadata.name).sort(), want.map((p) => p.name).sort());
  for (const p of list.items) {
    t.equal(p.metadata.namespace, ns);
    t.equal(p.metadata.labels.app, 'web');
    t.ok(p.window.duration > 0);
    t.ok(Math.abs(p.timestamp.seconds * 1000 - Date.now()) < 60_000, 'timestamp is recent');
    // The HPA sums MilliValue() per container.
    for (const ctr of p.containers) {
      const exp = c.expectedContainer(ns, p.metadata.name, ctr.name);
      t.ok(near(quantity(ctr.usage.cpu!.string) * 1e9, exp.cpuNanocores), `${p.metadata.name}/${ctr.name} cpu ${ctr.usage.cpu!.string}`);
      t.equal(quantity(ctr.usage.memory!.string), exp.memoryBytes);
    }
  }
  t.equal(c.aggregator.sent[protocol], c.aggregator.sent.h2 + c.aggregator.sent['http/1.1'], `every proxied request went over ${protocol}`);
  t.ok(c.aggregator.sent[protocol] > 0);
});
