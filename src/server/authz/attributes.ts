// Authorization attributes (user + RequestInfo) in SubjectAccessReviewSpec form,
// with empty fields left out as upstream's omitempty does.

import type { SubjectAccessReviewSpec } from '../../kube/subject-access-review.js';
import type { UserInfo } from '../authn/user.js';
import { fieldSelectorRequirements, labelSelectorRequirements, type RequestInfo } from '../request-info.js';

export function subjectAccessReviewSpec(user: UserInfo, info: RequestInfo): SubjectAccessReviewSpec {
  const spec: SubjectAccessReviewSpec = {};
  if (info.isResourceRequest) {
    const ra: NonNullable<SubjectAccessReviewSpec['resourceAttributes']> = {
      verb: info.verb,
      group: info.apiGroup ?? '',
      version: info.apiVersion ?? '',
      resource: info.resource ?? '',
    };
    if (info.namespace) ra.namespace = info.namespace;
    if (info.subresource) ra.subresource = info.subresource;
    if (info.name) ra.name = info.name;
    const fs = fieldSelectorRequirements(info.fieldSelector);
    if (fs) ra.fieldSelector = { requirements: fs };
    const ls = labelSelectorRequirements(info.labelSelector);
    if (ls) ra.labelSelector = { requirements: ls };
    spec.resourceAttributes = ra;
  } else {
    spec.nonResourceAttributes = { path: info.path, verb: info.verb };
  }
  if (user.name) spec.user = user.name;
  if (user.groups.length) spec.groups = [...user.groups];
  if (Object.keys(user.extra).length) spec.extra = user.extra;
  if (user.uid) spec.uid = user.uid;
  return spec;
}
