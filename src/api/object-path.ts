// The paths of single metrics objects that the resource GET fast path takes:
// /apis/metrics.k8s.io/v1beta1/nodes/{name} and .../namespaces/{ns}/pods/{name},
// without a query, with segments that percent-decoding leaves unchanged. Anything
// else (escapes, queries, trailing slashes, absolute-form URLs) goes through Koa,
// whose router decides it.

import { GROUP_VERSION } from './types.js';

export interface ObjectPath {
  resource: 'nodes' | 'pods';
  /** Set for pods only. */
  namespace?: string;
  name: string;
}

const PREFIX = `/apis/${GROUP_VERSION}/`;

/** [A-Za-z0-9._-]: every Kubernetes name, and nothing the router would decode or split. */
function isPlainSegment(url: string, start: number, end: number): boolean {
  if (end <= start) return false;
  for (let i = start; i < end; i++) {
    const c = url.charCodeAt(i);
    const ok = (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c === 45 || c === 46 || (c >= 65 && c <= 90) || c === 95;
    if (!ok) return false;
  }
  return true;
}

export function matchObjectPath(url: string): ObjectPath | undefined {
  if (!url.startsWith(PREFIX)) return undefined;
  let i = PREFIX.length;
  if (url.startsWith('nodes/', i)) {
    i += 6;
    return isPlainSegment(url, i, url.length) ? { resource: 'nodes', name: url.slice(i) } : undefined;
  }
  if (!url.startsWith('namespaces/', i)) return undefined;
  i += 11;
  const slash = url.indexOf('/', i);
  if (slash < 0 || !isPlainSegment(url, i, slash) || !url.startsWith('/pods/', slash)) return undefined;
  const nameStart = slash + 6;
  if (!isPlainSegment(url, nameStart, url.length)) return undefined;
  return { resource: 'pods', namespace: url.slice(i, slash), name: url.slice(nameStart) };
}
