// The three legacy discovery documents metrics-server serves itself (protocol §2.6).
// Aggregated discovery (apidiscovery.k8s.io/v2) lives in discovery-aggregated.ts.

import { GROUP, GROUP_VERSION, VERSION } from './types.js';

const groupVersion = { groupVersion: GROUP_VERSION, version: VERSION };

export interface APIGroup {
  kind?: 'APIGroup';
  apiVersion?: 'v1';
  name: string;
  versions: { groupVersion: string; version: string }[];
  preferredVersion: { groupVersion: string; version: string };
  serverAddressByClientCIDRs?: { clientCIDR: string; serverAddress: string }[];
}

export interface APIGroupList {
  kind: 'APIGroupList';
  apiVersion: 'v1';
  groups: APIGroup[];
}

export interface APIResource {
  name: string;
  singularName: string;
  namespaced: boolean;
  kind: string;
  verbs: string[];
}

export interface APIResourceList {
  kind: 'APIResourceList';
  apiVersion: 'v1';
  groupVersion: string;
  resources: APIResource[];
}

/**
 * GET /apis. GAS's ExternalAddress is ":<secure-port>" when no external hostname is
 * configured, and every group entry carries it for 0.0.0.0/0.
 */
export function apiGroupList(securePort: number): APIGroupList {
  return {
    kind: 'APIGroupList',
    apiVersion: 'v1',
    groups: [
      {
        name: GROUP,
        versions: [{ ...groupVersion }],
        preferredVersion: { ...groupVersion },
        serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: `:${securePort}` }],
      },
    ],
  };
}

/** GET /apis/metrics.k8s.io: no serverAddressByClientCIDRs here. */
export function apiGroup(): APIGroup {
  return { kind: 'APIGroup', apiVersion: 'v1', name: GROUP, versions: [{ ...groupVersion }], preferredVersion: { ...groupVersion } };
}

/**
 * GET /apis/metrics.k8s.io/v1beta1, the aggregator's availability probe. singularName
 * is "" because metrics-server's storages report no singular name.
 */
export function apiResourceList(): APIResourceList {
  return {
    kind: 'APIResourceList',
    apiVersion: 'v1',
    groupVersion: GROUP_VERSION,
    resources: [
      { name: 'nodes', singularName: '', namespaced: false, kind: 'NodeMetrics', verbs: ['get', 'list'] },
      { name: 'pods', singularName: '', namespaced: true, kind: 'PodMetrics', verbs: ['get', 'list'] },
    ],
  };
}
