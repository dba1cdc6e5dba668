// Just enough of kube-apiserver for `helm template --dry-run=server`: /version,
// discovery for the kinds the chart renders (helm maps every rendered object),
// and GET of the Secrets put here: what the chart's lookup calls ask, and what
// helm reads to check that a Secret it renders belongs to the release.
// Plain HTTP on 127.0.0.1, with a kubeconfig pointing at it.
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** [group, kind, resource, namespaced]; every group at version v1. */
const KINDS: [string, string, string, boolean][] = [
  ['', 'ServiceAccount', 'serviceaccounts', true],
  ['', 'Secret', 'secrets', true],
  ['', 'Service', 'services', true],
  ['apps', 'Deployment', 'deployments', true],
  ['policy', 'PodDisruptionBudget', 'poddisruptionbudgets', true],
  ['rbac.authorization.k8s.io', 'ClusterRole', 'clusterroles', false],
  ['rbac.authorization.k8s.io', 'ClusterRoleBinding', 'clusterrolebindings', false],
  ['rbac.authorization.k8s.io', 'RoleBinding', 'rolebindings', true],
  ['apiregistration.k8s.io', 'APIService', 'apiservices', false],
  ['cert-manager.io', 'Certificate', 'certificates', true],
  ['cert-manager.io', 'Issuer', 'issuers', true],
  ['monitoring.coreos.com', 'ServiceMonitor', 'servicemonitors', true],
];

export interface FakeApiServer {
  kubeconfig: string;
  /**
   * Stores a Secret (data values base64, as the API returns them); with release,
   * owned by that Helm release (as one a previous install of the chart made).
   */
  putSecret(namespace: string, name: string, data: Record<string, string>, release?: string): void;
  deleteSecret(namespace: string, name: string): void;
  /** Paths of the Secret GETs received. */
  secretGets: string[];
  close(): Promise<void>;
}

export async function fakeApiServer(dir: string): Promise<FakeApiServer> {
  const secrets = new Map<string, { data: Record<string, string>; release?: string }>();
  const secretGets: string[] = [];
  const send = (res: ServerResponse, code: number, body: unknown) => {
    res.writeHead(code, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };
  const notFound = (res: ServerResponse, what: string) =>
    send(res, 404, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: `${what} not found`, reason: 'NotFound', code: 404 });
  const resources = (group: string) => KINDS.filter(([g]) => g === group).map(([, kind, name, namespaced]) => ({
    name, singularName: kind.toLowerCase(), namespaced, kind, verbs: ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete'],
  }));
  const groups = [...new Set(KINDS.map(([g]) => g).filter((g) => g !== ''))];

  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    if (req.method !== 'GET') return send(res, 405, { kind: 'Status', apiVersion: 'v1', status: 'Failure', code: 405 });
    if (path === '/version') return send(res, 200, { major: '1', minor: '33', gitVersion: 'v1.33.0', platform: 'linux/amd64' });
    if (path === '/api') return send(res, 200, { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [] });
    if (path === '/apis') {
      return send(res, 200, {
        kind: 'APIGroupList', apiVersion: 'v1',
        groups: groups.map((name) => ({ name, versions: [{ groupVersion: `${name}/v1`, version: 'v1' }], preferredVersion: { groupVersion: `${name}/v1`, version: 'v1' } })),
      });
    }
    if (path === '/api/v1') return send(res, 200, { kind: 'APIResourceList', groupVersion: 'v1', resources: resources('') });
    const group = /^\/apis\/([^/]+)\/v1$/.exec(path)?.[1];
    if (group !== undefined && groups.includes(group)) return send(res, 200, { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: `${group}/v1`, resources: resources(group) });
    const secret = /^\/api\/v1\/namespaces\/([^/]+)\/secrets\/([^/]+)$/.exec(path);
    if (secret) {
      secretGets.push(path);
      const [, namespace, name] = secret as unknown as [string, string, string];
      const stored = secrets.get(`${namespace}/${name}`);
      if (!stored) return notFound(res, `secrets "${name}"`);
      const metadata = stored.release
        ? {
          name, namespace,
          labels: { 'app.kubernetes.io/managed-by': 'Helm' },
          annotations: { 'meta.helm.sh/release-name': stored.release, 'meta.helm.sh/release-namespace': namespace },
        }
        : { name, namespace };
      return send(res, 200, { kind: 'Secret', apiVersion: 'v1', metadata, type: 'kubernetes.io/tls', data: stored.data });
    }
    return notFound(res, path);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const kubeconfig = join(dir, 'fake-apiserver.kubeconfig');
  writeFileSync(kubeconfig, [
    'apiVersion: v1',
    'kind: Config',
    `clusters: [{ name: fake, cluster: { server: "http://127.0.0.1:${port}" } }]`,
    'users: [{ name: fake, user: { token: fake } }]',
    'contexts: [{ name: fake, context: { cluster: fake, user: fake } }]',
    'current-context: fake',
    '',
  ].join('\n'));
  return {
    kubeconfig,
    putSecret: (namespace, name, data, release) => void secrets.set(`${namespace}/${name}`, { data, release }),
    deleteSecret: (namespace, name) => void secrets.delete(`${namespace}/${name}`),
    secretGets,
    close: () => new Promise((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    }),
  };
}
