// deploy/high-availability.yaml: two replicas that never share a node, a
// PodDisruptionBudget, surge-only rolling updates; otherwise the same objects
// as components.yaml.
import t from 'tap';
import { isDeepStrictEqual } from 'node:util';
import { deploymentOf, find, loadManifest, type KubeObject } from './manifests.js';

const ha = loadManifest('high-availability.yaml');
const single = loadManifest('components.yaml');

t.test('two replicas on different nodes', async (t) => {
  const d = deploymentOf(ha);
  const podLabels = d.spec?.template.metadata?.labels ?? {};
  t.equal(d.spec?.replicas, 2, '2 replicas');
  t.equal(d.spec?.strategy?.type ?? 'RollingUpdate', 'RollingUpdate', 'rolling update');
  t.equal(d.spec?.strategy?.rollingUpdate?.maxUnavailable, 0, 'maxUnavailable 0');

  const terms = d.spec?.template.spec?.affinity?.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? [];
  t.equal(terms.length, 1, 'one required anti-affinity term');
  const term = terms[0];
  t.equal(term?.topologyKey, 'kubernetes.io/hostname', 'per hostname');
  t.same(term?.namespaces, ['kube-system'], 'among the pods of kube-system');
  const selector = term?.labelSelector?.matchLabels ?? {};
  t.ok(Object.keys(selector).length > 0, 'with a label selector');
  for (const [k, v] of Object.entries(selector)) t.equal(podLabels[k], v, `that selects the replicas themselves (${k}=${v})`);
  t.same(term?.labelSelector?.matchExpressions, undefined, 'and nothing else');
});

t.test('PodDisruptionBudget', async (t) => {
  const pdb = find(ha, 'PodDisruptionBudget', 'metrics-server') as unknown as {
    apiVersion: string; metadata: { namespace: string };
    spec: { minAvailable?: number | string; maxUnavailable?: number | string; selector: { matchLabels: Record<string, string> } };
  };
  const d = deploymentOf(ha);
  t.equal(pdb.apiVersion, 'policy/v1', 'policy/v1');
  t.equal(pdb.metadata.namespace, 'kube-system', 'in kube-system');
  t.equal(pdb.spec.minAvailable, 1, 'minAvailable 1');
  t.equal(pdb.spec.maxUnavailable, undefined, 'no maxUnavailable alongside (mutually exclusive)');
  t.same(pdb.spec.selector.matchLabels, d.spec?.selector.matchLabels, 'selects the Deployment\'s pods');
  t.ok((d.spec?.replicas ?? 1) > Number(pdb.spec.minAvailable), 'leaves room for one voluntary eviction');
});

t.test('otherwise identical to components.yaml', async (t) => {
  // Remove what HA adds; the rest must not drift from the single-replica manifest.
  const strip = (objects: KubeObject[]): KubeObject[] =>
    structuredClone(objects)
      .filter((o) => o.kind !== 'PodDisruptionBudget')
      .map((o) => {
        if (o.kind === 'Deployment') {
          const spec = o.spec as { replicas?: number; template: { spec: { affinity?: unknown } } };
          delete spec.replicas;
          delete spec.template.spec.affinity;
        }
        return o;
      });
  const a = strip(ha);
  const b = strip(single);
  t.equal(a.length, b.length, 'same number of objects');
  b.forEach((obj, i) => t.ok(isDeepStrictEqual(a[i], obj), `${obj.kind}/${obj.metadata.name} is the same`));
  t.equal(deploymentOf(single).spec?.replicas, 1, 'components.yaml runs one replica');
  t.same(deploymentOf(single).spec?.template.spec?.affinity, undefined, 'without anti-affinity');
  t.notOk(single.some((o) => o.kind === 'PodDisruptionBudget'), 'and without a PodDisruptionBudget (it would block drains)');
});
