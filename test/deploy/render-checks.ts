// Checks of what the chart renders, shared by the chart tests: each object
// against kubernetes-models' schema for its kind, or, for the CRD kinds it has
// none for (cert-manager, Prometheus Operator), against the CRD's field lists.
import type { Test } from 'tap';
import type { ChartRunner, RenderOptions } from './chart.js';
import { MODELS, unknownFields, validateObject, type KubeObject } from './manifests.js';

export const objectId = (o: KubeObject): string => `${o.kind}/${o.metadata.name}`;

/**
 * The fields of the CRD kinds kubernetes-models has no schema for, by path
 * ("[]" walks an array): cert-manager.io/v1 and monitoring.coreos.com/v1, as
 * their CRDs declare them. A field outside these lists is a typo the API server
 * would reject (or drop).
 */
const METADATA = ['name', 'namespace', 'labels', 'annotations'];
const CRD_FIELDS: Record<string, Record<string, string[]>> = {
  'cert-manager.io/v1/Certificate': {
    '': ['apiVersion', 'kind', 'metadata', 'spec'],
    spec: ['secretName', 'secretTemplate', 'commonName', 'dnsNames', 'ipAddresses', 'uris', 'emailAddresses', 'otherNames', 'subject',
      'literalSubject', 'usages', 'duration', 'renewBefore', 'renewBeforePercentage', 'issuerRef', 'privateKey', 'isCA', 'keystores',
      'revisionHistoryLimit', 'additionalOutputFormats', 'nameConstraints', 'encodeUsagesInRequest', 'signatureAlgorithm'],
    'spec.issuerRef': ['name', 'kind', 'group'],
  },
  'cert-manager.io/v1/Issuer': {
    '': ['apiVersion', 'kind', 'metadata', 'spec'],
    spec: ['selfSigned', 'ca', 'vault', 'venafi', 'acme'],
    'spec.selfSigned': ['crlDistributionPoints'],
  },
  'monitoring.coreos.com/v1/ServiceMonitor': {
    '': ['apiVersion', 'kind', 'metadata', 'spec'],
    spec: ['jobLabel', 'targetLabels', 'podTargetLabels', 'endpoints', 'selector', 'selectorMechanism', 'namespaceSelector', 'sampleLimit',
      'scrapeProtocols', 'fallbackScrapeProtocol', 'targetLimit', 'labelLimit', 'labelNameLengthLimit', 'labelValueLengthLimit',
      'nativeHistogramBucketLimit', 'nativeHistogramMinBucketFactor', 'scrapeClassicHistograms', 'keepDroppedTargets', 'attachMetadata',
      'scrapeClass', 'bodySizeLimit'],
    'spec.namespaceSelector': ['any', 'matchNames'],
    'spec.selector': ['matchLabels', 'matchExpressions'],
    'spec.endpoints[]': ['port', 'targetPort', 'path', 'scheme', 'params', 'interval', 'scrapeTimeout', 'tlsConfig', 'bearerTokenFile',
      'bearerTokenSecret', 'authorization', 'honorLabels', 'honorTimestamps', 'trackTimestampsStaleness', 'basicAuth', 'oauth2',
      'metricRelabelings', 'relabelings', 'proxyUrl', 'noProxy', 'proxyFromEnvironment', 'proxyConnectHeader', 'followRedirects',
      'enableHttp2', 'filterRunning'],
    'spec.endpoints[].tlsConfig': ['ca', 'cert', 'keySecret', 'caFile', 'certFile', 'keyFile', 'serverName', 'insecureSkipVerify', 'minVersion', 'maxVersion'],
    'spec.endpoints[].tlsConfig.ca': ['secret', 'configMap'],
    'spec.endpoints[].tlsConfig.ca.secret': ['name', 'key', 'optional'],
  },
};

function nodesAt(o: unknown, path: string): Record<string, unknown>[] {
  let nodes: unknown[] = [o];
  for (const part of path ? path.split('.') : []) {
    const many = part.endsWith('[]');
    const key = many ? part.slice(0, -2) : part;
    nodes = nodes.flatMap((n) => {
      const v = (n as Record<string, unknown>)[key];
      if (v === undefined) return [];
      return many ? (v as unknown[]) : [v];
    });
  }
  return nodes.filter((n): n is Record<string, unknown> => n !== null && typeof n === 'object' && !Array.isArray(n));
}

export function crdProblems(o: KubeObject): string[] {
  const fields = CRD_FIELDS[`${o.apiVersion}/${o.kind}`];
  if (!fields) return [`no schema for ${o.apiVersion} ${o.kind}`];
  const out: string[] = [];
  for (const [path, known] of Object.entries({ ...fields, metadata: METADATA })) {
    for (const node of nodesAt(o, path)) {
      for (const k of Object.keys(node)) if (!known.includes(k)) out.push(`unknown field ${path ? `${path}.` : ''}${k}`);
    }
  }
  if (typeof o.metadata.name !== 'string' || !o.metadata.name) out.push('no metadata.name');
  if (typeof o.metadata.namespace !== 'string') out.push('not namespaced');
  return out;
}

/** Every problem of the objects: schema errors, unknown fields, CRD kinds outside the lists. */
export function renderProblems(objects: KubeObject[]): string[] {
  return objects.flatMap((o) => {
    if (!(`${o.apiVersion}/${o.kind}` in MODELS)) return crdProblems(o).map((p) => `${objectId(o)}: ${p}`);
    try {
      validateObject(o);
    } catch (e) {
      return [`${objectId(o)}: ${(e as Error).message}`];
    }
    return unknownFields(o).map((f) => `${objectId(o)}: unknown field ${f}`);
  });
}

/** The chart's render, asserted to have no problems. */
export async function renderChecked(t: Test, chart: ChartRunner, opts: RenderOptions = {}): Promise<KubeObject[]> {
  const objects = await chart.render(opts);
  t.same(renderProblems(objects), [], `renders ${objects.length} objects that validate, without unknown fields`);
  return objects;
}
