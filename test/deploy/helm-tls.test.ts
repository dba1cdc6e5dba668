// deploy/helm/metrics-server-ts's tls.type and serviceMonitor values with the
// real helm: each TLS mode renders objects that validate (kubernetes-models for
// the built-in kinds, the CRDs' field lists for cert-manager and the Prometheus
// Operator); the helm mode's certificate is real, names the Service, is issued
// by the CA in the APIService's caBundle and is served by our HTTPS server to a
// client that trusts only that CA; lookup keeps it across upgrades (against a
// fake API server); the flags the modes add pass our parser; and the
// ServiceMonitor scrapes the Service's https port as the server expects.
import t from 'tap';
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { connect } from 'node:tls';
import { flagWarnings } from '../../src/flag-warnings.js';
import { parseOptions } from '../../src/options.js';
import { createSecureServer } from '../../src/server/https-server.js';
import { CHART_DIR, chartRunner, type ChartRunner } from './chart.js';
import { fakeApiServer, type FakeApiServer } from './fake-apiserver.js';
import { renderChecked } from './render-checks.js';
import { deploymentOf, find, serverContainer, type KubeObject } from './manifests.js';

const runner = await chartRunner();
const skip = 'missing' in runner ? `helm not available: ${runner.missing}` : false;
const chart = runner as ChartRunner;
if (!skip) t.teardown(() => chart.cleanup());

const tmp = mkdtempSync(join(tmpdir(), 'chart-tls-test-'));
t.teardown(() => rmSync(tmp, { recursive: true, force: true }));

const TLS_HELM_VALUES = join(CHART_DIR, 'ci', 'tls-helm-values.yaml');
const API_SERVICE = 'v1beta1.metrics.k8s.io';
const TLS_KINDS = ['Secret', 'Certificate', 'Issuer', 'ServiceMonitor'];
const CA_PEM = '-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIUX0test0only0not0a0real0certificate0MAoGCCqGSM49\n-----END CERTIFICATE-----\n';
const b64 = (s: string) => Buffer.from(s).toString('base64');
const unb64 = (s: string) => Buffer.from(s, 'base64').toString();

const kinds = (objects: KubeObject[]) => objects.map((o) => o.kind);

interface SecretView { metadata: { name: string; namespace?: string }; type?: string; data: Record<string, string> }
interface ApiServiceView { metadata: { annotations?: Record<string, string> }; spec: { caBundle?: string; insecureSkipTLSVerify?: boolean } }
interface CertificateView {
  metadata: { name: string; namespace: string; labels: Record<string, string>; annotations?: Record<string, string> };
  spec: { secretName: string; dnsNames: string[]; usages: string[]; duration?: string; renewBefore?: string; issuerRef: { group: string; kind: string; name: string } };
}
interface Endpoint {
  port: string; path: string; scheme: string; interval?: string; scrapeTimeout?: string; bearerTokenFile?: string;
  tlsConfig: { insecureSkipVerify?: boolean; serverName?: string; ca?: { secret?: { name: string; key: string } } } & Record<string, unknown>;
  metricRelabelings?: unknown[]; relabelings?: unknown[];
}
interface ServiceMonitorView {
  metadata: { name: string; namespace: string; labels: Record<string, string> };
  spec: { jobLabel: string; namespaceSelector: { matchNames: string[] }; selector: { matchLabels: Record<string, string> }; endpoints: Endpoint[] };
}
interface ServiceView { metadata: { labels: Record<string, string> }; spec: { ports: { name: string; port: number; targetPort: string }[] } }

const deployment = (objects: KubeObject[]) => deploymentOf(objects.map((o) => (o.kind === 'Deployment' ? { ...o, metadata: { ...o.metadata, name: 'metrics-server' } } : o)));
const argsOf = (objects: KubeObject[]) => serverContainer(deployment(objects)).args ?? [];
const apiService = (objects: KubeObject[]) => find(objects, 'APIService', API_SERVICE) as unknown as ApiServiceView;
const one = <T>(objects: KubeObject[], kind: string) => {
  const hits = objects.filter((o) => o.kind === kind);
  if (hits.length !== 1) throw new Error(`expected one ${kind}, found ${hits.length}`);
  return hits[0] as unknown as T;
};
/** The Secret the Deployment mounts for --tls-cert-file, and where. */
function mounted(objects: KubeObject[]): { secretName?: string; mountPath?: string; readOnly?: boolean } {
  const d = deployment(objects);
  const c = serverContainer(d);
  const certDir = parseOptions(c.args ?? []).tlsCertFile?.replace(/\/[^/]+$/, '');
  const mount = c.volumeMounts?.find((m) => m.mountPath === certDir);
  const volume = d.spec?.template.spec?.volumes?.find((v) => v.name === mount?.name);
  return { secretName: volume?.secret?.secretName, mountPath: mount?.mountPath, readOnly: mount?.readOnly };
}

/** A TLS handshake to 127.0.0.1:port trusting only ca, for servername. */
function handshake(port: number, ca: string, servername: string): Promise<{ authorized: boolean; error?: string }> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port, ca, servername });
    socket.once('secureConnect', () => {
      resolve({ authorized: socket.authorized });
      socket.end();
    });
    socket.once('error', (e: NodeJS.ErrnoException) => resolve({ authorized: false, error: e.code ?? e.message }));
  });
}

t.test('tls.type default (or metrics-server, upstream\'s name): the render of today', { skip }, async (t) => {
  const base = await chart.helm(chart.templateArgs());
  t.equal(base.code, 0, base.stderr);
  for (const set of [['tls.type=default'], ['tls.type=metrics-server'], ['tls.type=default', 'tls.helm.certDurationDays=10', 'tls.existingSecret.name=x', 'tls.certManager.existingIssuer.enabled=true']]) {
    const r = await chart.helm(chart.templateArgs({ set }));
    t.equal(r.stdout, base.stdout, `--set ${set.join(',')}: the same bytes as without`);
  }
  const objects = await renderChecked(t, chart, { set: ['tls.type=default'] });
  t.same(kinds(objects).filter((k) => TLS_KINDS.includes(k)), [], 'no Secret, Certificate, Issuer or ServiceMonitor');
  const o = parseOptions(argsOf(objects));
  t.equal(o.tlsCertFile, undefined, 'no --tls-cert-file: the server writes a self-signed certificate');
  t.equal(o.certDir, '/tmp', 'to --cert-dir=/tmp');
  t.equal(apiService(objects).spec.insecureSkipTLSVerify, true, 'which the APIService does not verify');
});

t.test('tls.type helm: a CA and a serving certificate for the Service', { skip }, async (t) => {
  const objects = await renderChecked(t, chart, { set: ['tls.type=helm'] });
  const secret = find(objects, 'Secret', 'metrics-server') as unknown as SecretView;
  t.equal(secret.metadata.namespace, 'kube-system', 'a Secret in the release namespace');
  t.equal(secret.type, 'kubernetes.io/tls', 'of type kubernetes.io/tls');
  t.same(Object.keys(secret.data).sort(), ['ca.crt', 'tls.crt', 'tls.key'], 'with tls.crt, tls.key and ca.crt');

  const certPem = unb64(secret.data['tls.crt']!);
  const keyPem = unb64(secret.data['tls.key']!);
  const cert = new X509Certificate(certPem);
  const sans = (cert.subjectAltName ?? '').split(', ');
  t.ok(sans.includes('DNS:metrics-server.kube-system.svc'), `tls.crt is a certificate for metrics-server.kube-system.svc (${cert.subjectAltName})`);
  t.same(sans.sort(), ['DNS:metrics-server', 'DNS:metrics-server.kube-system', 'DNS:metrics-server.kube-system.svc', 'DNS:metrics-server.kube-system.svc.cluster.local'],
    'and the Service\'s other names (tls.clusterDomain)');
  t.equal(cert.checkHost('metrics-server.kube-system.svc'), 'metrics-server.kube-system.svc', 'valid for the name the aggregator dials');
  t.notOk(cert.ca, 'not a CA');
  t.ok(cert.keyUsage?.includes('1.3.6.1.5.5.7.3.1'), 'for server authentication');
  const days = (Date.parse(cert.validTo) - Date.parse(cert.validFrom)) / 86_400_000;
  t.ok(Math.abs(days - 365) <= 1, `valid tls.helm.certDurationDays (365) days (${days.toFixed(2)})`);
  t.ok(cert.checkPrivateKey(createPrivateKey(keyPem)), 'tls.key is its key');

  const api = apiService(objects);
  t.type(api.spec.caBundle, 'string', 'the APIService has a caBundle');
  t.equal(api.spec.caBundle, secret.data['ca.crt'], 'the Secret\'s ca.crt');
  const ca = new X509Certificate(unb64(api.spec.caBundle!));
  t.ok(ca.ca, 'which is a CA certificate');
  t.ok(cert.checkIssued(ca), 'that issued tls.crt');
  t.ok(cert.verify(ca.publicKey), 'and signed it');
  t.equal(api.spec.insecureSkipTLSVerify, undefined, 'no insecureSkipTLSVerify (apiService.insecureSkipTLSVerify is ignored)');

  const args = argsOf(objects);
  const o = parseOptions(args);
  t.equal(o.tlsCertFile, '/tls/tls.crt', 'our parser reads --tls-cert-file');
  t.equal(o.tlsPrivateKeyFile, '/tls/tls.key', 'and --tls-private-key-file');
  t.same(flagWarnings(o), [], 'no start-up warning');
  t.same(mounted(objects), { secretName: 'metrics-server', mountPath: '/tls', readOnly: true }, 'the directory they name is the Secret, mounted read-only');

  // Our HTTPS server on those files, as the pod would have them; a client that
  // trusts only the caBundle (as the aggregator) verifies it.
  const dir = join(tmp, 'helm-mount');
  mkdirSync(dir, { recursive: true });
  for (const [k, v] of Object.entries(secret.data)) writeFileSync(join(dir, k), unb64(v));
  const local = (p: string) => join(dir, relative('/tls', p));
  const server = await createSecureServer({ ...o, tlsCertFile: local(o.tlsCertFile!), tlsPrivateKeyFile: local(o.tlsPrivateKeyFile!) }, (_req, res) => res.end('ok'));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const port = (server.address() as AddressInfo).port;
  const caPem = unb64(api.spec.caBundle!);
  t.same(await handshake(port, caPem, 'metrics-server.kube-system.svc'), { authorized: true }, 'our server serves it; the caBundle verifies it for metrics-server.kube-system.svc');
  const wrongName = await handshake(port, caPem, 'other.kube-system.svc');
  t.equal(wrongName.authorized, false, 'not for another name (control)');
  const other = find(await chart.render({ set: ['tls.type=helm'] }), 'Secret', 'metrics-server') as unknown as SecretView;
  t.not(other.data['ca.crt'], secret.data['ca.crt'], 'helm template cannot look up: each render makes a new CA');
  t.equal((await handshake(port, unb64(other.data['ca.crt']!), 'metrics-server.kube-system.svc')).authorized, false, 'which does not verify this certificate (control)');

  // Another release and namespace, with ci/tls-helm-values.yaml.
  const ms = await renderChecked(t, chart, { values: [TLS_HELM_VALUES], release: 'ms', namespace: 'monitoring' });
  const msSecret = find(ms, 'Secret', 'ms-metrics-server') as unknown as SecretView;
  const msCert = new X509Certificate(unb64(msSecret.data['tls.crt']!));
  t.equal(msCert.checkHost('ms-metrics-server.monitoring.svc'), 'ms-metrics-server.monitoring.svc', 'release ms in monitoring: for ms-metrics-server.monitoring.svc');
  const msDays = (Date.parse(msCert.validTo) - Date.parse(msCert.validFrom)) / 86_400_000;
  t.ok(Math.abs(msDays - 730) <= 1, `valid tls.helm.certDurationDays (730) days (${msDays.toFixed(2)})`);
  t.equal(msSecret.metadata.namespace, 'monitoring', 'the Secret in the release namespace');
  t.equal(mounted(ms).secretName, 'ms-metrics-server', 'and mounted');
  t.ok(msCert.checkIssued(new X509Certificate(unb64(apiService(ms).spec.caBundle!))), 'issued by the caBundle\'s CA');

  const noApi = await renderChecked(t, chart, { set: ['tls.type=helm', 'apiService.create=false'] });
  t.notOk(noApi.some((x) => x.kind === 'APIService'), 'apiService.create=false: no APIService');
  t.ok(noApi.some((x) => x.kind === 'Secret'), 'the certificate still made and mounted');
});

t.test('tls.helm.lookup: upgrades keep the certificate', { skip }, async (t) => {
  const api: FakeApiServer = await fakeApiServer(tmp);
  t.teardown(() => api.close());
  const render = (set: string[] = []) => renderChecked(t, chart, { kubeconfig: api.kubeconfig, set: ['tls.type=helm', ...set] });
  const secretPath = '/api/v1/namespaces/kube-system/secrets/metrics-server';

  const first = await render();
  t.ok(api.secretGets.includes(secretPath), 'the install looks up Secret kube-system/metrics-server');
  const firstData = (find(first, 'Secret', 'metrics-server') as unknown as SecretView).data;
  api.putSecret('kube-system', 'metrics-server', firstData, 'metrics-server');

  const upgrade = await render();
  t.same((find(upgrade, 'Secret', 'metrics-server') as unknown as SecretView).data, firstData, 'an upgrade renders the Secret it finds, unchanged');
  t.equal(apiService(upgrade).spec.caBundle, firstData['ca.crt'], 'and its CA as the caBundle');

  const renewed = await render(['tls.helm.lookup=false']);
  const renewedData = (find(renewed, 'Secret', 'metrics-server') as unknown as SecretView).data;
  t.not(renewedData['tls.crt'], firstData['tls.crt'], 'tls.helm.lookup=false: a new certificate');
  t.not(apiService(renewed).spec.caBundle, firstData['ca.crt'], 'and CA');

  // A Secret without ca.crt (e.g. left by a self-signed certificate): its tls.crt is the CA.
  const selfSigned = { 'tls.crt': firstData['ca.crt']!, 'tls.key': firstData['tls.key']! };
  api.putSecret('kube-system', 'metrics-server', selfSigned, 'metrics-server');
  const kept = await render();
  t.equal(apiService(kept).spec.caBundle, selfSigned['tls.crt'], 'a found Secret without ca.crt: its tls.crt is the caBundle');
  t.equal((find(kept, 'Secret', 'metrics-server') as unknown as SecretView).data['ca.crt'], selfSigned['tls.crt'], 'and the Secret\'s ca.crt');
  api.deleteSecret('kube-system', 'metrics-server');
});

t.test('tls.type cert-manager: a Certificate, its Issuer, the CA injected', { skip }, async (t) => {
  const objects = await renderChecked(t, chart, { release: 'ms', namespace: 'monitoring', set: ['tls.type=cert-manager'] });
  const cert = one<CertificateView>(objects, 'Certificate');
  t.equal(cert.metadata.namespace, 'monitoring', 'a Certificate in the release namespace');
  t.ok(cert.spec.dnsNames.includes('ms-metrics-server.monitoring.svc'), `for ms-metrics-server.monitoring.svc (${cert.spec.dnsNames.join(', ')})`);
  t.ok(cert.spec.dnsNames.includes('ms-metrics-server.monitoring.svc.cluster.local'), 'and the fully qualified name');
  t.ok(cert.spec.usages.includes('server auth'), 'for server authentication');
  t.equal(mounted(objects).secretName, cert.spec.secretName, 'its secretName is the Secret the Deployment mounts for --tls-cert-file');
  t.equal(mounted(objects).readOnly, true, 'read-only');
  t.notOk(objects.some((o) => o.kind === 'Secret'), 'cert-manager writes the Secret, the chart does not');
  const issuer = one<{ metadata: { name: string; namespace: string }; spec: unknown }>(objects, 'Issuer');
  t.same(cert.spec.issuerRef, { group: 'cert-manager.io', kind: 'Issuer', name: issuer.metadata.name }, 'issued by the chart\'s Issuer');
  t.equal(issuer.metadata.namespace, 'monitoring', 'in the same namespace');
  t.same(issuer.spec, { selfSigned: {} }, 'a self-signed one');

  const api = apiService(objects);
  t.equal(api.metadata.annotations?.['cert-manager.io/inject-ca-from'], `${cert.metadata.namespace}/${cert.metadata.name}`,
    'the APIService asks the CA injector for the Certificate\'s CA (<namespace>/<certificate>)');
  t.equal(api.spec.caBundle, undefined, 'which fills in caBundle');
  t.equal(api.spec.insecureSkipTLSVerify, undefined, 'no insecureSkipTLSVerify (rejected beside a caBundle)');
  const o = parseOptions(argsOf(objects));
  t.equal(o.tlsCertFile, '/tls/tls.crt', 'our parser reads --tls-cert-file');
  t.equal(o.tlsPrivateKeyFile, '/tls/tls.key', 'and --tls-private-key-file');
  t.same(flagWarnings(o), [], 'no start-up warning');

  const existing = await renderChecked(t, chart, { set: ['tls.type=cert-manager', 'tls.certManager.existingIssuer.enabled=true', 'tls.certManager.existingIssuer.kind=ClusterIssuer', 'tls.certManager.existingIssuer.name=corp-ca'] });
  t.notOk(existing.some((x) => x.kind === 'Issuer'), 'existingIssuer.enabled: no Issuer');
  t.same(one<CertificateView>(existing, 'Certificate').spec.issuerRef, { group: 'cert-manager.io', kind: 'ClusterIssuer', name: 'corp-ca' }, 'the Certificate names the existing one');

  const valuesFile = join(tmp, 'cert-manager.yaml');
  writeFileSync(valuesFile, `
tls:
  type: cert-manager
  clusterDomain: corp.example
  certManager:
    duration: 2160h
    renewBefore: 360h
    annotations: { owner: sre }
    labels: { team: platform }
apiService:
  annotations: { example.com/note: kept }
`);
  const tuned = await renderChecked(t, chart, { values: [valuesFile] });
  const tunedCert = one<CertificateView>(tuned, 'Certificate');
  t.equal(tunedCert.spec.duration, '2160h', 'tls.certManager.duration');
  t.equal(tunedCert.spec.renewBefore, '360h', 'tls.certManager.renewBefore');
  t.same(tunedCert.metadata.annotations, { owner: 'sre' }, 'tls.certManager.annotations');
  t.equal(tunedCert.metadata.labels.team, 'platform', 'tls.certManager.labels');
  t.equal(tunedCert.metadata.labels['app.kubernetes.io/instance'], 'metrics-server', 'beside the chart\'s');
  t.ok(tunedCert.spec.dnsNames.includes('metrics-server.kube-system.svc.corp.example'), 'tls.clusterDomain');
  t.same(apiService(tuned).metadata.annotations, { 'example.com/note': 'kept', 'cert-manager.io/inject-ca-from': 'kube-system/metrics-server' },
    'apiService.annotations beside the injector\'s');

  const manual = await renderChecked(t, chart, { set: ['tls.type=cert-manager', 'tls.certManager.addInjectorAnnotations=false'] });
  t.equal(apiService(manual).metadata.annotations, undefined, 'addInjectorAnnotations=false: no annotation');
  t.equal(apiService(manual).spec.insecureSkipTLSVerify, true, 'so insecureSkipTLSVerify');
  const manualCa = apiService(await chart.render({ set: ['tls.type=cert-manager', 'tls.certManager.addInjectorAnnotations=false', `apiService.caBundle=${b64(CA_PEM)}`] }));
  t.equal(manualCa.spec.caBundle, b64(CA_PEM), 'or apiService.caBundle');
  t.equal(manualCa.spec.insecureSkipTLSVerify, undefined, 'alone');
});

t.test('tls.type existingSecret: the Secret mounted, the caBundle from it or apiService.caBundle', { skip }, async (t) => {
  const set = ['tls.type=existingSecret', 'tls.existingSecret.name=corp-tls'];
  const objects = await renderChecked(t, chart, { set });
  t.notOk(objects.some((o) => o.kind === 'Secret' || o.kind === 'Certificate'), 'the chart makes no Secret or Certificate');
  t.same(mounted(objects), { secretName: 'corp-tls', mountPath: '/tls', readOnly: true }, 'tls.existingSecret.name is mounted where --tls-cert-file points');
  const o = parseOptions(argsOf(objects));
  t.equal(o.tlsCertFile, '/tls/tls.crt', 'our parser reads --tls-cert-file');
  t.equal(o.tlsPrivateKeyFile, '/tls/tls.key', 'and --tls-private-key-file');
  t.same(flagWarnings(o), [], 'no start-up warning');
  t.equal(apiService(objects).spec.insecureSkipTLSVerify, true, 'no CA known (helm template cannot look up): insecureSkipTLSVerify');

  const pemFile = join(tmp, 'corp-ca.pem');
  writeFileSync(pemFile, CA_PEM);
  const withCa = apiService(await renderChecked(t, chart, { set, setFile: [`apiService.caBundle=${pemFile}`] }));
  t.equal(withCa.spec.caBundle, b64(CA_PEM), 'apiService.caBundle: the caBundle');
  t.equal(withCa.spec.insecureSkipTLSVerify, undefined, 'without insecureSkipTLSVerify');
  const neither = apiService(await chart.render({ set: [...set, 'apiService.insecureSkipTLSVerify=false'] }));
  t.notOk('caBundle' in neither.spec || 'insecureSkipTLSVerify' in neither.spec, 'insecureSkipTLSVerify=false: neither');

  const api = await fakeApiServer(tmp);
  t.teardown(() => api.close());
  const cluster = (extra: string[] = []) => chart.render({ kubeconfig: api.kubeconfig, set: [...set, ...extra] });
  t.equal(apiService(await cluster()).spec.insecureSkipTLSVerify, true, 'lookup, no such Secret yet: insecureSkipTLSVerify');
  t.ok(api.secretGets.length > 0 && api.secretGets.every((p) => p === '/api/v1/namespaces/kube-system/secrets/corp-tls'), 'after looking up the Secret');
  api.putSecret('kube-system', 'corp-tls', { 'tls.crt': b64('leaf'), 'tls.key': b64('key'), 'ca.crt': b64(CA_PEM) });
  const found = apiService(await cluster([`apiService.caBundle=${b64('another CA')}`]));
  t.equal(found.spec.caBundle, b64(CA_PEM), 'lookup finds it: its ca.crt is the caBundle (before apiService.caBundle)');
  t.equal(found.spec.insecureSkipTLSVerify, undefined, 'without insecureSkipTLSVerify');
  api.putSecret('kube-system', 'corp-tls', { 'tls.crt': b64('self-signed'), 'tls.key': b64('key') });
  t.equal(apiService(await cluster()).spec.caBundle, b64('self-signed'), 'without ca.crt: its tls.crt (a self-signed certificate is its own CA)');
  const gets = api.secretGets.length;
  t.equal(apiService(await cluster(['tls.existingSecret.lookup=false'])).spec.insecureSkipTLSVerify, true, 'tls.existingSecret.lookup=false: not used');
  t.equal(api.secretGets.length, gets, 'nor looked up');
});

t.test('serviceMonitor', { skip }, async (t) => {
  t.notOk((await chart.render()).some((o) => o.kind === 'ServiceMonitor'), 'absent by default');
  t.notOk((await chart.render({ set: ['serviceMonitor.interval=30s', 'metrics.enabled=true'] })).some((o) => o.kind === 'ServiceMonitor'), 'absent unless enabled');

  const valuesFile = join(tmp, 'service-monitor.yaml');
  writeFileSync(valuesFile, `
serviceMonitor:
  enabled: true
  additionalLabels: { release: kube-prometheus-stack }
  interval: 30s
  scrapeTimeout: 5s
  metricRelabelings: [{ action: drop, sourceLabels: [__name__], regex: 'go_.*' }]
  relabelings: [{ targetLabel: cluster, replacement: prod }]
`);
  const objects = await renderChecked(t, chart, { values: [valuesFile], release: 'ms', namespace: 'monitoring' });
  const sm = one<ServiceMonitorView>(objects, 'ServiceMonitor');
  const svc = find(objects, 'Service', 'ms-metrics-server') as unknown as ServiceView;
  t.equal(sm.metadata.namespace, 'monitoring', 'in the release namespace');
  t.equal(sm.metadata.labels.release, 'kube-prometheus-stack', 'additionalLabels');
  t.equal(sm.metadata.labels['app.kubernetes.io/instance'], 'ms', 'beside the chart\'s labels');
  t.same(sm.spec.namespaceSelector, { matchNames: ['monitoring'] }, 'looks for the Service in the release namespace');
  t.ok(Object.entries(sm.spec.selector.matchLabels).every(([k, v]) => svc.metadata.labels[k] === v), 'selects the Service by its labels');
  t.ok(sm.spec.jobLabel in svc.metadata.labels, 'jobLabel is one of the Service\'s labels');
  t.equal(sm.spec.endpoints.length, 1, 'one endpoint');
  const ep = sm.spec.endpoints[0]!;
  t.equal(ep.port, svc.spec.ports[0]!.name, `on the Service's port, by its name (${ep.port})`);
  const c = serverContainer(deployment(objects));
  t.ok(c.ports?.some((p) => p.name === svc.spec.ports[0]!.targetPort), 'which targets the server\'s container port');
  t.equal(ep.path, '/metrics', 'path /metrics');
  t.equal(ep.scheme, 'https', 'over HTTPS');
  t.equal(ep.interval, '30s', 'interval');
  t.equal(ep.scrapeTimeout, '5s', 'scrapeTimeout');
  t.same(ep.metricRelabelings, [{ action: 'drop', sourceLabels: ['__name__'], regex: 'go_.*' }], 'metricRelabelings');
  t.same(ep.relabelings, [{ targetLabel: 'cluster', replacement: 'prod' }], 'relabelings');
  t.same(ep.tlsConfig, { insecureSkipVerify: true }, 'tls.type default: the certificate is self-signed, so insecureSkipVerify');

  // /metrics and authorization: what the server will ask of the scraper.
  t.notOk(parseOptions(argsOf(objects)).authorizationAlwaysAllowPaths.includes('/metrics'), 'metrics.enabled false: /metrics needs authorization (SubjectAccessReview)');
  t.equal(ep.bearerTokenFile, '/var/run/secrets/kubernetes.io/serviceaccount/token', 'so Prometheus sends its ServiceAccount token');
  const open = await renderChecked(t, chart, { values: [valuesFile], set: ['metrics.enabled=true'] });
  t.ok(parseOptions(argsOf(open)).authorizationAlwaysAllowPaths.includes('/metrics'), 'metrics.enabled: /metrics without authorization');
  t.equal(one<ServiceMonitorView>(open, 'ServiceMonitor').spec.endpoints[0]!.bearerTokenFile, undefined, 'and no token sent');

  const helm = await renderChecked(t, chart, { values: [TLS_HELM_VALUES] });
  const helmEp = one<ServiceMonitorView>(helm, 'ServiceMonitor').spec.endpoints[0]!;
  const secret = one<SecretView>(helm, 'Secret');
  t.same(helmEp.tlsConfig.ca, { secret: { name: secret.metadata.name, key: 'ca.crt' } }, 'ci/tls-helm-values.yaml: verified against the Secret\'s ca.crt');
  t.equal(helmEp.tlsConfig.insecureSkipVerify, undefined, 'not skipped');
  const cert = new X509Certificate(unb64(secret.data['tls.crt']!));
  t.equal(cert.checkHost(helmEp.tlsConfig.serverName!), helmEp.tlsConfig.serverName, `for a name the certificate has (${helmEp.tlsConfig.serverName}; Prometheus dials pod IPs)`);

  const cm = await renderChecked(t, chart, { set: ['tls.type=cert-manager', 'serviceMonitor.enabled=true'] });
  t.same(one<ServiceMonitorView>(cm, 'ServiceMonitor').spec.endpoints[0]!.tlsConfig.ca, { secret: { name: one<CertificateView>(cm, 'Certificate').spec.secretName, key: 'ca.crt' } },
    'tls.type cert-manager: against the Certificate\'s Secret\'s ca.crt');
  const existing = await renderChecked(t, chart, { set: ['tls.type=existingSecret', 'tls.existingSecret.name=corp-tls', 'serviceMonitor.enabled=true'] });
  t.same(one<ServiceMonitorView>(existing, 'ServiceMonitor').spec.endpoints[0]!.tlsConfig, { insecureSkipVerify: true }, 'tls.type existingSecret: insecureSkipVerify');

  const custom = join(tmp, 'service-monitor-tls.yaml');
  writeFileSync(custom, 'serviceMonitor:\n  enabled: true\n  tlsConfig: { ca: { configMap: { name: corp-ca, key: ca.crt } }, serverName: metrics-server.kube-system.svc }\n');
  t.same(one<ServiceMonitorView>(await chart.render({ values: [custom] }), 'ServiceMonitor').spec.endpoints[0]!.tlsConfig,
    { ca: { configMap: { name: 'corp-ca', key: 'ca.crt' } }, serverName: 'metrics-server.kube-system.svc' }, 'serviceMonitor.tlsConfig replaces it');
});

t.test('helm lint --strict with each TLS mode and the ServiceMonitor', { skip }, async (t) => {
  const cases: [string, string[]][] = [
    ['tls.type cert-manager', ['--set', 'tls.type=cert-manager']],
    ['tls.type cert-manager, existing issuer', ['--set', 'tls.type=cert-manager,tls.certManager.existingIssuer.enabled=true,tls.certManager.existingIssuer.name=corp-ca']],
    ['tls.type existingSecret', ['--set', 'tls.type=existingSecret,tls.existingSecret.name=corp-tls']],
    ['serviceMonitor with metrics.enabled', ['--set', 'serviceMonitor.enabled=true,metrics.enabled=true']],
  ];
  for (const [what, extra] of cases) {
    const r = await chart.helm(['lint', '--strict', CHART_DIR, ...extra]);
    t.equal(r.code, 0, `${what}: passes ${r.stderr}`);
    t.notMatch(r.stdout, /\[(WARNING|ERROR)\]/, `${what}: no warning`);
  }
  t.ok(readdirSync(join(CHART_DIR, 'ci')).includes('tls-helm-values.yaml'), 'ci/tls-helm-values.yaml is in ci/ (helm.test.ts lints every file there)');
});

t.test('values.schema.json and the templates refuse bad TLS and ServiceMonitor values', { skip }, async (t) => {
  const schema: [string, string[], RegExp][] = [
    ['tls.type=bogus', ['tls.type=bogus'], /\/tls\/type/],
    ['a misspelt tls value (tls.typ)', ['tls.typ=helm'], /additional properties 'typ'/],
    ['tls.helm.certDurationDays=0', ['tls.helm.certDurationDays=0'], /\/tls\/helm\/certDurationDays/],
    ['tls.helm.lookup=maybe', ['tls.helm.lookup=maybe'], /\/tls\/helm\/lookup/],
    ['tls.certManager.duration=90days', ['tls.certManager.duration=90days'], /\/tls\/certManager\/duration/],
    ['a misspelt existingIssuer value', ['tls.certManager.existingIssuer.nam=corp-ca'], /additional properties 'nam'/],
    ['tls.clusterDomain with a space', ['tls.clusterDomain=cluster local'], /\/tls\/clusterDomain/],
    ['serviceMonitor.interval=soon', ['serviceMonitor.interval=soon'], /\/serviceMonitor\/interval/],
    ['a misspelt serviceMonitor value (enable)', ['serviceMonitor.enable=true'], /additional properties 'enable'/],
    ['serviceMonitor.additionalLabels.release=1 (not a string)', ['serviceMonitor.additionalLabels.release=1'], /\/serviceMonitor\/additionalLabels\/release/],
    ['serviceMonitor.relabelings={x}', ['serviceMonitor.relabelings={x}'], /\/serviceMonitor\/relabelings/],
  ];
  for (const [what, set, where] of schema) {
    const r = await chart.helm(chart.templateArgs({ set }));
    t.not(r.code, 0, `${what}: refused`);
    t.match(r.stderr, /values don't meet the specifications of the schema/, `${what}: by the schema`);
    t.match(r.stderr, where, `${what}: at the value`);
  }
  const templates: [string, string[], RegExp][] = [
    ['tls.type existingSecret without a name', ['tls.type=existingSecret'], /set tls\.existingSecret\.name/],
    ['an existing issuer without a name', ['tls.type=cert-manager', 'tls.certManager.existingIssuer.enabled=true'], /set tls\.certManager\.existingIssuer\.name/],
  ];
  for (const [what, set, message] of templates) {
    const r = await chart.helm(chart.templateArgs({ set }));
    t.not(r.code, 0, `${what}: refused`);
    t.match(r.stderr, message, `${what}: says what to set`);
  }
  const ok = await chart.helm(chart.templateArgs({ set: ['tls.type=cert-manager', 'tls.certManager.duration=2160h', 'tls.clusterDomain=corp.example', 'serviceMonitor.enabled=true', 'serviceMonitor.interval=1m30s'] }));
  t.equal(ok.code, 0, `good values pass (control) ${ok.stderr}`);
});

t.test('NOTES.txt for each TLS mode', { skip }, async (t) => {
  const notes = async (set: string[]) => {
    const r = await chart.helm(['install', '--dry-run=client', 'metrics-server', CHART_DIR, '--namespace', 'kube-system', ...set.flatMap((s) => ['--set', s])]);
    t.equal(r.code, 0, r.stderr);
    return r.stdout.slice(r.stdout.indexOf('NOTES:'));
  };
  t.match(await notes(['tls.type=helm']), /generated a CA and a serving certificate for\s+metrics-server\.kube-system\.svc/, 'helm: what was generated, for which name');
  t.match(await notes(['tls.type=helm']), /--set tls\.helm\.lookup=false/, 'and how to renew it');
  t.match(await notes(['tls.type=cert-manager']), /kubectl -n kube-system get certificate metrics-server/, 'cert-manager: how to check the Certificate');
  t.match(await notes(['tls.type=existingSecret', 'tls.existingSecret.name=corp-tls']), /Secret kube-system\/corp-tls[\s\S]*insecureSkipTLSVerify/, 'existingSecret: the Secret, and that it is not verified');
  t.match(await notes(['serviceMonitor.enabled=true']), /nonResourceURLs: \["\/metrics"\]/, 'serviceMonitor without metrics.enabled: the RBAC Prometheus needs');
  t.notMatch(await notes(['serviceMonitor.enabled=true', 'metrics.enabled=true']), /nonResourceURLs/, 'not with metrics.enabled');
});
