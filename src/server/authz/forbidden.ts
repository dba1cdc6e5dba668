// The 403 Status GAS writes when authorization denies a request (responsewriters
// forbiddenMessage + apierrors.NewForbidden), word for word.

import { forbidden, type StatusError } from '../../api/status.js';
// Go's %q; imported from the file because the selectors' index does not re-export it.
import { goQuote as q } from '../../util/go-quote.js';
import type { RequestInfo } from '../request-info.js';

export function forbiddenMessage(username: string, info: RequestInfo): string {
  if (!info.isResourceRequest) return `User ${q(username)} cannot ${info.verb} path ${q(info.path)}`;
  let resource = info.resource ?? '';
  if (info.subresource) resource += `/${info.subresource}`;
  const group = info.apiGroup ?? '';
  if (info.namespace) return `User ${q(username)} cannot ${info.verb} resource ${q(resource)} in API group ${q(group)} in the namespace ${q(info.namespace)}`;
  return `User ${q(username)} cannot ${info.verb} resource ${q(resource)} in API group ${q(group)} at the cluster scope`;
}

export function forbiddenError(username: string, info: RequestInfo, reason?: string): StatusError {
  let err = forbiddenMessage(username, info);
  if (reason) err += `: ${reason}`;
  const resource = info.isResourceRequest ? (info.resource ?? '') : '';
  const group = info.isResourceRequest ? (info.apiGroup ?? '') : '';
  const name = info.isResourceRequest ? (info.name ?? '') : '';
  let message: string;
  if (!resource && !group) message = `forbidden: ${err}`;
  else {
    const qualified = group ? `${resource}.${group}` : resource;
    message = name ? `${qualified} ${q(name)} is forbidden: ${err}` : `${qualified} is forbidden: ${err}`;
  }
  const details: { name?: string; group?: string; kind?: string } = {};
  if (name) details.name = name;
  if (group) details.group = group;
  if (resource) details.kind = resource;
  return forbidden(message, details);
}
