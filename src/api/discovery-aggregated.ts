// Aggregated discovery (apidiscovery.k8s.io/v2) on GET /apis: what the
// aggregator's discovery manager asks for first. Requests that do not negotiate
// to APIGroupDiscoveryList pass through to the plain APIGroupList handler, as the
// generic server's discovery WrappedHandler does.

import type { Context, Middleware, Next } from 'koa';
import { createHash } from 'node:crypto';
import { encodeJson, wantsPretty } from './codec/json.js';
import { negotiateMediaType, type EndpointRestrictions, type GroupVersionKind } from './codec/negotiate.js';
import { encodeYaml } from './codec/yaml.js';

export const DISCOVERY_GROUP = 'apidiscovery.k8s.io';
export const DISCOVERY_VERSION = 'v2';
export const DISCOVERY_KIND = 'APIGroupDiscoveryList';

export interface APIResourceDiscovery {
  resource: string;
  responseKind: { group: string; version: string; kind: string };
  scope: 'Cluster' | 'Namespaced';
  singularResource: string;
  verbs: string[];
}

export interface APIGroupDiscoveryList {
  kind?: string;
  apiVersion?: string;
  metadata: Record<string, never>;
  items: {
    metadata: { name: string };
    versions: { version: string; resources: APIResourceDiscovery[]; freshness: 'Current' | 'Stale' }[];
  }[];
}

/** metrics.k8s.io/v1beta1 as metrics-server reports it (protocol.md §2.6), without TypeMeta. */
export function metricsDiscovery(): APIGroupDiscoveryList {
  const resource = (name: string, kind: string, scope: 'Cluster' | 'Namespaced'): APIResourceDiscovery => ({
    resource: name,
    // metrics-server's storages name no GroupVersionKind, so group/version stay empty.
    responseKind: { group: '', version: '', kind },
    scope,
    singularResource: '',
    verbs: ['get', 'list'],
  });
  return {
    metadata: {},
    items: [
      {
        metadata: { name: 'metrics.k8s.io' },
        versions: [
          {
            version: 'v1beta1',
            resources: [resource('nodes', 'NodeMetrics', 'Cluster'), resource('pods', 'PodMetrics', 'Namespaced')],
            freshness: 'Current',
          },
        ],
      },
    ],
  };
}

function isAggregatedGVK(target: GroupVersionKind | undefined): boolean {
  return target !== undefined && target.group === DISCOVERY_GROUP && target.version === DISCOVERY_VERSION && target.kind === DISCOVERY_KIND;
}

// The aggregated document is served as JSON or YAML; a protobuf clause for it is
// skipped (no apidiscovery protobuf messages here), so the next clause decides.
const DISCOVERY_RESTRICTIONS: EndpointRestrictions = {
  allowsTransform: (_type, subType, target) => target === undefined || (isAggregatedGVK(target) && subType !== 'vnd.kubernetes.protobuf'),
};

/** Serves `GET /apis` as APIGroupDiscoveryList when the Accept header asks for it; otherwise next(). */
export function aggregatedDiscoveryMiddleware(doc: APIGroupDiscoveryList = metricsDiscovery()): Middleware {
  const { kind: _k, apiVersion: _a, ...untyped } = doc;
  // ETag: upper-case hex SHA-512 of the list's JSON without TypeMeta, as GAS computes it.
  const etag = JSON.stringify(createHash('sha512').update(JSON.stringify(untyped)).digest('hex').toUpperCase());
  const typed = { kind: DISCOVERY_KIND, apiVersion: `${DISCOVERY_GROUP}/${DISCOVERY_VERSION}`, ...untyped };
  const suffix = `;g=${DISCOVERY_GROUP};v=${DISCOVERY_VERSION};as=${DISCOVERY_KIND}`;

  return async function aggregatedDiscovery(ctx: Context, next: Next): Promise<void> {
    if ((ctx.method !== 'GET' && ctx.method !== 'HEAD') || (ctx.path !== '/apis' && ctx.path !== '/apis/')) return next();
    const mt = negotiateMediaType(ctx.get('accept') || undefined, DISCOVERY_RESTRICTIONS);
    if (!mt || !isAggregatedGVK(mt.convert)) return next();

    ctx.set('ETag', etag);
    ctx.set('Vary', 'Accept');
    ctx.set('Cache-Control', 'public');
    if (ctx.get('if-none-match') === etag) {
      ctx.status = 304;
      return;
    }
    const pretty = mt.pretty || wantsPretty(ctx.query, ctx.get('user-agent') || undefined);
    const body = mt.serializer.name === 'yaml' ? encodeYaml(typed) : encodeJson(typed, pretty);
    ctx.status = 200;
    ctx.body = Buffer.from(body);
    ctx.set('Content-Type', mt.serializer.mediaType + suffix);
  };
}
