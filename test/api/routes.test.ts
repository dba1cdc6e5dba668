// Every endpoint of the metrics API over HTTP, with in-memory sources and a fixed
// clock; bodies are compared as full response text (JSON as Go writes it).
import t from 'tap';
import { parseLabelSelector } from '../../src/api/selectors/index.js';
import type { NodeUsage, PodUsage } from '../../src/api/sources.js';
import { FakeMetrics, FakeNodes, FakePods, startApi, type Harness } from './fakes.js';

const NOW = Date.parse('2024-05-01T10:00:05.678Z');
const CREATED = '2024-05-01T10:00:05Z';

function nodeUsage(ts: string, windowNs: number, cpu: number, mem: number): NodeUsage {
  return { timestampMs: Date.parse(ts), windowNs, usage: { cpuNanocores: cpu, memoryBytes: mem } };
}

function podUsage(ts: string, windowNs: number, containers: [string, number, number][]): PodUsage {
  return {
    timestampMs: Date.parse(ts),
    windowNs,
    containers: containers.map(([name, cpu, mem]) => ({ name, usage: { cpuNanocores: cpu, memoryBytes: mem } })),
  };
}

function fixtures() {
  const nodes = new FakeNodes([
    { name: 'node-2', labels: { zone: 'b', cores: '8', 'kubernetes.io/hostname': 'node-2' } },
    { name: 'node-1', labels: { 'kubernetes.io/os': 'linux', zone: 'a', 'kubernetes.io/arch': 'amd64', cores: '4' } },
    { name: 'node-3', labels: { zone: 'c' } },
    { name: 'node-4', labels: {} },
  ]);
  const pods = new FakePods([
    { namespace: 'default', name: 'web-1', labels: { 'pod-template-hash': 'abc', app: 'web' } },
    { namespace: 'kube-system', name: 'coredns-1', labels: { 'k8s-app': 'kube-dns' } },
    { namespace: 'default', name: 'api-0', labels: { app: 'api' } },
    { namespace: 'other', name: 'web-1', labels: { app: 'web' } },
    { namespace: 'default', name: 'batch-1', labels: {} },
  ]);
  const metrics = new FakeMetrics(
    new Map([
      ['node-1', nodeUsage('2024-05-01T09:59:58.500Z', 14_987_000_000, 50_000_000, 1000)],
      ['node-2', nodeUsage('2024-05-01T10:00:00.999Z', 15_002_000_000, 123_456_789, 12_230_656)],
      ['node-4', nodeUsage('2024-05-01T10:00:01Z', 60_000_000_000, 1_000_000_000, 1_073_741_824)],
    ]),
    new Map([
      ['default/web-1', podUsage('2024-05-01T09:59:58Z', 14_987_000_000, [['app', 4_735_432, 12_345_678], ['sidecar', 50_000_000, 12_230_656]])],
      ['kube-system/coredns-1', podUsage('2024-05-01T10:00:00Z', 15_011_000_000, [['coredns', 2_147_218, 12_533_760]])],
      ['other/web-1', podUsage('2024-05-01T10:00:03.250Z', 500_000_000, [['app', 0, 0]])],
      ['default/batch-1', podUsage('2024-05-01T10:00:02Z', 15_000_000_000, [['main', 1_000, 1_024]])],
    ]),
  );
  return { nodes, pods, metrics };
}

const NODE_1 = {
  metadata: { name: 'node-1', creationTimestamp: CREATED, labels: { cores: '4', 'kubernetes.io/arch': 'amd64', 'kubernetes.io/os': 'linux', zone: 'a' } },
  timestamp: '2024-05-01T09:59:58Z',
  window: '14.987s',
  usage: { cpu: '50m', memory: '1k' },
};
const NODE_2 = {
  metadata: { name: 'node-2', creationTimestamp: CREATED, labels: { cores: '8', 'kubernetes.io/hostname': 'node-2', zone: 'b' } },
  timestamp: '2024-05-01T10:00:00Z',
  window: '15.002s',
  usage: { cpu: '123456789n', memory: '11944Ki' },
};
const NODE_4 = {
  metadata: { name: 'node-4', creationTimestamp: CREATED },
  timestamp: '2024-05-01T10:00:01Z',
  window: '1m0s',
  usage: { cpu: '1', memory: '1Gi' },
};
const POD_DEFAULT_BATCH = {
  metadata: { name: 'batch-1', namespace: 'default', creationTimestamp: CREATED },
  timestamp: '2024-05-01T10:00:02Z',
  window: '15s',
  containers: [{ name: 'main', usage: { cpu: '1u', memory: '1Ki' } }],
};
const POD_DEFAULT_WEB = {
  metadata: { name: 'web-1', namespace: 'default', creationTimestamp: CREATED, labels: { app: 'web', 'pod-template-hash': 'abc' } },
  timestamp: '2024-05-01T09:59:58Z',
  window: '14.987s',
  containers: [
    { name: 'app', usage: { cpu: '4735432n', memory: '12345678' } },
    { name: 'sidecar', usage: { cpu: '50m', memory: '11944Ki' } },
  ],
};
const POD_COREDNS = {
  metadata: { name: 'coredns-1', namespace: 'kube-system', creationTimestamp: CREATED, labels: { 'k8s-app': 'kube-dns' } },
  timestamp: '2024-05-01T10:00:00Z',
  window: '15.011s',
  containers: [{ name: 'coredns', usage: { cpu: '2147218n', memory: '12240Ki' } }],
};
const POD_OTHER_WEB = {
  metadata: { name: 'web-1', namespace: 'other', creationTimestamp: CREATED, labels: { app: 'web' } },
  timestamp: '2024-05-01T10:00:03Z',
  window: '500ms',
  containers: [{ name: 'app', usage: { cpu: '0', memory: '0' } }],
};

const nodeList = (...items: object[]) => ({ kind: 'NodeMetricsList', apiVersion: 'metrics.k8s.io/v1beta1', metadata: {}, items });
const podList = (...items: object[]) => ({ kind: 'PodMetricsList', apiVersion: 'metrics.k8s.io/v1beta1', metadata: {}, items });
const status = (code: number, reason: string | undefined, message: string, details?: object) => ({
  kind: 'Status',
  apiVersion: 'v1',
  metadata: {},
  status: 'Failure',
  message,
  ...(reason ? { reason } : {}),
  ...(details ? { details } : {}),
  code,
});
/** Go's encoding/json text of an object: compact with one trailing newline. */
const wire = (o: object) => JSON.stringify(o) + '\n';

const V = '/apis/metrics.k8s.io/v1beta1';

async function get(h: Harness, path: string, init?: RequestInit): Promise<{ status: number; text: string; headers: Headers }> {
  const res = await fetch(h.url + path, init);
  return { status: res.status, text: await res.text(), headers: res.headers };
}

t.test('metrics API', async (t) => {
  const f = fixtures();
  const freshness: number[] = [];
  const h = await startApi({
    ...f,
    securePort: 10250,
    now: () => NOW,
    observer: { freshness: (s) => freshness.push(s) },
  });
  t.teardown(() => h.close());

  const expect = async (path: string, code: number, body: object, init?: RequestInit) => {
    const r = await get(h, path, init);
    t.equal(r.status, code, `${init?.method ?? 'GET'} ${path} status`);
    t.equal(r.text, wire(body), `${init?.method ?? 'GET'} ${path} body`);
    return r;
  };

  t.test('discovery documents', async () => {
    await expect('/apis', 200, {
      kind: 'APIGroupList',
      apiVersion: 'v1',
      groups: [
        {
          name: 'metrics.k8s.io',
          versions: [{ groupVersion: 'metrics.k8s.io/v1beta1', version: 'v1beta1' }],
          preferredVersion: { groupVersion: 'metrics.k8s.io/v1beta1', version: 'v1beta1' },
          serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: ':10250' }],
        },
      ],
    });
    const group = {
      kind: 'APIGroup',
      apiVersion: 'v1',
      name: 'metrics.k8s.io',
      versions: [{ groupVersion: 'metrics.k8s.io/v1beta1', version: 'v1beta1' }],
      preferredVersion: { groupVersion: 'metrics.k8s.io/v1beta1', version: 'v1beta1' },
    };
    await expect('/apis/metrics.k8s.io', 200, group);
    await expect('/apis/metrics.k8s.io/', 200, group);
    await expect(V, 200, {
      kind: 'APIResourceList',
      apiVersion: 'v1',
      groupVersion: 'metrics.k8s.io/v1beta1',
      resources: [
        { name: 'nodes', singularName: '', namespaced: false, kind: 'NodeMetrics', verbs: ['get', 'list'] },
        { name: 'pods', singularName: '', namespaced: true, kind: 'PodMetrics', verbs: ['get', 'list'] },
      ],
    });
  });

  t.test('node list: sorted by name, nodes without metrics omitted', async () => {
    freshness.length = 0;
    await expect(`${V}/nodes`, 200, nodeList(NODE_1, NODE_2, NODE_4));
    t.same(freshness.sort(), [4.678, 7.178, 4.679].sort(), 'freshness observed per served node, in seconds');
  });

  t.test('node get and its two NotFound forms', async () => {
    await expect(`${V}/nodes/node-2`, 200, { kind: 'NodeMetrics', apiVersion: 'metrics.k8s.io/v1beta1', ...NODE_2 });
    await expect(`${V}/nodes/node-9`, 404, status(404, 'NotFound', 'node "node-9" not found', { name: 'node-9', kind: 'node' }));
    await expect(
      `${V}/nodes/node-3`,
      404,
      status(404, 'NotFound', 'nodemetrics.metrics.k8s.io "node-3" not found', { name: 'node-3', group: 'metrics.k8s.io', kind: 'nodemetrics' }),
    );
  });

  t.test('label selector operators on nodes', async () => {
    const cases: [string, object[]][] = [
      ['zone=a', [NODE_1]],
      ['zone==b', [NODE_2]],
      ['zone!=a', [NODE_2, NODE_4]],
      ['zone in (a,b)', [NODE_1, NODE_2]],
      ['zone notin (a)', [NODE_2, NODE_4]],
      ['kubernetes.io/hostname', [NODE_2]],
      ['!zone', [NODE_4]],
      ['cores>4', [NODE_2]],
      ['cores<8', [NODE_1]],
      ['zone,cores>1', [NODE_1, NODE_2]],
      ['zone=z', []],
    ];
    for (const [sel, items] of cases) await expect(`${V}/nodes?labelSelector=${encodeURIComponent(sel)}`, 200, nodeList(...items));
  });

  t.test('field selector on nodes: metadata.name only', async () => {
    await expect(`${V}/nodes?fieldSelector=metadata.name%3Dnode-2`, 200, nodeList(NODE_2));
    await expect(`${V}/nodes?fieldSelector=metadata.name!%3Dnode-2`, 200, nodeList(NODE_1, NODE_4));
    await expect(`${V}/nodes?fieldSelector=metadata.namespace%3Dx`, 200, nodeList());
    await expect(`${V}/nodes?fieldSelector=metadata.namespace%3D`, 200, nodeList(NODE_1, NODE_2, NODE_4));
    await expect(
      `${V}/nodes?fieldSelector=spec.unschedulable%3Dfalse`,
      400,
      status(400, 'BadRequest', '"spec.unschedulable" is not a known field selector: only "metadata.name", "metadata.namespace"'),
    );
    await expect(`${V}/nodes?fieldSelector=x`, 400, status(400, 'BadRequest', "invalid selector: 'x'; can't understand 'x'"));
  });

  t.test('bad label selectors are 400 with the parser text', async () => {
    await expect(
      `${V}/nodes?labelSelector=a%20b`,
      400,
      status(400, 'BadRequest', "unable to parse requirement: found 'b', expected: in, notin, =, ==, !=, gt, lt"),
    );
    await expect(`${V}/pods?labelSelector=(`, 400, status(400, 'BadRequest', "found '(', expected: !, identifier, or 'end of string'"));
  });

  t.test('watch is 405 with details; watch=false/0 lists', async () => {
    await expect(
      `${V}/nodes?watch=true`,
      405,
      status(405, 'MethodNotAllowed', 'watch is not supported on resources of kind "nodes.metrics.k8s.io"', { group: 'metrics.k8s.io', kind: 'nodes' }),
    );
    await expect(
      `${V}/namespaces/default/pods?watch=1`,
      405,
      status(405, 'MethodNotAllowed', 'watch is not supported on resources of kind "pods.metrics.k8s.io"', { group: 'metrics.k8s.io', kind: 'pods' }),
    );
    await expect(`${V}/nodes?watch`, 405, status(405, 'MethodNotAllowed', 'watch is not supported on resources of kind "nodes.metrics.k8s.io"', { group: 'metrics.k8s.io', kind: 'nodes' }));
    await expect(`${V}/nodes?watch=false`, 200, nodeList(NODE_1, NODE_2, NODE_4));
    await expect(`${V}/nodes?watch=0`, 200, nodeList(NODE_1, NODE_2, NODE_4));
  });

  t.test('ListOptions validation is 422 Invalid', async () => {
    await expect(
      `${V}/nodes?resourceVersionMatch=NotOlderThan`,
      422,
      status(422, 'Invalid', 'ListOptions.meta.k8s.io "" is invalid: resourceVersionMatch: Forbidden: resourceVersionMatch is forbidden unless resourceVersion is provided', {
        group: 'meta.k8s.io',
        kind: 'ListOptions',
        causes: [{ reason: 'FieldValueForbidden', message: 'Forbidden: resourceVersionMatch is forbidden unless resourceVersion is provided', field: 'resourceVersionMatch' }],
      }),
    );
    await expect(
      `${V}/pods?resourceVersion=5&resourceVersionMatch=Newest`,
      422,
      status(422, 'Invalid', 'ListOptions.meta.k8s.io "" is invalid: resourceVersionMatch: Unsupported value: "Newest": supported values: "Exact", "NotOlderThan", ""', {
        group: 'meta.k8s.io',
        kind: 'ListOptions',
        causes: [{ reason: 'FieldValueNotSupported', message: 'Unsupported value: "Newest": supported values: "Exact", "NotOlderThan", ""', field: 'resourceVersionMatch' }],
      }),
    );
    await expect(
      `${V}/nodes?resourceVersionMatch=Exact&continue=abc&sendInitialEvents=true`,
      422,
      status(
        422,
        'Invalid',
        'ListOptions.meta.k8s.io "" is invalid: [resourceVersionMatch: Forbidden: resourceVersionMatch is forbidden unless resourceVersion is provided, resourceVersionMatch: Forbidden: resourceVersionMatch is forbidden when continue is provided, sendInitialEvents: Forbidden: sendInitialEvents is forbidden for list]',
        {
          group: 'meta.k8s.io',
          kind: 'ListOptions',
          causes: [
            { reason: 'FieldValueForbidden', message: 'Forbidden: resourceVersionMatch is forbidden unless resourceVersion is provided', field: 'resourceVersionMatch' },
            { reason: 'FieldValueForbidden', message: 'Forbidden: resourceVersionMatch is forbidden when continue is provided', field: 'resourceVersionMatch' },
            { reason: 'FieldValueForbidden', message: 'Forbidden: sendInitialEvents is forbidden for list', field: 'sendInitialEvents' },
          ],
        },
      ),
    );
    await expect(`${V}/nodes?resourceVersion=0&resourceVersionMatch=NotOlderThan`, 200, nodeList(NODE_1, NODE_2, NODE_4));
    await expect(
      `${V}/pods?watch=1&resourceVersionMatch=Exact`,
      422,
      status(
        422,
        'Invalid',
        'ListOptions.meta.k8s.io "" is invalid: [resourceVersionMatch: Forbidden: resourceVersionMatch is forbidden for watch unless sendInitialEvents is provided, resourceVersionMatch: Unsupported value: "Exact": supported values: "NotOlderThan"]',
        {
          group: 'meta.k8s.io',
          kind: 'ListOptions',
          causes: [
            { reason: 'FieldValueForbidden', message: 'Forbidden: resourceVersionMatch is forbidden for watch unless sendInitialEvents is provided', field: 'resourceVersionMatch' },
            { reason: 'FieldValueNotSupported', message: 'Unsupported value: "Exact": supported values: "NotOlderThan"', field: 'resourceVersionMatch' },
          ],
        },
      ),
    );
    // A valid watch-list request still finds no watcher.
    await expect(
      `${V}/pods?watch=1&sendInitialEvents=true&resourceVersionMatch=NotOlderThan`,
      405,
      status(405, 'MethodNotAllowed', 'watch is not supported on resources of kind "pods.metrics.k8s.io"', { group: 'metrics.k8s.io', kind: 'pods' }),
    );
  });

  t.test('limit/continue/resourceVersion are ignored; bad integers are 400', async () => {
    await expect(`${V}/nodes?limit=1&continue=xyz&resourceVersion=42&timeoutSeconds=5`, 200, nodeList(NODE_1, NODE_2, NODE_4));
    await expect(`${V}/nodes?limit=abc`, 400, status(400, 'BadRequest', 'strconv.ParseInt: parsing "abc": invalid syntax'));
    await expect(`${V}/pods?timeoutSeconds=99999999999999999999`, 400, status(400, 'BadRequest', 'strconv.ParseInt: parsing "99999999999999999999": value out of range'));
  });

  t.test('pod lists: all namespaces sorted by namespace then name; one namespace', async () => {
    await expect(`${V}/pods`, 200, podList(POD_DEFAULT_BATCH, POD_DEFAULT_WEB, POD_COREDNS, POD_OTHER_WEB));
    await expect(`${V}/namespaces/default/pods`, 200, podList(POD_DEFAULT_BATCH, POD_DEFAULT_WEB));
    await expect(`${V}/namespaces/empty/pods`, 200, podList());
    await expect(`${V}/pods?labelSelector=app%3Dweb`, 200, podList(POD_DEFAULT_WEB, POD_OTHER_WEB));
    await expect(`${V}/pods?labelSelector=app%20notin%20(web)`, 200, podList(POD_DEFAULT_BATCH, POD_COREDNS));
    await expect(`${V}/pods?fieldSelector=metadata.namespace%3Dother`, 200, podList(POD_OTHER_WEB));
    await expect(`${V}/pods?fieldSelector=metadata.name%3Dweb-1,metadata.namespace!%3Ddefault`, 200, podList(POD_OTHER_WEB));
    await expect(`${V}/namespaces/default/pods?fieldSelector=metadata.name%3D%3Dweb-1`, 200, podList(POD_DEFAULT_WEB));
  });

  t.test('pod get and its two NotFound forms', async () => {
    await expect(`${V}/namespaces/default/pods/web-1`, 200, { kind: 'PodMetrics', apiVersion: 'metrics.k8s.io/v1beta1', ...POD_DEFAULT_WEB });
    await expect(`${V}/namespaces/default/pods/gone`, 404, status(404, 'NotFound', 'pods "gone" not found', { name: 'gone', kind: 'pods' }));
    await expect(`${V}/namespaces/kube-system/pods/web-1`, 404, status(404, 'NotFound', 'pods "web-1" not found', { name: 'web-1', kind: 'pods' }));
    await expect(
      `${V}/namespaces/default/pods/api-0`,
      404,
      status(404, 'NotFound', 'podmetrics.metrics.k8s.io "default/api-0" not found', { name: 'default/api-0', group: 'metrics.k8s.io', kind: 'podmetrics' }),
    );
  });

  t.test('a trailing slash names the same list or object (go-restful trims it)', async () => {
    for (const p of [`${V}/nodes`, `${V}/nodes/node-1`, `${V}/pods`, `${V}/namespaces/default/pods`, `${V}/namespaces/default/pods/web-1`]) {
      const plain = await get(h, p);
      const slashed = await get(h, `${p}/`);
      t.equal(plain.status, 200, p);
      t.equal(slashed.status, 200, `${p}/`);
      t.equal(slashed.text, plain.text, `${p}/: same body`);
    }
    await expect(`${V}/nodes/node-9/`, 404, status(404, 'NotFound', 'node "node-9" not found', { name: 'node-9', kind: 'node' }));
  });

  t.test('?export on a single object is refused as GetResource does; export=false and export=0 are not', async () => {
    const refused = status(400, 'BadRequest', 'the export parameter, deprecated since v1.14, is no longer supported');
    for (const q of ['export=true', 'export=1', 'export=', 'export', 'export=yes&export=false']) {
      await expect(`${V}/nodes/node-1?${q}`, 400, refused);
      await expect(`${V}/namespaces/default/pods/web-1?${q}`, 400, refused);
    }
    for (const q of ['export=false', 'export=FALSE', 'export=0']) {
      t.equal((await get(h, `${V}/nodes/node-1?${q}`)).status, 200, q);
    }
    t.equal((await get(h, `${V}/nodes?export=true`)).status, 200, 'lists do not look at it');
  });

  t.test('unknown paths under /apis are 404 Status; other paths pass through', async () => {
    const notFound = status(404, 'NotFound', 'the server could not find the requested resource', {});
    for (const p of ['/apis/foo', `${V}/services`, `${V}/nodes/a/b`, `${V}/namespaces/default`, `${V}/namespaces/default/pods/a/b`, `${V}/nodes/a%2Fb`, '/apis/METRICS.k8s.io']) {
      await expect(p, 404, notFound);
    }
    const r = await get(h, '/healthz');
    t.equal(r.status, 418, 'non-API path reaches the next middleware');
  });

  t.test('methods: only GET (and HEAD on /apis); others 405', async () => {
    const notAllowed = status(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource', {});
    await expect(`${V}/nodes`, 405, notAllowed, { method: 'POST', body: '{}' });
    await expect(`${V}/nodes/node-1`, 405, notAllowed, { method: 'DELETE' });
    await expect(`${V}/namespaces/default/pods/web-1`, 405, notAllowed, { method: 'PUT', body: '{}' });
    await expect(V, 405, notAllowed, { method: 'POST' });
    await expect('/apis', 405, notAllowed, { method: 'PATCH' });
    const head = await get(h, '/apis', { method: 'HEAD' });
    t.equal(head.status, 200);
    t.equal(head.text, '');
    const headNodes = await get(h, `${V}/nodes`, { method: 'HEAD' });
    t.equal(headNodes.status, 405);
  });

  t.test('content negotiation comes first and is the codec\'s', async () => {
    const bad = await get(h, `${V}/nodes?labelSelector=(`, { headers: { Accept: 'application/xml' } });
    t.equal(bad.status, 406, 'an unacceptable Accept wins over a bad selector, as in GAS');
    t.match(JSON.parse(bad.text), { kind: 'Status', reason: 'NotAcceptable', code: 406 });
    const pb = await get(h, `${V}/nodes/node-1`, { headers: { Accept: 'application/vnd.kubernetes.protobuf' } });
    t.equal(pb.status, 200);
    t.equal(pb.headers.get('content-type'), 'application/vnd.kubernetes.protobuf');
    const table = await get(h, `${V}/nodes`, { headers: { Accept: 'application/json;as=Table;v=v1;g=meta.k8s.io' } });
    t.match(JSON.parse(table.text), { kind: 'Table', rows: [{}, {}, {}] });
    const pretty = await get(h, `${V}/nodes/node-4?pretty=true`);
    t.equal(pretty.text, JSON.stringify({ kind: 'NodeMetrics', apiVersion: 'metrics.k8s.io/v1beta1', ...NODE_4 }, null, 2));
  });

  t.test('GAS headers on API responses', async () => {
    const r = await get(h, `${V}/nodes`);
    t.equal(r.headers.get('cache-control'), 'no-cache, private');
    t.match(r.headers.get('audit-id') ?? '', /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    const echoed = await get(h, `${V}/nodes/node-9`, { headers: { 'Audit-ID': 'b9a3c4d2-aggregator' } });
    t.equal(echoed.headers.get('audit-id'), 'b9a3c4d2-aggregator');
    t.equal(echoed.headers.get('cache-control'), 'no-cache, private');
    t.match(r.headers.get('content-type') ?? '', /^application\/json/);
  });
});

t.test('--node-selector is ANDed on node lists and gets', async (t) => {
  const f = fixtures();
  const h = await startApi({ ...f, nodeSelector: parseLabelSelector('zone in (a,c)'), securePort: 4443, now: () => NOW });
  t.teardown(() => h.close());
  let r = await get(h, `${V}/nodes`);
  t.equal(r.text, wire(nodeList(NODE_1)));
  r = await get(h, `${V}/nodes?labelSelector=zone%3Db`);
  t.equal(r.text, wire(nodeList()), 'user selector cannot widen the node selector');
  r = await get(h, `${V}/nodes/node-2`);
  t.equal(r.status, 404);
  t.equal(
    r.text,
    wire(status(404, 'NotFound', 'nodemetrics.metrics.k8s.io "node-2" not found', { name: 'node-2', group: 'metrics.k8s.io', kind: 'nodemetrics' })),
  );
  r = await get(h, `${V}/nodes/node-1`);
  t.equal(r.status, 200);
  r = await get(h, '/apis');
  t.match(r.text, '"serverAddress":":4443"');
});

t.test('internal errors are a generic 500 that leaks nothing', async (t) => {
  const f = fixtures();
  const logged: unknown[] = [];
  f.metrics.getNodeUsage = () => {
    throw new Error('store exploded at /secret/path');
  };
  const { pino } = await import('pino');
  const log = pino({ level: 'error' }, { write: (s: string) => void logged.push(JSON.parse(s)) });
  const h = await startApi({ ...f, securePort: 10250, now: () => NOW }, log);
  t.teardown(() => h.close());
  const r = await get(h, `${V}/nodes`, { headers: { 'Audit-ID': 'audit-123' } });
  t.equal(r.status, 500);
  t.equal(
    r.text,
    wire(status(500, undefined, 'an internal error occurred while serving the request (audit ID audit-123); see the server log')),
  );
  t.notMatch(r.text, 'secret');
  t.equal(logged.length, 1, 'the real error is logged');
  t.match(JSON.stringify(logged[0]), 'store exploded');
  // Pods still work: one failure does not poison the server.
  const ok = await get(h, `${V}/namespaces/default/pods/web-1`);
  t.equal(ok.status, 200);
});

t.test('an empty cluster lists items: []', async (t) => {
  const h = await startApi({
    metrics: new FakeMetrics(new Map(), new Map()),
    nodes: new FakeNodes([]),
    pods: new FakePods([]),
    securePort: 10250,
    now: () => NOW,
  });
  t.teardown(() => h.close());
  t.equal((await get(h, `${V}/nodes`)).text, '{"kind":"NodeMetricsList","apiVersion":"metrics.k8s.io/v1beta1","metadata":{},"items":[]}\n');
  t.equal((await get(h, `${V}/pods`)).text, '{"kind":"PodMetricsList","apiVersion":"metrics.k8s.io/v1beta1","metadata":{},"items":[]}\n');
});

t.test('label keys in Go\'s order, array-index-like keys included, in every encoding', async (t) => {
  // JavaScript lists "2" and "10" first and in numeric order; Go's encoders sort every key as a string.
  const labels = { x: 'c', '2': 'b', app: 'd', '10': 'a' };
  const h = await startApi({
    metrics: new FakeMetrics(new Map([['n1', nodeUsage('2024-05-01T10:00:00Z', 15_000_000_000, 1, 1)]]), new Map([['default/p', podUsage('2024-05-01T10:00:00Z', 15_000_000_000, [['c', 1, 1]])]])),
    nodes: new FakeNodes([{ name: 'n1', labels }]),
    pods: new FakePods([{ namespace: 'default', name: 'p', labels }]),
    securePort: 10250,
    now: () => NOW,
  });
  t.teardown(() => h.close());
  const compact = '"labels":{"10":"a","2":"b","app":"d","x":"c"}';
  for (const path of [`${V}/pods`, `${V}/namespaces/default/pods/p`, `${V}/nodes`, `${V}/nodes/n1`]) {
    const r = await get(h, path, { headers: { Accept: 'application/json' } });
    t.ok(r.text.includes(compact), `${path}: ${r.text}`);
  }
  const pretty = await get(h, `${V}/pods?pretty=true`);
  t.match(pretty.text, /"labels": \{\s+"10": "a",\s+"2": "b",\s+"app": "d",\s+"x": "c"\s+\}/, 'pretty JSON');
  const table = await get(h, `${V}/pods?includeObject=Object`, { headers: { Accept: 'application/json;as=Table;v=v1;g=meta.k8s.io' } });
  t.ok(table.text.includes(compact), 'a Table row\'s object');
  const yaml = await get(h, `${V}/pods`, { headers: { Accept: 'application/yaml' } });
  t.match(yaml.text, /labels:\n\s+"10": a\n\s+"2": b\n\s+app: d\n\s+x: c\n/, 'YAML');
});
