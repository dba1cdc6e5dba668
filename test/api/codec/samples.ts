// Hand-built wire objects in the exact JSON form the routes hand to respond().

import { notFound } from '../../../src/api/status.js';

export const nodeMetrics = {
  kind: 'NodeMetrics',
  apiVersion: 'metrics.k8s.io/v1beta1',
  metadata: {
    name: 'node-1',
    creationTimestamp: '2024-05-01T10:00:05Z',
    labels: { 'kubernetes.io/arch': 'amd64', 'kubernetes.io/hostname': 'node-1', 'kubernetes.io/os': 'linux' },
  },
  timestamp: '2024-05-01T10:00:00Z',
  window: '15.002s',
  usage: { cpu: '123456789n', memory: '11944Ki' },
};

function item<T extends { kind?: string; apiVersion?: string }>(o: T): Omit<T, 'kind' | 'apiVersion'> {
  const { kind: _k, apiVersion: _a, ...rest } = o;
  return rest;
}

export const nodeMetricsList = {
  kind: 'NodeMetricsList',
  apiVersion: 'metrics.k8s.io/v1beta1',
  metadata: {},
  items: [
    item(nodeMetrics),
    {
      metadata: { name: 'node-2', creationTimestamp: '2024-05-01T10:00:05Z', labels: { 'kubernetes.io/hostname': 'node-2' } },
      timestamp: '2024-05-01T10:00:01Z',
      window: '1m0.5s',
      usage: { cpu: '2', memory: '1000000' },
    },
  ],
};

export const podMetrics = {
  kind: 'PodMetrics',
  apiVersion: 'metrics.k8s.io/v1beta1',
  metadata: {
    name: 'web-7d4b9c6f8-abcde',
    namespace: 'default',
    creationTimestamp: '2024-05-01T10:00:05Z',
    labels: { app: 'web', 'pod-template-hash': '7d4b9c6f8' },
  },
  timestamp: '2024-05-01T09:59:58Z',
  window: '14.987s',
  containers: [
    { name: 'app', usage: { cpu: '4735432n', memory: '12345678' } },
    { name: 'sidecar', usage: { cpu: '50m', memory: '11944Ki' } },
  ],
};

export const podMetricsList = {
  kind: 'PodMetricsList',
  apiVersion: 'metrics.k8s.io/v1beta1',
  metadata: {},
  items: [
    {
      metadata: {
        name: 'coredns-558bd4d5db-4dpjz',
        namespace: 'kube-system',
        creationTimestamp: '2024-05-01T10:00:05Z',
        labels: { 'k8s-app': 'kube-dns', 'pod-template-hash': '558bd4d5db' },
      },
      timestamp: '2024-05-01T10:00:00Z',
      window: '15.011s',
      containers: [{ name: 'coredns', usage: { cpu: '2147218n', memory: '12240Ki' } }],
    },
    item(podMetrics),
  ],
};

export const notFoundStatus = notFound('nodemetrics', 'node-1', 'metrics.k8s.io').status;

export const apiResourceList = {
  kind: 'APIResourceList',
  apiVersion: 'v1',
  groupVersion: 'metrics.k8s.io/v1beta1',
  resources: [
    { name: 'nodes', singularName: '', namespaced: false, kind: 'NodeMetrics', verbs: ['get', 'list'] },
    { name: 'pods', singularName: '', namespaced: true, kind: 'PodMetrics', verbs: ['get', 'list'] },
  ],
};

export const apiGroupList = {
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
};
