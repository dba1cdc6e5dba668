// startSimCluster: the whole simulated cluster in one process — certificates, the
// usage model, the kubelets, the stand-in apiserver/aggregator — plus kubeconfigs
// for its users and the model's expected usage.

import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { TLSSocket } from 'node:tls';
import { stringify } from 'yaml';
import { AggregatorProxy, type ServiceTarget } from './aggregator.js';
import { SimApiServer } from './apiserver.js';
import { Authenticator } from './authn.js';
import { createClusterPki, type ClusterPki } from './certs.js';
import { KubeletFarm, type KubeletFault, type KubeletReplay } from './kubelets.js';
import { UsageModel } from './model.js';
import { ADMIN_USER, METRICS_SERVER_USER, Policy, VIEWER_USER, defaultBindings, type Binding, type UserInfo } from './policy.js';
import { ResourceStore } from './resource-store.js';
import { ResourceHandler } from './resources.js';

export interface SimClusterOptions {
  nodes?: number;
  podsPerNode?: number;
  containersPerPod?: number;
  /** The metrics server the aggregator proxies metrics.k8s.io to (settable later). */
  metricsServer?: ServiceTarget;
  /** Whether the aggregator offers HTTP/2 to the metrics server (default true, as kube-aggregator). */
  aggregatorHttp2?: boolean;
  faults?: Record<string, KubeletFault>;
  replay?: Record<string, KubeletReplay>;
  /** Events kept for watch-from-resourceVersion (default 10,000). */
  watchHistory?: number;
  /** Interval of watch BOOKMARK events (default 10 s). */
  bookmarkIntervalMs?: number;
  /** Extra RBAC bindings on top of the default policy. */
  bindings?: Binding[];
  /** Clock for the kubelets and objects (default Date.now). */
  now?: () => number;
}

export type SimUser = 'admin' | 'viewer' | 'metrics-server';

/** Files a metrics server needs to trust the simulated cluster. */
export interface SimPkiFiles {
  clusterCa: string;
  frontProxyCa: string;
  metricsServerCert: string;
  metricsServerKey: string;
}

export interface ExpectedUsage {
  cpuNanocores: number;
  memoryBytes: number;
}

export interface SimCluster {
  readonly model: UsageModel;
  readonly pki: ClusterPki;
  readonly apiserver: SimApiServer;
  readonly aggregator: AggregatorProxy;
  readonly kubelets: KubeletFarm;
  readonly store: ResourceStore;
  /** https://127.0.0.1:<port> of the stand-in apiserver. */
  readonly url: string;
  setMetricsServer(target: ServiceTarget | undefined): void;
  setFault(node: string, fault: KubeletFault | undefined): void;
  /** Registers a new node and starts its kubelet (ADDED, then MODIFIED with the kubelet port). */
  addNode(): Promise<string>;
  /** Deletes a node, its pods and its kubelet. */
  removeNode(name: string): Promise<void>;
  setReplay(node: string, replay: KubeletReplay | undefined): void;
  /** Writes a kubeconfig for one of the cluster's users. */
  writeKubeconfig(path: string, user: SimUser): Promise<void>;
  /** Writes the CA bundles and metrics-server serving cert as PEM files into dir. */
  writePki(dir: string): Promise<SimPkiFiles>;
  expectedNode(name: string): ExpectedUsage;
  expectedContainer(namespace: string, pod: string, container: string): ExpectedUsage;
  /** A pod's usage: the sum over its containers. */
  expectedPod(namespace: string, pod: string): ExpectedUsage;
  stop(): Promise<void>;
}

export const AUTH_CONFIGMAP = { namespace: 'kube-system', name: 'extension-apiserver-authentication' };

export async function startSimCluster(opts: SimClusterOptions = {}): Promise<SimCluster> {
  const now = opts.now ?? Date.now;
  const pki = await createClusterPki();
  const model = new UsageModel({ nodes: opts.nodes ?? 3, podsPerNode: opts.podsPerNode ?? 4, containersPerPod: opts.containersPerPod ?? 2, nowMs: now() });

  const authn = new Authenticator();
  authn.addToken(pki.tokens.admin, { username: ADMIN_USER, groups: ['system:masters'] });
  authn.addToken(pki.tokens.viewer, { username: VIEWER_USER, uid: 'viewer-uid-1', groups: ['team-a-viewers'], extra: { 'authentication.kubernetes.io/credential-id': ['JTI=viewer-token'] } });
  authn.addToken(pki.tokens.metricsServer, {
    username: METRICS_SERVER_USER,
    uid: 'metrics-server-sa-uid',
    groups: ['system:serviceaccounts', 'system:serviceaccounts:kube-system'],
  });
  const policy = new Policy([...defaultBindings(), ...(opts.bindings ?? [])]);

  const kubelets = new KubeletFarm({
    model,
    cert: pki.kubeletServing.cert,
    key: pki.kubeletServing.key,
    clientCa: pki.clusterCa.cert,
    now,
    authenticate: (token, socket: TLSSocket): UserInfo | undefined => {
      // The kubelet's authenticators: x509 client certs against the cluster CA, then webhook tokens.
      const r = authn.authenticate(token === undefined ? undefined : `Bearer ${token}`, socket);
      return 'user' in r ? r.user : undefined;
    },
    authorize: (user, nodeName, subresource) =>
      policy.authorize(user, { resource: { verb: 'get', group: '', version: 'v1', resource: 'nodes', subresource, name: nodeName } }).allowed,
  });
  await kubelets.start();
  for (const [node, f] of Object.entries(opts.faults ?? {})) kubelets.setFault(node, f);
  for (const [node, r] of Object.entries(opts.replay ?? {})) kubelets.setReplay(node, r);

  const store = new ResourceStore(model, opts.watchHistory ?? 10_000, now);
  store.putConfigMap(AUTH_CONFIGMAP.namespace, AUTH_CONFIGMAP.name, {
    'client-ca-file': pki.clusterCa.cert,
    'requestheader-client-ca-file': pki.frontProxyCa.cert,
    'requestheader-allowed-names': '["front-proxy-client"]',
    'requestheader-username-headers': '["X-Remote-User"]',
    'requestheader-group-headers': '["X-Remote-Group"]',
    'requestheader-extra-headers-prefix': '["X-Remote-Extra-"]',
    'requestheader-uid-headers': '["X-Remote-Uid"]',
  });
  const aggregator = new AggregatorProxy(opts.metricsServer, { cert: pki.frontProxyClient.cert, key: pki.frontProxyClient.key }, { http2: opts.aggregatorHttp2 });
  const resources = new ResourceHandler(store, opts.bookmarkIntervalMs ?? 10_000, now);
  const apiserver = new SimApiServer({ cert: pki.apiserverServing.cert, key: pki.apiserverServing.key, clientCa: pki.clusterCa.cert, authn, policy, resources, aggregator });
  try {
    await apiserver.listen();
  } catch (e) {
    await kubelets.stop();
    throw e;
  }
  const url = apiserver.url;

  const container = (namespace: string, pod: string, name: string) => {
    const c = model.pod(namespace, pod)?.containers.find((x) => x.name === name);
    if (!c) throw new Error(`no container ${namespace}/${pod}/${name}`);
    return c;
  };

  return {
    model,
    pki,
    apiserver,
    aggregator,
    kubelets,
    store,
    url,
    setMetricsServer: (t) => aggregator.setTarget(t),
    setFault: (n, f) => kubelets.setFault(n, f),
    addNode: async () => {
      const node = model.addNode(now());
      await kubelets.start();
      model.touchNode(node.name);
      return node.name;
    },
    removeNode: async (name) => {
      if (!model.removeNode(name, now())) throw new Error(`no node ${name}`);
      await kubelets.removeNode(name);
    },
    setReplay: (n, r) => kubelets.setReplay(n, r),
    writeKubeconfig: (path, user) => writeKubeconfigFile(path, url, pki, user),
    writePki: async (dir) => {
      await mkdir(dir, { recursive: true });
      const files: SimPkiFiles = {
        clusterCa: join(dir, 'ca.crt'),
        frontProxyCa: join(dir, 'front-proxy-ca.crt'),
        metricsServerCert: join(dir, 'metrics-server.crt'),
        metricsServerKey: join(dir, 'metrics-server.key'),
      };
      await writeFile(files.clusterCa, pki.clusterCa.cert);
      await writeFile(files.frontProxyCa, pki.frontProxyCa.cert);
      await writeFile(files.metricsServerCert, pki.metricsServerServing.cert);
      await writeFile(files.metricsServerKey, pki.metricsServerServing.key, { mode: 0o600 });
      return files;
    },
    expectedNode: (name) => ({ cpuNanocores: model.nodeCpuNanocores(name), memoryBytes: model.nodeMemoryBytes(name) }),
    expectedContainer: (ns, pod, name) => {
      const c = container(ns, pod, name);
      return { cpuNanocores: c.cpuNanocores, memoryBytes: c.memoryBytes };
    },
    expectedPod: (ns, name) => {
      const p = model.pod(ns, name);
      if (!p) throw new Error(`no pod ${ns}/${name}`);
      return p.containers.reduce((a, x) => ({ cpuNanocores: a.cpuNanocores + x.cpuNanocores, memoryBytes: a.memoryBytes + x.memoryBytes }), { cpuNanocores: 0, memoryBytes: 0 });
    },
    stop: async () => {
      await Promise.all([apiserver.close(), kubelets.stop()]);
    },
  };
}

/** A kubeconfig (YAML) for one user of the simulated cluster. */
export async function writeKubeconfigFile(path: string, server: string, pki: ClusterPki, user: SimUser): Promise<void> {
  const b64 = (s: string) => Buffer.from(s).toString('base64');
  const credentials =
    user === 'admin'
      ? { 'client-certificate-data': b64(pki.adminClient.cert), 'client-key-data': b64(pki.adminClient.key) }
      : { token: user === 'viewer' ? pki.tokens.viewer : pki.tokens.metricsServer };
  const config = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'sim', cluster: { server, 'certificate-authority-data': b64(pki.clusterCa.cert) } }],
    users: [{ name: user, user: credentials }],
    contexts: [{ name: `${user}@sim`, context: { cluster: 'sim', user, namespace: user === 'viewer' ? 'team-a' : 'default' } }],
    'current-context': `${user}@sim`,
    preferences: {},
  };
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, stringify(config), { mode: 0o600 });
}
