// Discovery documents of the stand-in apiserver, legacy (/api, /apis, APIGroup,
// APIResourceList) and aggregated (apidiscovery.k8s.io/v2), built from one table.
// metrics.k8s.io is advertised as kube-aggregator advertises an available
// APIService for metrics-server (nodes/pods, get/list, empty singular names).

import type { Json } from './objects.js';

interface SimResource {
  name: string;
  singular: string;
  kind: string;
  namespaced: boolean;
  verbs: string[];
  shortNames?: string[];
  categories?: string[];
}

interface SimGroupVersion {
  group: string;
  version: string;
  resources: SimResource[];
}

const RW = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];

export const GROUP_VERSIONS: SimGroupVersion[] = [
  {
    group: '',
    version: 'v1',
    resources: [
      { name: 'configmaps', singular: 'configmap', kind: 'ConfigMap', namespaced: true, verbs: RW, shortNames: ['cm'] },
      { name: 'nodes', singular: 'node', kind: 'Node', namespaced: false, verbs: RW, shortNames: ['no'] },
      { name: 'pods', singular: 'pod', kind: 'Pod', namespaced: true, verbs: RW, shortNames: ['po'], categories: ['all'] },
    ],
  },
  { group: 'authentication.k8s.io', version: 'v1', resources: [{ name: 'tokenreviews', singular: 'tokenreview', kind: 'TokenReview', namespaced: false, verbs: ['create'] }] },
  { group: 'authorization.k8s.io', version: 'v1', resources: [{ name: 'subjectaccessreviews', singular: 'subjectaccessreview', kind: 'SubjectAccessReview', namespaced: false, verbs: ['create'] }] },
  {
    group: 'metrics.k8s.io',
    version: 'v1beta1',
    resources: [
      { name: 'nodes', singular: '', kind: 'NodeMetrics', namespaced: false, verbs: ['get', 'list'] },
      { name: 'pods', singular: '', kind: 'PodMetrics', namespaced: true, verbs: ['get', 'list'] },
    ],
  },
];

export const AGGREGATED_GROUP = 'metrics.k8s.io';
export const AGGREGATED_VERSION = 'v1beta1';

export const V2_CONTENT_TYPE = 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList';

const gv = (g: SimGroupVersion): string => (g.group ? `${g.group}/${g.version}` : g.version);

export function apiVersions(serverAddress: string): Json {
  return { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }] };
}

function apiGroup(g: SimGroupVersion): Json {
  const v = { groupVersion: gv(g), version: g.version };
  return { name: g.group, versions: [v], preferredVersion: v };
}

export function apiGroupList(): Json {
  return { kind: 'APIGroupList', apiVersion: 'v1', groups: GROUP_VERSIONS.filter((g) => g.group).map(apiGroup) };
}

export function apiGroupFor(group: string): Json | undefined {
  const g = GROUP_VERSIONS.find((x) => x.group === group && group !== '');
  return g ? { kind: 'APIGroup', apiVersion: 'v1', ...apiGroup(g) } : undefined;
}

export function apiResourceList(group: string, version: string): Json | undefined {
  const g = GROUP_VERSIONS.find((x) => x.group === group && x.version === version);
  if (!g) return undefined;
  return {
    kind: 'APIResourceList',
    apiVersion: 'v1',
    groupVersion: gv(g),
    resources: g.resources.map((r) => ({
      name: r.name,
      singularName: r.singular,
      namespaced: r.namespaced,
      kind: r.kind,
      verbs: r.verbs,
      ...(r.shortNames ? { shortNames: r.shortNames } : {}),
      ...(r.categories ? { categories: r.categories } : {}),
    })),
  };
}

function discoveryItem(g: SimGroupVersion): Json {
  return {
    metadata: { name: g.group, creationTimestamp: null },
    versions: [
      {
        version: g.version,
        resources: g.resources.map((r) => ({
          resource: r.name,
          // kube-aggregator copies metrics-server's (empty) group/version.
          responseKind: g.group === AGGREGATED_GROUP ? { group: '', version: '', kind: r.kind } : { group: g.group, version: g.version, kind: r.kind },
          scope: r.namespaced ? 'Namespaced' : 'Cluster',
          singularResource: r.singular,
          verbs: r.verbs,
          ...(r.shortNames ? { shortNames: r.shortNames } : {}),
          ...(r.categories ? { categories: r.categories } : {}),
        })),
        freshness: 'Current',
      },
    ],
  };
}

/** Aggregated discovery for /api (core only) or /apis (every named group). */
export function aggregatedDiscovery(core: boolean): Json {
  return {
    kind: 'APIGroupDiscoveryList',
    apiVersion: 'apidiscovery.k8s.io/v2',
    metadata: {},
    items: GROUP_VERSIONS.filter((g) => (g.group === '') === core).map(discoveryItem),
  };
}
