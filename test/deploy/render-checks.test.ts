// The chart tests' object checks must catch what they exist for: a misspelt
// field in a CRD kind's spec, a kind with no schema, a built-in kind's unknown
// field; and pass well-formed objects.
import t from 'tap';
import type { KubeObject } from './manifests.js';
import { renderProblems } from './render-checks.js';

const serviceMonitor = (endpoint: Record<string, unknown>): KubeObject => ({
  apiVersion: 'monitoring.coreos.com/v1',
  kind: 'ServiceMonitor',
  metadata: { name: 'metrics-server', namespace: 'kube-system' },
  spec: { selector: { matchLabels: { 'k8s-app': 'metrics-server' } }, endpoints: [endpoint] },
});

t.test('CRD kinds: fields checked against the lists, at any depth', async (t) => {
  t.same(renderProblems([serviceMonitor({ port: 'https', scheme: 'https', tlsConfig: { insecureSkipVerify: true } })]), []);
  t.same(renderProblems([serviceMonitor({ port: 'https', intervall: '1m' })]), ['ServiceMonitor/metrics-server: unknown field spec.endpoints[].intervall']);
  t.same(renderProblems([serviceMonitor({ port: 'https', tlsConfig: { insecureSkipVerfy: true } })]), [
    'ServiceMonitor/metrics-server: unknown field spec.endpoints[].tlsConfig.insecureSkipVerfy',
  ]);
  const certificate: KubeObject = {
    apiVersion: 'cert-manager.io/v1',
    kind: 'Certificate',
    metadata: { name: 'metrics-server' },
    spec: { secretName: 'metrics-server', dnsNames: ['metrics-server.kube-system.svc'], issuerRef: { name: 'x', kindd: 'Issuer' } },
  };
  t.same(renderProblems([certificate]), ['Certificate/metrics-server: unknown field spec.issuerRef.kindd', 'Certificate/metrics-server: not namespaced']);
});

t.test('a kind with neither a schema nor a field list is a problem', async (t) => {
  t.same(renderProblems([{ apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w', namespace: 'n' } }]), [
    'Widget/w: no schema for example.com/v1 Widget',
  ]);
});

t.test('built-in kinds: schema errors and unknown fields', async (t) => {
  const service = (spec: Record<string, unknown>): KubeObject => ({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'metrics-server', namespace: 'kube-system' }, spec });
  t.same(renderProblems([service({ ports: [{ name: 'https', port: 443, targetPort: 'https' }] })]), []);
  t.match(renderProblems([service({ ports: [{ name: 'https', port: 443, targetPrt: 'https' }] })]), [/unknown field .*targetPrt/]);
  t.equal(renderProblems([service({ ports: [{ name: 'https', port: 'four-four-three' }] })]).length, 1, 'a port that is not a number');
});
