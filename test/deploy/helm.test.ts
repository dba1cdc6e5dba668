// deploy/helm/metrics-server-ts with the real helm: it lints; its default values
// render deploy/components.yaml's objects and ci/ha-values.yaml those of
// deploy/high-availability.yaml (field by field, once the labels and names Helm
// derives from the release are set aside); the flags it renders are accepted by
// our own parser; values.schema.json refuses bad values; and each value does
// what values.yaml says.
import t from 'tap';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { flagWarnings } from '../../src/flag-warnings.js';
import { parseOptions } from '../../src/options.js';
import { repoRoot } from '../helpers/paths.js';
import { CHART_DIR, HA_VALUES, chartRunner, type ChartRunner, type RenderOptions } from './chart.js';
import { objectId, renderChecked } from './render-checks.js';
import { deploymentOf, find, loadManifest, serverContainer, type KubeObject } from './manifests.js';

const runner = await chartRunner();
const skip = 'missing' in runner ? `helm not available: ${runner.missing}` : false;
const chart = runner as ChartRunner;
if (!skip) t.teardown(() => chart.cleanup());

const tmp = mkdtempSync(join(tmpdir(), 'chart-test-'));
t.teardown(() => rmSync(tmp, { recursive: true, force: true }));

const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { version: string };
const NAMESPACED = new Set(['ServiceAccount', 'RoleBinding', 'Role', 'Service', 'Deployment', 'PodDisruptionBudget']);
const HELM_LABEL = /^(app\.kubernetes\.io\/|helm\.sh\/)/;
const READER_IN_MANIFESTS = 'system:aggregated-metrics-reader';
const AGGREGATE = 'rbac.authorization.k8s.io/aggregate-to-view';
const PODS = '<selects exactly the server pods>';

const id = objectId;
const ids = (objects: KubeObject[]) => objects.map(id).sort();
const kinds = (objects: KubeObject[]) => objects.map((o) => o.kind);

interface PodSpecView {
  spec: {
    replicas?: number;
    selector: unknown;
    strategy?: unknown;
    template: {
      metadata: { labels: Record<string, string>; annotations?: Record<string, string> };
      spec: {
        affinity?: { podAntiAffinity?: { requiredDuringSchedulingIgnoredDuringExecution?: { labelSelector?: unknown; namespaces?: string[]; topologyKey: string }[] } };
        topologySpreadConstraints?: { labelSelector?: unknown }[];
        containers: { name: string; args?: string[] }[];
        [field: string]: unknown;
      };
    };
  };
}

/**
 * The objects with what Helm derives from the release set aside: the
 * app.kubernetes.io and helm.sh labels dropped, every label selector that
 * selects exactly the server pods replaced by a token, the aggregated reader
 * under the manifests' name, and the server's args sorted (the chart puts
 * --secure-port first). Anything else that differs stays and shows.
 */
function normalise(objects: KubeObject[]): Map<string, KubeObject> {
  const copy = structuredClone(objects);
  const podLabels = { ...(deploymentOf(copy).spec?.template.metadata?.labels ?? {}) };
  const selector = (sel: unknown): unknown => {
    const labels = (sel as { matchLabels?: Record<string, string> } | undefined)?.matchLabels ?? (sel as Record<string, string> | undefined);
    if (!labels || typeof labels !== 'object' || Object.keys(labels).length === 0) return sel;
    const only = sel !== labels ? Object.keys(sel as object).length === 1 : true;
    return only && Object.entries(labels).every(([k, v]) => podLabels[k] === v) ? PODS : sel;
  };
  const strip = (labels?: Record<string, string>) =>
    labels && Object.fromEntries(Object.entries(labels).filter(([k]) => !HELM_LABEL.test(k)));
  const out = new Map<string, KubeObject>();
  for (const o of copy) {
    if (o.metadata.labels) o.metadata.labels = strip(o.metadata.labels)!;
    if (o.kind === 'ClusterRole' && o.metadata.labels?.[AGGREGATE] === 'true') o.metadata.name = READER_IN_MANIFESTS;
    const spec = o.spec as Record<string, unknown> | undefined;
    if (o.kind === 'Service' && spec) spec.selector = selector(spec.selector);
    if (o.kind === 'PodDisruptionBudget' && spec) spec.selector = selector(spec.selector);
    if (o.kind === 'Deployment') {
      const d = o as unknown as PodSpecView;
      d.spec.selector = selector(d.spec.selector);
      d.spec.template.metadata.labels = strip(d.spec.template.metadata.labels)!;
      const pod = d.spec.template.spec;
      for (const term of pod.affinity?.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? []) term.labelSelector = selector(term.labelSelector);
      for (const c of pod.topologySpreadConstraints ?? []) c.labelSelector = selector(c.labelSelector);
      for (const c of pod.containers) c.args?.sort();
    }
    out.set(id(o), o);
  }
  return out;
}

const argsOf = (objects: KubeObject[]) => serverContainer(deploymentOf(objects)).args ?? [];
const podSpec = (objects: KubeObject[]) => (deploymentOf(objects) as unknown as PodSpecView).spec.template.spec;
const apiServiceSpec = (objects: KubeObject[]) =>
  (find(objects, 'APIService', 'v1beta1.metrics.k8s.io') as unknown as { spec: Record<string, unknown> }).spec;

t.test('the chart\'s files', async (t) => {
  const chartYaml = parseYaml(readFileSync(join(CHART_DIR, 'Chart.yaml'), 'utf8')) as Record<string, unknown>;
  t.equal(chartYaml.apiVersion, 'v2', 'Chart.yaml apiVersion v2 (Helm 3 and later)');
  t.equal(chartYaml.name, 'metrics-server-ts', 'named after its directory');
  t.equal(chartYaml.type, 'application', 'an application chart');
  t.equal(chartYaml.appVersion, pkg.version, 'appVersion is package.json\'s version (the default image tag)');
  t.match(chartYaml.version, /^\d+\.\d+\.\d+$/, 'a SemVer chart version');

  const values = parseYaml(readFileSync(join(CHART_DIR, 'values.yaml'), 'utf8')) as Record<string, unknown>;
  const schema = JSON.parse(readFileSync(join(CHART_DIR, 'values.schema.json'), 'utf8')) as { additionalProperties?: boolean; properties: Record<string, unknown> };
  t.same(Object.keys(values).filter((k) => !(k in schema.properties)), [], 'values.schema.json declares every value');
  t.equal(schema.additionalProperties, false, 'and refuses undeclared ones (misspelt values fail)');
  // So does every object inside that declares its keys (updateStrategy, imagePullSecrets' items, ...).
  const open: string[] = [];
  const walk = (node: unknown, path: string): void => {
    if (Array.isArray(node)) node.forEach((v, i) => walk(v, `${path}[${i}]`));
    else if (node !== null && typeof node === 'object') {
      const o = node as Record<string, unknown>;
      if ('properties' in o && o.additionalProperties !== false) open.push(path || '/');
      for (const [k, v] of Object.entries(o)) walk(v, `${path}/${k}`);
    }
  };
  walk(schema, '');
  t.same(open, [], 'every object with declared keys refuses others');
  for (const f of ['templates/NOTES.txt', 'templates/_helpers.tpl', 'ci/ha-values.yaml', '.helmignore']) {
    t.doesNotThrow(() => readFileSync(join(CHART_DIR, f)), `${f} exists`);
  }
});

t.test('helm lint', { skip }, async (t) => {
  t.comment(`helm ${chart.found.version} (${chart.found.source}: ${chart.found.path})`);
  const ciFiles = readdirSync(join(CHART_DIR, 'ci')).filter((f) => f.endsWith('.yaml')).sort();
  t.ok(ciFiles.includes('ha-values.yaml'), `ci/ holds ${ciFiles.join(', ')}`);
  for (const [what, extra] of [['default values', []], ...ciFiles.map((f) => [`ci/${f}`, ['-f', join(CHART_DIR, 'ci', f)]] as const)] as const) {
    const r = await chart.helm(['lint', '--strict', CHART_DIR, ...extra]);
    t.equal(r.code, 0, `${what}: passes --strict ${r.stderr}`);
    t.match(r.stdout, /1 chart\(s\) linted, 0 chart\(s\) failed/, `${what}: no failure reported`);
    t.notMatch(r.stdout, /\[(WARNING|ERROR)\]/, `${what}: no warning`);
  }
  const bad = await chart.helm(['lint', '--strict', CHART_DIR, '--set-string', 'replicas=two']);
  t.not(bad.code, 0, 'a bad value fails the lint (control)');
});

t.test('default values: the objects of deploy/components.yaml', { skip }, async (t) => {
  const objects = await renderChecked(t, chart);
  const manifest = loadManifest('components.yaml');
  t.same(ids(objects), [
    'APIService/v1beta1.metrics.k8s.io',
    'ClusterRole/system:metrics-server',
    'ClusterRole/system:metrics-server-aggregated-reader',
    'ClusterRoleBinding/metrics-server:system:auth-delegator',
    'ClusterRoleBinding/system:metrics-server',
    'Deployment/metrics-server',
    'RoleBinding/metrics-server-auth-reader',
    'Service/metrics-server',
    'ServiceAccount/metrics-server',
  ], 'the same kinds and names (the aggregated reader is named after the release, as in upstream\'s chart)');
  t.same(kinds(objects).sort(), kinds(manifest).sort(), 'one object per object of components.yaml');

  for (const o of objects) {
    const labels = o.metadata.labels ?? {};
    if (NAMESPACED.has(o.kind)) t.equal(o.metadata.namespace, 'kube-system', `${id(o)} in the release namespace`);
    else t.equal(o.metadata.namespace, undefined, `${id(o)} cluster-scoped`);
    t.match(labels, {
      'k8s-app': 'metrics-server',
      'app.kubernetes.io/name': 'metrics-server',
      'app.kubernetes.io/instance': 'metrics-server',
      'app.kubernetes.io/managed-by': 'Helm',
      'app.kubernetes.io/version': pkg.version,
      'helm.sh/chart': `metrics-server-ts-${pkg.version}`,
    }, `${id(o)} carries k8s-app and Helm's labels`);
  }

  const ours = normalise(objects);
  const theirs = normalise(manifest);
  t.same([...ours.keys()].sort(), [...theirs.keys()].sort(), 'pair up one to one');
  for (const [key, want] of theirs) t.strictSame(ours.get(key), want, `${key} equals components.yaml's, field by field`);

  // Controls: the comparison sees a drift, and only a selector of exactly the pods becomes the token.
  const drifted = normalise(await chart.render({ set: ['readinessProbe.initialDelaySeconds=21'] }));
  t.notSame(drifted.get('Deployment/metrics-server'), theirs.get('Deployment/metrics-server'), 'a changed probe shows (control)');
  const wrongSelector = structuredClone(manifest);
  (find(wrongSelector, 'Service', 'metrics-server').spec as { selector: unknown }).selector = { 'k8s-app': 'metrics-server', extra: 'x' };
  t.notSame(normalise(wrongSelector).get('Service/metrics-server'), theirs.get('Service/metrics-server'), 'a selector that misses the pods shows (control)');

  // What normalise set aside, checked on its own.
  const d = deploymentOf(objects);
  t.same(d.spec?.selector.matchLabels, { 'app.kubernetes.io/name': 'metrics-server', 'app.kubernetes.io/instance': 'metrics-server' },
    'the Deployment selects by name and instance');
  t.same(d.spec?.template.metadata?.labels, { 'app.kubernetes.io/name': 'metrics-server', 'app.kubernetes.io/instance': 'metrics-server', 'k8s-app': 'metrics-server' },
    'the pods carry the selector labels and k8s-app');
  t.same(argsOf(objects), ['--secure-port=10250', ...argsOf(manifest).filter((a) => !a.startsWith('--secure-port'))],
    'args: --secure-port from containerPort, then components.yaml\'s other flags in their order');
});

t.test('ci/ha-values.yaml: the objects of deploy/high-availability.yaml', { skip }, async (t) => {
  const objects = await renderChecked(t, chart, { values: [HA_VALUES] });
  const manifest = loadManifest('high-availability.yaml');
  const ours = normalise(objects);
  const theirs = normalise(manifest);
  t.same([...ours.keys()].sort(), [...theirs.keys()].sort(), 'the same objects, with the PodDisruptionBudget');
  for (const [key, want] of theirs) t.strictSame(ours.get(key), want, `${key} equals high-availability.yaml's, field by field`);

  const d = deploymentOf(objects);
  t.equal(d.spec?.replicas, 2, '2 replicas');
  t.equal(d.spec?.strategy?.rollingUpdate?.maxUnavailable, 0, 'maxUnavailable 0');
  const terms = d.spec?.template.spec?.affinity?.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? [];
  t.equal(terms.length, 1, 'one required anti-affinity term');
  t.equal(terms[0]?.topologyKey, 'kubernetes.io/hostname', 'per hostname');
  t.same(terms[0]?.namespaces, ['kube-system'], 'in the release namespace');
  t.same(terms[0]?.labelSelector?.matchLabels, d.spec?.selector.matchLabels, 'selecting this release\'s pods (the values are rendered with tpl)');
  const pdb = find(objects, 'PodDisruptionBudget', 'metrics-server') as unknown as { spec: { minAvailable?: unknown; maxUnavailable?: unknown; selector: unknown } };
  t.equal(pdb.spec.minAvailable, 1, 'PodDisruptionBudget minAvailable 1');
  t.equal(pdb.spec.maxUnavailable, undefined, 'without maxUnavailable');
  t.same(pdb.spec.selector, d.spec?.selector, 'over the Deployment\'s pods');

  const elsewhere = find(await chart.render({ values: [HA_VALUES], release: 'ms', namespace: 'monitoring' }), 'Deployment', 'ms-metrics-server') as unknown as PodSpecView;
  const term = elsewhere.spec.template.spec.affinity?.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.[0];
  t.same(term?.namespaces, ['monitoring'], 'another release namespace is followed');
  t.same(term?.labelSelector, elsewhere.spec.selector, 'and its release name');
});

t.test('the rendered args pass our flag parser', { skip }, async (t) => {
  const manifestOptions = parseOptions(argsOf(loadManifest('components.yaml')));
  const defaults = parseOptions(argsOf(await chart.render()));
  t.strictSame(defaults, manifestOptions, 'default values: the options of components.yaml');
  t.same(flagWarnings(defaults), [], 'no start-up warning');

  const metrics = parseOptions(argsOf(await chart.render({ set: ['metrics.enabled=true'] })));
  t.ok(metrics.authorizationAlwaysAllowPaths.includes('/metrics'), 'metrics.enabled: /metrics without authorization');
  for (const p of ['/healthz', '/readyz', '/livez']) {
    t.ok(metrics.authorizationAlwaysAllowPaths.includes(p), `and ${p} still (the probes are anonymous)`);
  }
  t.same(flagWarnings(metrics), [], 'no start-up warning');

  const extra = await chart.render({ set: ['args={--kubelet-insecure-tls,--v=2}', 'containerPort=4443'] });
  const args = argsOf(extra);
  t.same(args.slice(-2), ['--kubelet-insecure-tls', '--v=2'], 'args come after defaultArgs');
  const o = parseOptions(args);
  t.equal(o.kubeletInsecureTls, true, '--kubelet-insecure-tls parsed');
  t.equal(o.verbosity, 2, '--v=2 parsed');
  t.equal(o.securePort, 4443, 'containerPort sets --secure-port');
  const c = serverContainer(deploymentOf(extra));
  t.same(c.ports, [{ name: 'https', containerPort: 4443, protocol: 'TCP' }], 'and the container port named https');
  t.equal(c.readinessProbe?.httpGet?.port, 'https', 'which the probes follow by name');

  const replaced = parseOptions(argsOf(await chart.render({ set: ['defaultArgs={--cert-dir=/tmp}'] })));
  t.same([...replaced.explicit].sort(), ['cert-dir', 'secure-port'], 'defaultArgs can be replaced');
});

t.test('values.schema.json refuses bad values', { skip }, async (t) => {
  const badFile = join(tmp, 'bad.yaml');
  writeFileSync(badFile, 'replicas: two\n');
  const cases: [string, RenderOptions, RegExp][] = [
    ['replicas: two (values file)', { values: [badFile] }, /\/replicas.*want integer|replicas.*integer/],
    ['replicas=two (--set-string)', { setString: ['replicas=two'] }, /\/replicas/],
    ['a misspelt value (replica)', { set: ['replica=2'] }, /additional properties 'replica'/],
    ['image.pullPolicy=Sometimes', { set: ['image.pullPolicy=Sometimes'] }, /\/image\/pullPolicy/],
    ['containerPort=70000', { set: ['containerPort=70000'] }, /\/containerPort/],
    ['podDisruptionBudget.minAvailable=half', { set: ['podDisruptionBudget.minAvailable=half'] }, /\/podDisruptionBudget\/minAvailable/],
    ['an arg that is not a flag', { set: ['args={kubelet-insecure-tls}'] }, /\/args\/0/],
    ['apiService.caBundle=true (not a string)', { set: ['apiService.caBundle=true'] }, /\/apiService\/caBundle/],
    ['service.type=Headless', { set: ['service.type=Headless'] }, /\/service\/type/],
  ];
  for (const [what, opts, where] of cases) {
    const r = await chart.helm(chart.templateArgs(opts));
    t.not(r.code, 0, `${what}: refused`);
    t.match(r.stderr, /values don't meet the specifications of the schema/, `${what}: by the schema`);
    t.match(r.stderr, where, `${what}: at the value`);
  }
  const ok = await chart.helm(chart.templateArgs({ set: ['replicas=3', 'podDisruptionBudget.enabled=true', 'podDisruptionBudget.minAvailable=50%'] }));
  t.equal(ok.code, 0, `good values pass (control) ${ok.stderr}`);
});

t.test('what the templates refuse', { skip }, async (t) => {
  const cases: [string, string[], RegExp][] = [
    ['a PodDisruptionBudget with both bounds', ['--set', 'podDisruptionBudget.enabled=true,podDisruptionBudget.minAvailable=1,podDisruptionBudget.maxUnavailable=1'], /set only one of minAvailable and maxUnavailable/],
    ['a PodDisruptionBudget without either', ['--set', 'podDisruptionBudget.enabled=true'], /set minAvailable or maxUnavailable/],
    ['hostNetwork on the kubelet\'s port', ['--set', 'hostNetwork.enabled=true'], /kubelet holds port 10250/],
    ['Kubernetes older than policy/v1 PodDisruptionBudgets', ['--kube-version', '1.20.0'], /requires kubeVersion/],
  ];
  for (const [what, extra, message] of cases) {
    const r = await chart.helm([...chart.templateArgs(), ...extra]);
    t.not(r.code, 0, `${what}: refused`);
    t.match(r.stderr, message, `${what}: says why`);
  }
});

t.test('rbac.create, apiService.create, serviceAccount', { skip }, async (t) => {
  const noRbac = await renderChecked(t, chart, { set: ['rbac.create=false'] });
  t.same(kinds(noRbac).filter((k) => /Role/.test(k)), [], 'rbac.create=false: no Role, ClusterRole or binding');
  t.same(ids(noRbac), ['APIService/v1beta1.metrics.k8s.io', 'Deployment/metrics-server', 'Service/metrics-server', 'ServiceAccount/metrics-server'],
    'the rest stays');

  const noApi = await renderChecked(t, chart, { set: ['apiService.create=false'] });
  t.notOk(noApi.some((o) => o.kind === 'APIService'), 'apiService.create=false: no APIService');
  t.equal(noApi.length, 8, 'the rest stays');

  const external = await renderChecked(t, chart, { set: ['serviceAccount.create=false', 'serviceAccount.name=ms-sa'] });
  t.notOk(external.some((o) => o.kind === 'ServiceAccount'), 'serviceAccount.create=false: no ServiceAccount');
  t.equal(podSpec(external).serviceAccountName, 'ms-sa', 'the pods run as serviceAccount.name');
  const subjects = external.filter((o) => /Binding$/.test(o.kind)).map((o) => (o.subjects as { name: string }[])[0]?.name);
  t.same(subjects, ['ms-sa', 'ms-sa', 'ms-sa'], 'and the bindings bind it');
  t.equal(podSpec(await chart.render({ set: ['serviceAccount.create=false'] })).serviceAccountName, 'default', 'without a name: default');

  const annotated = await chart.render({ set: ['serviceAccount.annotations.eks\\.amazonaws\\.com/role-arn=arn:x'] });
  t.same(find(annotated, 'ServiceAccount', 'metrics-server').metadata, {
    ...find(await chart.render(), 'ServiceAccount', 'metrics-server').metadata, annotations: { 'eks.amazonaws.com/role-arn': 'arn:x' },
  }, 'serviceAccount.annotations');
});

t.test('apiService TLS: caBundle or insecureSkipTLSVerify', { skip }, async (t) => {
  const pem = '-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIUX0test0only0not0a0real0certificate0MAoGCCqGSM49\n-----END CERTIFICATE-----\n';
  const pemFile = join(tmp, 'ca.pem');
  writeFileSync(pemFile, pem);
  const b64 = Buffer.from(pem).toString('base64');

  t.same(apiServiceSpec(await chart.render()).insecureSkipTLSVerify, true, 'default: insecureSkipTLSVerify');
  t.equal(apiServiceSpec(await chart.render()).caBundle, undefined, 'without caBundle');

  const verified = apiServiceSpec(await renderChecked(t, chart, { setFile: [`apiService.caBundle=${pemFile}`] }));
  t.equal(verified.caBundle, b64, 'a PEM (--set-file) is base64-encoded into caBundle');
  t.equal(verified.insecureSkipTLSVerify, undefined, 'and insecureSkipTLSVerify is left out (the API server rejects both)');
  t.equal(Buffer.from(verified.caBundle as string, 'base64').toString(), pem, 'the bundle decodes to the PEM');

  // The README's recipe: the serving certificate from a Secret, the CA in the APIService.
  const recipe = await renderChecked(t, chart, {
    setFile: [`apiService.caBundle=${pemFile}`],
    set: [
      'extraVolumes[0].name=tls,extraVolumes[0].secret.secretName=metrics-server-tls',
      'extraVolumeMounts[0].name=tls,extraVolumeMounts[0].mountPath=/tls,extraVolumeMounts[0].readOnly=true',
      'args={--tls-cert-file=/tls/tls.crt,--tls-private-key-file=/tls/tls.key}',
    ],
  });
  const tls = parseOptions(argsOf(recipe));
  t.equal(tls.tlsCertFile, '/tls/tls.crt', 'the recipe\'s args parse: --tls-cert-file');
  t.equal(tls.tlsPrivateKeyFile, '/tls/tls.key', '--tls-private-key-file');
  t.ok(serverContainer(deploymentOf(recipe)).volumeMounts?.some((m) => m.mountPath === '/tls' && m.readOnly), 'mounted read-only');

  const encoded = apiServiceSpec(await chart.render({ set: [`apiService.caBundle=${b64}`] }));
  t.equal(encoded.caBundle, b64, 'an already base64 bundle is kept as given');
  t.equal(encoded.insecureSkipTLSVerify, undefined, 'also without insecureSkipTLSVerify');

  const neither = apiServiceSpec(await chart.render({ set: ['apiService.insecureSkipTLSVerify=false'] }));
  t.notOk('insecureSkipTLSVerify' in neither || 'caBundle' in neither, 'insecureSkipTLSVerify=false and no caBundle: neither field');

  const annotated = await chart.render({ set: ['apiService.annotations.cert-manager\\.io/inject-ca-from=kube-system/ms'] });
  t.same(find(annotated, 'APIService', 'v1beta1.metrics.k8s.io').metadata.annotations, { 'cert-manager.io/inject-ca-from': 'kube-system/ms' }, 'apiService.annotations');
});

t.test('release name and namespace', { skip }, async (t) => {
  const objects = await renderChecked(t, chart, { release: 'ms', namespace: 'monitoring' });
  t.same(ids(objects), [
    'APIService/v1beta1.metrics.k8s.io',
    'ClusterRole/system:ms-metrics-server',
    'ClusterRole/system:ms-metrics-server-aggregated-reader',
    'ClusterRoleBinding/ms-metrics-server:system:auth-delegator',
    'ClusterRoleBinding/system:ms-metrics-server',
    'Deployment/ms-metrics-server',
    'RoleBinding/ms-metrics-server-auth-reader',
    'Service/ms-metrics-server',
    'ServiceAccount/ms-metrics-server',
  ], 'names follow the release (<release>-metrics-server)');
  for (const o of objects.filter((x) => NAMESPACED.has(x.kind))) {
    const want = o.kind === 'RoleBinding' ? 'kube-system' : 'monitoring';
    t.equal(o.metadata.namespace, want, `${id(o)} in ${want}`);
  }
  for (const o of objects.filter((x) => /Binding$/.test(x.kind))) {
    t.same(o.subjects, [{ kind: 'ServiceAccount', name: 'ms-metrics-server', namespace: 'monitoring' }], `${id(o)} binds monitoring/ms-metrics-server`);
  }
  t.same(apiServiceSpec(objects).service, { name: 'ms-metrics-server', namespace: 'monitoring', port: 443 }, 'the APIService points at the release\'s Service');
  const crb = find(objects, 'ClusterRoleBinding', 'system:ms-metrics-server') as unknown as { roleRef: { name: string } };
  t.equal(crb.roleRef.name, 'system:ms-metrics-server', 'and the ClusterRoleBinding at the release\'s ClusterRole');

  t.same(ids(await chart.render({ release: 'metrics-server-prod' })).filter((i) => i.startsWith('Deployment')), ['Deployment/metrics-server-prod'],
    'a release name that contains metrics-server is used as is');
  t.same(ids(await chart.render({ set: ['fullnameOverride=msts'] })).filter((i) => i.startsWith('Service/')), ['Service/msts'], 'fullnameOverride');
  const renamed = await chart.render({ release: 'ms', set: ['nameOverride=metrics'] });
  t.same(ids(renamed).filter((i) => i.startsWith('Service/')), ['Service/ms-metrics'], 'nameOverride');
  const renamedPods = (find(renamed, 'Deployment', 'ms-metrics') as unknown as PodSpecView).spec.template.metadata.labels;
  t.equal(renamedPods['k8s-app'], 'metrics', 'and k8s-app follows it');
});

t.test('pod and Service values', { skip }, async (t) => {
  // A values file, as operators write them (tpl strings and dotted keys need no escaping).
  const valuesFile = join(tmp, 'everything.yaml');
  writeFileSync(valuesFile, `
image: { repository: registry.example.com/metrics-server-ts, tag: 0.2.0-rc.1, pullPolicy: Always }
imagePullSecrets: [{ name: regcred }]
replicas: 3
revisionHistoryLimit: 4
updateStrategy: { type: Recreate }
resources: { limits: { memory: 1Gi }, requests: { cpu: 200m } }
nodeSelector: { pool: system }
tolerations: [{ key: CriticalAddonsOnly, operator: Exists }]
topologySpreadConstraints:
  - maxSkew: 1
    topologyKey: topology.kubernetes.io/zone
    whenUnsatisfiable: ScheduleAnyway
    labelSelector: { matchLabels: { app.kubernetes.io/instance: '{{ .Release.Name }}' } }
priorityClassName: ""
schedulerName: my-scheduler
podLabels: { team: platform }
podAnnotations: { prometheus.io/scrape: "false" }
deploymentAnnotations: { owner: sre }
commonLabels: { env: prod }
hostNetwork: { enabled: true }
containerPort: 4443
podDisruptionBudget: { enabled: true, maxUnavailable: 1 }
service:
  type: NodePort
  port: 8443
  labels: { kubernetes.io/cluster-service: "true" }
  annotations: { a: b }
extraVolumes: [{ name: certs, secret: { secretName: metrics-server-tls } }]
extraVolumeMounts: [{ name: certs, mountPath: /certs, readOnly: true }]
`);
  const objects = await renderChecked(t, chart, { values: [valuesFile] });
  const d = deploymentOf(objects);
  const pod = d.spec!.template.spec!;
  const c = serverContainer(d);
  t.equal(c.image, 'registry.example.com/metrics-server-ts:0.2.0-rc.1', 'image.repository and image.tag');
  t.equal(c.imagePullPolicy, 'Always', 'image.pullPolicy');
  t.same(pod.imagePullSecrets, [{ name: 'regcred' }], 'imagePullSecrets');
  t.equal(d.spec?.replicas, 3, 'replicas');
  t.equal(d.spec?.revisionHistoryLimit, 4, 'revisionHistoryLimit');
  t.same(d.spec?.strategy, { type: 'Recreate' }, 'updateStrategy (Recreate drops the default rollingUpdate)');
  t.same(c.resources, { requests: { cpu: '200m', memory: '256Mi' }, limits: { memory: '1Gi' } }, 'resources merge with the defaults');
  t.same(pod.nodeSelector, { 'kubernetes.io/os': 'linux', pool: 'system' }, 'nodeSelector merges with the default');
  t.same(pod.tolerations, [{ key: 'CriticalAddonsOnly', operator: 'Exists' }], 'tolerations');
  t.same(pod.topologySpreadConstraints?.[0]?.labelSelector, { matchLabels: { 'app.kubernetes.io/instance': 'metrics-server' } }, 'topologySpreadConstraints, rendered with tpl');
  t.equal(pod.priorityClassName, undefined, 'an empty priorityClassName is left out');
  t.equal(pod.schedulerName, 'my-scheduler', 'schedulerName');
  t.match(d.spec?.template.metadata?.labels, { team: 'platform', 'k8s-app': 'metrics-server', 'app.kubernetes.io/instance': 'metrics-server' }, 'podLabels beside the selector labels');
  t.same(d.spec?.template.metadata?.annotations, { 'prometheus.io/scrape': 'false' }, 'podAnnotations');
  t.same(d.metadata?.annotations, { owner: 'sre' }, 'deploymentAnnotations');
  t.ok(objects.every((o) => o.metadata.labels?.env === 'prod'), 'commonLabels on every object');
  t.equal(pod.hostNetwork, true, 'hostNetwork.enabled');
  t.ok(c.args?.includes('--secure-port=4443'), 'on containerPort');
  t.same(pod.volumes, [{ name: 'tmp-dir', emptyDir: {} }, { name: 'certs', secret: { secretName: 'metrics-server-tls' } }], 'extraVolumes after the /tmp emptyDir');
  t.same(c.volumeMounts, [{ name: 'tmp-dir', mountPath: '/tmp' }, { name: 'certs', mountPath: '/certs', readOnly: true }], 'extraVolumeMounts');
  const pdb = find(objects, 'PodDisruptionBudget', 'metrics-server') as unknown as { spec: Record<string, unknown> };
  t.equal(pdb.spec.maxUnavailable, 1, 'podDisruptionBudget.maxUnavailable');
  t.equal(pdb.spec.minAvailable, undefined, 'alone');

  const svc = find(objects, 'Service', 'metrics-server') as unknown as { metadata: { labels: Record<string, string>; annotations?: Record<string, string> }; spec: { type?: string; ports: { port: number }[] } };
  t.equal(svc.spec.type, 'NodePort', 'service.type');
  t.equal(svc.spec.ports[0]?.port, 8443, 'service.port');
  t.equal(svc.metadata.labels['kubernetes.io/cluster-service'], 'true', 'service.labels');
  t.same(svc.metadata.annotations, { a: 'b' }, 'service.annotations');
  t.equal((apiServiceSpec(objects).service as { port: number }).port, 8443, 'the APIService follows service.port');

  const pinned = await chart.render({ set: ['podLabels.app\\.kubernetes\\.io/instance=other'] });
  t.same(deploymentOf(pinned).spec?.template.metadata?.labels?.['app.kubernetes.io/instance'], 'metrics-server', 'podLabels cannot unselect the pods');
});

t.test('NOTES.txt', { skip }, async (t) => {
  const install = (extra: string[]) => chart.helm(['install', '--dry-run=client', 'metrics-server', CHART_DIR, '--namespace', 'kube-system', ...extra]);
  const r = await install([]);
  t.equal(r.code, 0, r.stderr);
  const notes = r.stdout.slice(r.stdout.indexOf('NOTES:'));
  t.match(notes, `metrics-server-ts:${pkg.version}`, 'names the image');
  t.match(notes, 'kubectl get apiservice v1beta1.metrics.k8s.io', 'how to check the APIService');
  t.match(notes, 'kubectl top nodes', 'and the API');
  t.match(notes, /insecureSkipTLSVerify/, 'explains the TLS default');
  const ha = await install(['-f', HA_VALUES, '--set', 'podDisruptionBudget.enabled=false']);
  t.match(ha.stdout.slice(ha.stdout.indexOf('NOTES:')), /consider podDisruptionBudget\.enabled/, 'several replicas without a PodDisruptionBudget: a hint');
  const bare = await install(['--set', 'rbac.create=false,apiService.create=false']);
  const bareNotes = bare.stdout.slice(bare.stdout.indexOf('NOTES:'));
  t.match(bareNotes, /rbac\.create is false/, 'rbac.create=false: what to grant');
  t.match(bareNotes, /register v1beta1\.metrics\.k8s\.io yourself/, 'apiService.create=false: what to register');
});
