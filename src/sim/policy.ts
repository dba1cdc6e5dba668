// The stand-in apiserver's identities and a small RBAC-like policy: who may do
// what, evaluated for the apiserver's own requests, for SubjectAccessReviews, for
// the aggregator proxy and for the kubelets (nodes/metrics, nodes/stats).

export interface UserInfo {
  username: string;
  uid?: string;
  groups: string[];
  extra?: Record<string, string[]>;
}

export interface ResourceAttributes {
  verb: string;
  group: string;
  version?: string;
  resource: string;
  subresource?: string;
  namespace?: string;
  name?: string;
}

export interface NonResourceAttributes {
  verb: string;
  path: string;
}

export type Attributes = { resource: ResourceAttributes } | { nonResource: NonResourceAttributes };

/** One RBAC PolicyRule, with an optional namespace restriction in place of a RoleBinding's. */
export interface PolicyRule {
  verbs: string[];
  apiGroups?: string[];
  /** Resource names, "resource/subresource" for subresources, "*" for all. */
  resources?: string[];
  resourceNames?: string[];
  /** Namespaces the rule applies in (a RoleBinding); absent = cluster-wide (ClusterRoleBinding). */
  namespaces?: string[];
  /** Non-resource paths; a trailing "*" matches a prefix. */
  nonResourceURLs?: string[];
}

export interface Binding {
  subject: { kind: 'User' | 'Group'; name: string };
  rules: PolicyRule[];
}

export interface Decision {
  allowed: boolean;
  reason: string;
}

const has = (list: readonly string[] | undefined, v: string): boolean => !!list && (list.includes('*') || list.includes(v));

function ruleAllows(rule: PolicyRule, attrs: Attributes): boolean {
  if (!has(rule.verbs, 'resource' in attrs ? attrs.resource.verb : attrs.nonResource.verb)) return false;
  if ('nonResource' in attrs) {
    const path = attrs.nonResource.path;
    return (rule.nonResourceURLs ?? []).some((u) => u === '*' || u === path || (u.endsWith('*') && path.startsWith(u.slice(0, -1))));
  }
  const r = attrs.resource;
  if (!rule.resources || !has(rule.apiGroups, r.group)) return false;
  const full = r.subresource ? `${r.resource}/${r.subresource}` : r.resource;
  if (!has(rule.resources, full)) return false;
  if (rule.resourceNames && rule.resourceNames.length > 0 && (!r.name || !rule.resourceNames.includes(r.name))) return false;
  if (rule.namespaces && (!r.namespace || !rule.namespaces.includes(r.namespace))) return false;
  return true;
}

export class Policy {
  constructor(readonly bindings: Binding[]) {}

  authorize(user: UserInfo, attrs: Attributes): Decision {
    for (const b of this.bindings) {
      const applies = b.subject.kind === 'User' ? b.subject.name === user.username : user.groups.includes(b.subject.name);
      if (applies && b.rules.some((rule) => ruleAllows(rule, attrs))) {
        return { allowed: true, reason: `RBAC: allowed by ${b.subject.kind === 'User' ? 'ClusterRoleBinding' : 'group binding'} for ${b.subject.kind} "${b.subject.name}"` };
      }
    }
    return { allowed: false, reason: '' };
  }
}

/** The message kube-apiserver's authorization filter puts in a 403. */
export function forbiddenMessage(user: UserInfo, attrs: Attributes): string {
  if ('nonResource' in attrs) return `forbidden: User "${user.username}" cannot ${attrs.nonResource.verb} path "${attrs.nonResource.path}"`;
  const r = attrs.resource;
  const qualified = r.group ? `${r.resource}.${r.group}` : r.resource;
  const subject = r.name ? `${qualified} "${r.name}"` : qualified;
  const res = r.subresource ? `${r.resource}/${r.subresource}` : r.resource;
  const scope = r.namespace ? `in the namespace "${r.namespace}"` : 'at the cluster scope';
  return `${subject} is forbidden: User "${user.username}" cannot ${r.verb} resource "${res}" in API group "${r.group}" ${scope}`;
}

export const METRICS_SERVER_USER = 'system:serviceaccount:kube-system:metrics-server';
export const VIEWER_USER = 'viewer';
export const ADMIN_USER = 'kubernetes-admin';

const READ = ['get', 'list', 'watch'];

/** The simulated cluster's RBAC: admin, a one-namespace viewer, metrics-server's account. */
export function defaultBindings(): Binding[] {
  return [
    { subject: { kind: 'Group', name: 'system:masters' }, rules: [{ verbs: ['*'], apiGroups: ['*'], resources: ['*'] }, { verbs: ['*'], nonResourceURLs: ['*'] }] },
    // system:discovery / system:public-info-viewer
    {
      subject: { kind: 'Group', name: 'system:authenticated' },
      rules: [{ verbs: ['get'], nonResourceURLs: ['/api', '/api/*', '/apis', '/apis/*', '/version', '/version/', '/openapi', '/openapi/*', '/healthz', '/livez', '/readyz'] }],
    },
    // system:public-info-viewer
    { subject: { kind: 'Group', name: 'system:unauthenticated' }, rules: [{ verbs: ['get'], nonResourceURLs: ['/version', '/version/', '/healthz', '/livez', '/readyz'] }] },
    {
      subject: { kind: 'User', name: METRICS_SERVER_USER },
      rules: [
        { verbs: READ, apiGroups: [''], resources: ['nodes', 'pods'] },
        { verbs: ['get'], apiGroups: [''], resources: ['nodes/metrics', 'nodes/stats'] },
        { verbs: ['create'], apiGroups: ['authentication.k8s.io'], resources: ['tokenreviews'] },
        { verbs: ['create'], apiGroups: ['authorization.k8s.io'], resources: ['subjectaccessreviews'] },
        // extension-apiserver-authentication-reader, bound in kube-system
        { verbs: READ, apiGroups: [''], resources: ['configmaps'], namespaces: ['kube-system'] },
        { verbs: ['get'], nonResourceURLs: ['/metrics'] },
      ],
    },
    {
      subject: { kind: 'User', name: VIEWER_USER },
      rules: [{ verbs: READ, apiGroups: ['', 'metrics.k8s.io'], resources: ['pods'], namespaces: ['team-a'] }],
    },
  ];
}
