// Which kubelet endpoint to read: /stats/summary (--kubelet-source=summary) or
// /metrics/resource (--kubelet-source=resource), where the node annotation
// metrics.k8s.io/resource-metrics-path replaces the latter (upstream behaviour).

import type { KubeletSource } from '../options.js';
import type { NodeInfo } from '../kube/node-info.js';
import { ScrapeError } from './scrape-error.js';

// Only CPU and memory are read; the kubelet then skips network and filesystem stats.
export const SUMMARY_PATH = '/stats/summary?only_cpu_and_memory=true';
export const RESOURCE_PATH = '/metrics/resource';

export function kubeletPath(node: Pick<NodeInfo, 'name' | 'resourceMetricsPath'>, source: KubeletSource): string {
  if (source === 'summary') return SUMMARY_PATH;
  const custom = node.resourceMetricsPath;
  if (custom === undefined || custom === '') return RESOURCE_PATH;
  const path = custom.startsWith('/') ? custom : `/${custom}`;
  // Printable ASCII without spaces: nothing that could split the request line or add headers.
  if (!/^\/[\x21-\x7e]*$/.test(path)) {
    throw new ScrapeError('address', `node ${node.name}: invalid metrics.k8s.io/resource-metrics-path annotation`);
  }
  return path;
}
