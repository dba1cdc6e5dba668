// as=PartialObjectMetadata[List];g=meta.k8s.io: metadata-only views of a
// resource response (apiserver endpoints/handlers/response.go).

/* eslint-disable @typescript-eslint/no-explicit-any -- wire JSON */

import { notAcceptable, type StatusError } from '../status.js';

function goTypeName(kind: string): string {
  return `*metrics.${kind}`; // %T of metrics-server's internal object
}

function listMeta(md: any): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (md?.resourceVersion) out['resourceVersion'] = md.resourceVersion;
  if (md?.continue) out['continue'] = md.continue;
  if (md?.remainingItemCount !== undefined && md?.remainingItemCount !== null) out['remainingItemCount'] = md.remainingItemCount;
  return out;
}

/** Returns the transformed wire object, or the 406 StatusError upstream answers with. */
export function asPartialObjectMetadata(obj: any, kind: 'PartialObjectMetadata' | 'PartialObjectMetadataList', version: string): object | StatusError {
  const apiVersion = `meta.k8s.io/${version}`;
  const isList = typeof obj.kind === 'string' && obj.kind.endsWith('List') && Array.isArray(obj.items);
  if (kind === 'PartialObjectMetadata') {
    if (isList) return notAcceptable(`you requested PartialObjectMetadata, but the requested object is a list (${goTypeName(obj.kind)})`);
    return { kind, apiVersion, metadata: obj.metadata ?? {} };
  }
  if (!isList) return notAcceptable(`you requested PartialObjectMetadataList, but the requested object is not a list (${goTypeName(obj.kind)})`);
  const items = obj.items.length === 0 ? null : obj.items.map((i: any) => ({ kind: 'PartialObjectMetadata', apiVersion, metadata: i.metadata ?? {} }));
  return { kind, apiVersion, metadata: listMeta(obj.metadata), items };
}
