// The RBAC shipped in deploy/ (the manifests and the Helm chart's renders)
// grants the server's ServiceAccount every API call the code makes, and
// nothing it does not make.
import t from 'tap';
import type { IDeployment } from 'kubernetes-models/apps/v1/Deployment';
import { parseOptions } from '../../src/options.js';
import { chartRunner, deploySets, type ObjectSet } from './chart.js';
import { serverContainer, type KubeObject } from './manifests.js';

interface PolicyRule {
  apiGroups?: string[];
  resources?: string[];
  resourceNames?: string[];
  verbs: string[];
  nonResourceURLs?: string[];
}
interface RoleObject { kind: 'Role' | 'ClusterRole'; name: string; namespace?: string; rules: PolicyRule[] }
interface Subject { kind: string; name: string; namespace?: string; apiGroup?: string }
interface Binding {
  kind: 'RoleBinding' | 'ClusterRoleBinding';
  name: string;
  namespace?: string;
  roleRef: { apiGroup: string; kind: 'Role' | 'ClusterRole'; name: string };
  subjects: Subject[];
}

/** One request the server sends to kube-apiserver or to a kubelet, as RBAC sees it. */
interface ApiCall {
  why: string;
  verb: string;
  group: string;
  resource: string;
  subresource?: string;
  namespace?: string;
  name?: string;
}

interface ServiceAccountRef { namespace: string; name: string }
const SERVICE_ACCOUNT: ServiceAccountRef = { namespace: 'kube-system', name: 'metrics-server' };
const NODE = 'node-a';

// Every call the code makes (src/kube, src/server, src/scrape). Keep in step with the code.
const API_CALLS: ApiCall[] = [
  { why: 'node cache list', verb: 'list', group: '', resource: 'nodes' },
  { why: 'node cache watch', verb: 'watch', group: '', resource: 'nodes' },
  { why: 'pod cache list (metadata only, same RBAC as a full list)', verb: 'list', group: '', resource: 'pods' },
  { why: 'pod cache watch (metadata only)', verb: 'watch', group: '', resource: 'pods' },
  {
    why: 'front-proxy settings read', verb: 'get', group: '', resource: 'configmaps',
    namespace: 'kube-system', name: 'extension-apiserver-authentication',
  },
  {
    // A watch matches resourceNames only with fieldSelector=metadata.name=<name>.
    why: 'front-proxy settings watch', verb: 'watch', group: '', resource: 'configmaps',
    namespace: 'kube-system', name: 'extension-apiserver-authentication',
  },
  { why: 'bearer token authentication', verb: 'create', group: 'authentication.k8s.io', resource: 'tokenreviews' },
  { why: 'delegated authorization', verb: 'create', group: 'authorization.k8s.io', resource: 'subjectaccessreviews' },
  // The kubelet authorizes /stats/* as nodes/stats and /metrics/* as nodes/metrics
  // (kubernetes pkg/kubelet/server/auth.go), verb get for GET, name = node name.
  { why: 'kubelet /stats/summary (--kubelet-source=summary)', verb: 'get', group: '', resource: 'nodes', subresource: 'stats', name: NODE },
  { why: 'kubelet /metrics/resource (--kubelet-source=resource)', verb: 'get', group: '', resource: 'nodes', subresource: 'metrics', name: NODE },
];

// Calls that must be refused: they show the evaluator can say no.
const FORBIDDEN: ApiCall[] = [
  { why: 'secrets', verb: 'get', group: '', resource: 'secrets', namespace: 'kube-system', name: 'x' },
  { why: 'single pod get (informers only list and watch)', verb: 'get', group: '', resource: 'pods', namespace: 'default', name: 'p' },
  { why: 'pod writes', verb: 'create', group: '', resource: 'pods', namespace: 'default' },
  { why: 'node writes', verb: 'patch', group: '', resource: 'nodes', name: NODE },
  { why: 'kubelet proxy (exec, run, pods)', verb: 'get', group: '', resource: 'nodes', subresource: 'proxy', name: NODE },
  { why: 'kubelet logs', verb: 'get', group: '', resource: 'nodes', subresource: 'log', name: NODE },
  { why: 'another ConfigMap', verb: 'get', group: '', resource: 'configmaps', namespace: 'kube-system', name: 'kubeadm-config' },
  { why: 'all ConfigMaps', verb: 'list', group: '', resource: 'configmaps', namespace: 'kube-system' },
  {
    why: 'the auth ConfigMap name in another namespace', verb: 'get', group: '', resource: 'configmaps',
    namespace: 'default', name: 'extension-apiserver-authentication',
  },
  { why: 'namespaces', verb: 'list', group: '', resource: 'namespaces' },
  { why: 'the metrics API itself', verb: 'list', group: 'metrics.k8s.io', resource: 'pods' },
];

// Roles that kube-apiserver creates at bootstrap, which our bindings reference
// (kubernetes plugin/pkg/auth/authorizer/rbac/bootstrappolicy: namespace_policy.go, policy.go).
const BOOTSTRAP_ROLES: RoleObject[] = [
  {
    kind: 'Role', name: 'extension-apiserver-authentication-reader', namespace: 'kube-system',
    rules: [{ apiGroups: [''], resources: ['configmaps'], resourceNames: ['extension-apiserver-authentication'], verbs: ['get', 'list', 'watch'] }],
  },
  {
    kind: 'ClusterRole', name: 'system:auth-delegator',
    rules: [
      { apiGroups: ['authentication.k8s.io'], resources: ['tokenreviews'], verbs: ['create'] },
      { apiGroups: ['authorization.k8s.io'], resources: ['subjectaccessreviews'], verbs: ['create'] },
    ],
  },
];

const matches = (allowed: string[] | undefined, value: string): boolean => (allowed ?? []).some((a) => a === '*' || a === value);

function resourceMatches(allowed: string[] | undefined, call: ApiCall): boolean {
  const full = call.subresource ? `${call.resource}/${call.subresource}` : call.resource;
  return (allowed ?? []).some((a) =>
    a === '*' || a === full || (call.subresource !== undefined && (a === `${call.resource}/*` || a === `*/${call.subresource}`)));
}

/** RBAC's rule match (k8s.io/kubernetes/plugin/pkg/auth/authorizer/rbac RuleAllows). */
function ruleAllows(rule: PolicyRule, call: ApiCall): boolean {
  if (!matches(rule.verbs, call.verb) || !matches(rule.apiGroups, call.group) || !resourceMatches(rule.resources, call)) return false;
  if (!rule.resourceNames || rule.resourceNames.length === 0) return true;
  return call.name !== undefined && rule.resourceNames.includes(call.name);
}

function toRole(o: KubeObject): RoleObject {
  return { kind: o.kind as RoleObject['kind'], name: o.metadata.name, namespace: o.metadata.namespace, rules: (o.rules as PolicyRule[] | undefined) ?? [] };
}
function toBinding(o: KubeObject): Binding {
  return {
    kind: o.kind as Binding['kind'], name: o.metadata.name, namespace: o.metadata.namespace,
    roleRef: o.roleRef as Binding['roleRef'], subjects: (o.subjects as Subject[] | undefined) ?? [],
  };
}

class Rbac {
  constructor(readonly roles: RoleObject[], readonly bindings: Binding[], readonly sa: ServiceAccountRef = SERVICE_ACCOUNT) {}

  role(b: Binding): RoleObject | undefined {
    return this.roles.find((r) => r.kind === b.roleRef.kind && r.name === b.roleRef.name && (r.kind === 'ClusterRole' || r.namespace === b.namespace));
  }

  /** Bindings whose subjects include our ServiceAccount. */
  ours(): Binding[] {
    return this.bindings.filter((b) => b.subjects.some((s) =>
      s.kind === 'ServiceAccount' && s.name === this.sa.name && s.namespace === this.sa.namespace));
  }

  /** The rules that grant the call to our ServiceAccount, with the binding that brings each. */
  grants(call: ApiCall, bindings = this.ours()): { binding: Binding; rule: PolicyRule }[] {
    const out: { binding: Binding; rule: PolicyRule }[] = [];
    for (const b of bindings) {
      // A RoleBinding grants only inside its own namespace, and never cluster-scoped resources.
      if (b.kind === 'RoleBinding' && call.namespace !== b.namespace) continue;
      const role = this.role(b);
      for (const rule of role?.rules ?? []) if (ruleAllows(rule, call)) out.push({ binding: b, rule });
    }
    return out;
  }

  allows(call: ApiCall, bindings = this.ours()): boolean {
    return this.grants(call, bindings).length > 0;
  }
}

const describe = (c: ApiCall) =>
  `${c.verb} ${c.group ? `${c.group}/` : ''}${c.resource}${c.subresource ? `/${c.subresource}` : ''}${c.namespace ? ` in ${c.namespace}` : ''}${c.name ? ` ${c.name}` : ''} (${c.why})`;

/** Every (group, resource, verb, resourceName) a rule grants, spelled out. */
function expand(rule: PolicyRule): ApiCall[] {
  const out: ApiCall[] = [];
  for (const group of rule.apiGroups ?? []) for (const res of rule.resources ?? []) for (const verb of rule.verbs) {
    const [resource, subresource] = res.split('/') as [string, string | undefined];
    for (const name of rule.resourceNames?.length ? rule.resourceNames : [undefined]) {
      out.push({ why: 'granted', verb, group, resource, subresource, name });
    }
  }
  return out;
}

const sameAtom = (granted: ApiCall, call: ApiCall) =>
  granted.verb === call.verb && granted.group === call.group && granted.resource === call.resource &&
  granted.subresource === call.subresource && (granted.name === undefined || granted.name === call.name);

const { sets, skip: chartSkip } = await deploySets();
const RBAC_SETS: (ObjectSet & { sa: ServiceAccountRef })[] = sets.map((s) => ({ ...s, sa: SERVICE_ACCOUNT }));
// Another release name and namespace: the names follow the release, and the
// auth-reader RoleBinding stays in kube-system (where the ConfigMap is).
const chart = await chartRunner();
if (!('missing' in chart)) {
  try {
    RBAC_SETS.push({
      label: 'chart, release ms in namespace monitoring',
      objects: await chart.render({ release: 'ms', namespace: 'monitoring' }),
      sa: { namespace: 'monitoring', name: 'ms-metrics-server' },
    });
  } finally {
    chart.cleanup();
  }
}
if (chartSkip) t.test('the Helm chart renders', { skip: chartSkip }, async () => {});

for (const { label: manifest, objects, sa } of RBAC_SETS) {
  const shippedRoles = objects.filter((o) => o.kind === 'Role' || o.kind === 'ClusterRole').map(toRole);
  const bindings = objects.filter((o) => o.kind === 'RoleBinding' || o.kind === 'ClusterRoleBinding').map(toBinding);
  const rbac = new Rbac([...shippedRoles, ...BOOTSTRAP_ROLES], bindings, sa);

  t.test(`${manifest}: every API call the server makes is granted`, async (t) => {
    for (const call of API_CALLS) t.ok(rbac.allows(call), describe(call));

    // The kubelet source the Deployment selects is among the granted calls.
    const deployments = objects.filter((o) => o.kind === 'Deployment');
    t.equal(deployments.length, 1, 'one Deployment');
    const options = parseOptions(serverContainer(deployments[0] as unknown as IDeployment).args ?? []);
    const sub = options.kubeletSource === 'summary' ? 'stats' : 'metrics';
    t.ok(rbac.allows({ why: 'configured kubelet source', verb: 'get', group: '', resource: 'nodes', subresource: sub, name: NODE }),
      `the configured --kubelet-source=${options.kubeletSource} (nodes/${sub}) is granted`);
  });

  t.test(`${manifest}: nothing else is granted`, async (t) => {
    for (const call of FORBIDDEN) t.notOk(rbac.allows(call), `refused: ${describe(call)}`);

    for (const b of rbac.ours()) {
      t.ok(rbac.role(b), `${b.kind} ${b.name} references an existing ${b.roleRef.kind} ${b.roleRef.name}`);
      const without = rbac.ours().filter((x) => x !== b);
      t.ok(API_CALLS.some((c) => rbac.allows(c) && !rbac.allows(c, without)), `${b.kind} ${b.name} is needed by some call`);
    }

    // Our own roles bound to the ServiceAccount: every permission they spell out is used.
    const ourRoleNames = new Set(rbac.ours().map((b) => `${b.roleRef.kind}/${b.roleRef.name}`));
    for (const role of shippedRoles.filter((r) => ourRoleNames.has(`${r.kind}/${r.name}`))) {
      for (const rule of role.rules) {
        t.notOk([...(rule.apiGroups ?? []), ...(rule.resources ?? []), ...rule.verbs].includes('*'), `${role.name}: no wildcards`);
        t.same(rule.nonResourceURLs, undefined, `${role.name}: no non-resource URLs`);
        for (const atom of expand(rule)) {
          t.ok(API_CALLS.some((c) => sameAtom(atom, c)), `${role.name} grants ${describe(atom)} and the code uses it`);
        }
      }
    }

    for (const b of bindings) {
      t.same(b.subjects, [{ kind: 'ServiceAccount', name: sa.name, namespace: sa.namespace }],
        `${b.kind} ${b.name} binds only the ${sa.namespace}/${sa.name} ServiceAccount`);
    }
  });

  t.test(`${manifest}: the aggregated metrics reader`, async (t) => {
    // system:aggregated-metrics-reader in the manifests, system:<fullname>-aggregated-reader in the chart.
    const readers = objects.filter((o) => o.kind === 'ClusterRole' && /^system:.*aggregated.*reader$/.test(o.metadata.name));
    t.equal(readers.length, 1, 'one is shipped');
    const reader = readers[0];
    const labels = reader?.metadata.labels ?? {};
    for (const to of ['view', 'edit', 'admin']) t.equal(labels[`rbac.authorization.k8s.io/aggregate-to-${to}`], 'true', `aggregates to ${to}`);
    t.same(reader?.rules, [{ apiGroups: ['metrics.k8s.io'], resources: ['pods', 'nodes'], verbs: ['get', 'list', 'watch'] }],
      'read-only on metrics.k8s.io pods and nodes');
    t.notOk(bindings.some((b) => b.roleRef.name === reader?.metadata.name), 'is not bound to the server');
  });
}

t.test('the evaluator follows RBAC matching rules', async (t) => {
  const call: ApiCall = { why: 'x', verb: 'get', group: '', resource: 'nodes', subresource: 'stats', name: NODE };
  t.ok(ruleAllows({ apiGroups: [''], resources: ['nodes/stats'], verbs: ['get'] }, call), 'exact subresource');
  t.ok(ruleAllows({ apiGroups: [''], resources: ['nodes/*'], verbs: ['get'] }, call), 'subresource wildcard');
  t.notOk(ruleAllows({ apiGroups: [''], resources: ['nodes'], verbs: ['get'] }, call), 'the resource does not grant its subresources');
  t.notOk(ruleAllows({ apiGroups: ['apps'], resources: ['nodes/stats'], verbs: ['get'] }, call), 'group must match');
  t.notOk(ruleAllows({ apiGroups: [''], resources: ['nodes/stats'], verbs: ['list'] }, call), 'verb must match');
  t.notOk(ruleAllows({ apiGroups: [''], resources: ['nodes/stats'], verbs: ['get'], resourceNames: ['other'] }, call), 'resourceNames restrict');
  const rb: Binding = {
    kind: 'RoleBinding', name: 'rb', namespace: 'kube-system',
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'cr' },
    subjects: [{ kind: 'ServiceAccount', name: SERVICE_ACCOUNT.name, namespace: SERVICE_ACCOUNT.namespace }],
  };
  const rbac = new Rbac([{ kind: 'ClusterRole', name: 'cr', rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['list'] }] }], [rb]);
  t.ok(rbac.allows({ why: 'x', verb: 'list', group: '', resource: 'pods', namespace: 'kube-system' }), 'a RoleBinding grants in its namespace');
  t.notOk(rbac.allows({ why: 'x', verb: 'list', group: '', resource: 'pods', namespace: 'default' }), 'but not in another');
  t.notOk(rbac.allows({ why: 'x', verb: 'list', group: '', resource: 'pods' }), 'nor across all namespaces');
});
