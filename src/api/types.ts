// Wire forms of the metrics.k8s.io/v1beta1 objects, fields in Go struct order so
// that JSON.stringify writes them as encoding/json does. List items carry no
// kind/apiVersion (TypeMeta is empty and omitempty).

export const GROUP = 'metrics.k8s.io';
export const VERSION = 'v1beta1';
export const GROUP_VERSION = `${GROUP}/${VERSION}`;

/** ObjectMeta as metrics-server fills it: name, namespace, creationTimestamp, labels. */
export interface ObjectMeta {
  name: string;
  namespace?: string;
  creationTimestamp: string;
  /** Omitted when the node or pod has no labels (Go omitempty). */
  labels?: Record<string, string>;
}

/** ResourceList of a metrics object: canonical Quantity strings. */
export interface Usage {
  cpu: string;
  memory: string;
}

export interface NodeMetrics {
  kind?: 'NodeMetrics';
  apiVersion?: typeof GROUP_VERSION;
  metadata: ObjectMeta;
  timestamp: string;
  window: string;
  usage: Usage;
}

export interface ContainerMetrics {
  name: string;
  usage: Usage;
}

export interface PodMetrics {
  kind?: 'PodMetrics';
  apiVersion?: typeof GROUP_VERSION;
  metadata: ObjectMeta;
  timestamp: string;
  window: string;
  containers: ContainerMetrics[];
}

export interface NodeMetricsList {
  kind: 'NodeMetricsList';
  apiVersion: typeof GROUP_VERSION;
  metadata: Record<string, never>;
  items: NodeMetrics[];
}

export interface PodMetricsList {
  kind: 'PodMetricsList';
  apiVersion: typeof GROUP_VERSION;
  metadata: Record<string, never>;
  items: PodMetrics[];
}
