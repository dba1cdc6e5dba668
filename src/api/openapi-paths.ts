// The operations metrics-server's generic API server publishes for
// metrics.k8s.io/v1beta1: discovery documents plus get/list of nodes and pods,
// with the operation ids and x-kubernetes-* extensions the installer generates.

import { MODEL } from './openapi-models.js';

export type ParamIn = 'query' | 'path';

export interface Param {
  name: string;
  in: ParamIn;
  description: string;
  type: 'string' | 'integer' | 'boolean';
}

export interface Operation {
  path: string;
  operationId: string;
  description: string;
  tag: string;
  /** Model of the 200 response. */
  response: string;
  action?: 'get' | 'list';
  kind?: string;
  params: Param[];
}

const MEDIA_TYPES = ['application/json', 'application/yaml', 'application/vnd.kubernetes.protobuf'];
export const PRODUCES = MEDIA_TYPES;

const pretty: Param = { name: 'pretty', in: 'query', type: 'string', description: "If 'true', then the output is pretty printed. Defaults to 'false' unless the user-agent indicates a browser or command-line HTTP tool (curl and wget)." };
const name = (kind: string): Param => ({ name: 'name', in: 'path', type: 'string', description: `name of the ${kind}` });
const namespace: Param = { name: 'namespace', in: 'path', type: 'string', description: 'object name and auth scope, such as for teams and projects' };

const LIST_PARAMS: Param[] = [
  { name: 'allowWatchBookmarks', in: 'query', type: 'boolean', description: 'allowWatchBookmarks requests watch events with type "BOOKMARK". Ignored: this server has no watch.' },
  { name: 'continue', in: 'query', type: 'string', description: 'The continue option should be set when retrieving more results from the server. Ignored by metrics-server, which always returns the full list.' },
  { name: 'fieldSelector', in: 'query', type: 'string', description: 'A selector to restrict the list of returned objects by their fields (metadata.name, metadata.namespace). Defaults to everything.' },
  { name: 'labelSelector', in: 'query', type: 'string', description: 'A selector to restrict the list of returned objects by their labels. Defaults to everything.' },
  { name: 'limit', in: 'query', type: 'integer', description: 'limit is a maximum number of responses to return for a list call. Ignored by metrics-server.' },
  { name: 'resourceVersion', in: 'query', type: 'string', description: 'resourceVersion sets a constraint on what resource versions a request may be served from. Ignored by metrics-server.' },
  { name: 'resourceVersionMatch', in: 'query', type: 'string', description: 'resourceVersionMatch determines how resourceVersion is applied to list calls.' },
  { name: 'sendInitialEvents', in: 'query', type: 'boolean', description: 'sendInitialEvents is only valid with watch=true.' },
  { name: 'timeoutSeconds', in: 'query', type: 'integer', description: 'Timeout for the list/watch call.' },
  { name: 'watch', in: 'query', type: 'boolean', description: 'Watch for changes to the described resources. Not supported by this server (405).' },
];

const GV = 'metrics.k8s.io/v1beta1';
const TAG = 'metrics_v1beta1';

export const OPERATIONS: readonly Operation[] = [
  { path: '/apis/metrics.k8s.io/', operationId: 'getMetricsAPIGroup', description: 'get information of a group', tag: 'metrics', response: MODEL.APIGroup, params: [] },
  { path: `/apis/${GV}/`, operationId: 'getMetricsV1beta1APIResources', description: 'get available resources', tag: TAG, response: MODEL.APIResourceList, params: [] },
  {
    path: `/apis/${GV}/namespaces/{namespace}/pods`,
    operationId: 'listMetricsV1beta1NamespacedPodMetrics',
    description: 'list objects of kind PodMetrics',
    tag: TAG,
    response: MODEL.PodMetricsList,
    action: 'list',
    kind: 'PodMetrics',
    params: [...LIST_PARAMS, namespace, pretty],
  },
  {
    path: `/apis/${GV}/namespaces/{namespace}/pods/{name}`,
    operationId: 'readMetricsV1beta1NamespacedPodMetrics',
    description: 'read the specified PodMetrics',
    tag: TAG,
    response: MODEL.PodMetrics,
    action: 'get',
    kind: 'PodMetrics',
    params: [name('PodMetrics'), namespace, pretty],
  },
  {
    path: `/apis/${GV}/nodes`,
    operationId: 'listMetricsV1beta1NodeMetrics',
    description: 'list objects of kind NodeMetrics',
    tag: TAG,
    response: MODEL.NodeMetricsList,
    action: 'list',
    kind: 'NodeMetrics',
    params: [...LIST_PARAMS, pretty],
  },
  {
    path: `/apis/${GV}/nodes/{name}`,
    operationId: 'readMetricsV1beta1NodeMetrics',
    description: 'read the specified NodeMetrics',
    tag: TAG,
    response: MODEL.NodeMetrics,
    action: 'get',
    kind: 'NodeMetrics',
    params: [name('NodeMetrics'), pretty],
  },
  {
    path: `/apis/${GV}/pods`,
    operationId: 'listMetricsV1beta1PodMetricsForAllNamespaces',
    description: 'list objects of kind PodMetrics',
    tag: TAG,
    response: MODEL.PodMetricsList,
    action: 'list',
    kind: 'PodMetrics',
    params: [...LIST_PARAMS, pretty],
  },
];
