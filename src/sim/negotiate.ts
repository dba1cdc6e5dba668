// Accept-header negotiation of the stand-in apiserver: plain JSON, the
// metadata-only forms (PartialObjectMetadata[List]), Table, and aggregated
// discovery. Protobuf and YAML are not offered; a client that accepts nothing
// else gets 406, as from a server without those serializers. Also the simulated
// kubelets' Accept-Encoding (gzip for /metrics/resource, as promhttp).

export type Want = 'json' | 'partial' | 'table' | 'discovery-v2';

export interface MediaRange {
  type: string;
  params: Record<string, string>;
}

export function parseAccept(accept: string | undefined): MediaRange[] {
  if (!accept || accept.trim() === '') return [{ type: '*/*', params: {} }];
  return accept.split(',').map((part) => {
    const [type, ...params] = part.split(';').map((s) => s.trim());
    const p: Record<string, string> = {};
    for (const kv of params) {
      const i = kv.indexOf('=');
      if (i > 0) p[kv.slice(0, i).trim().toLowerCase()] = kv.slice(i + 1).trim().replace(/^"|"$/g, '');
    }
    return { type: (type ?? '').toLowerCase(), params: p };
  });
}

/** Whether an Accept-Encoding header lists gzip with a non-zero quality, as promhttp negotiates it. */
export function acceptsGzip(acceptEncoding: string | undefined): boolean {
  if (!acceptEncoding) return false;
  return parseAccept(acceptEncoding).some((m) => m.type === 'gzip' && !(Number(m.params.q ?? '1') <= 0));
}

export interface Negotiated {
  want: Want;
  contentType: string;
}

/**
 * allowed: what the endpoint can produce. list: whether the object is a list (the
 * metadata-only form must then be PartialObjectMetadataList).
 */
export function negotiate(accept: string | undefined, allowed: readonly Want[], list: boolean): Negotiated | undefined {
  for (const m of parseAccept(accept)) {
    if (m.type !== 'application/json' && m.type !== '*/*' && m.type !== 'application/*') continue;
    const as = m.params.as;
    if (as === undefined) return { want: 'json', contentType: 'application/json' };
    const g = m.params.g;
    const v = m.params.v;
    if (as === 'Table' && g === 'meta.k8s.io' && (v === 'v1' || v === 'v1beta1') && allowed.includes('table')) {
      return { want: 'table', contentType: `application/json;as=Table;v=${v};g=meta.k8s.io` };
    }
    const partialKind = list ? 'PartialObjectMetadataList' : 'PartialObjectMetadata';
    if (as === partialKind && g === 'meta.k8s.io' && v === 'v1' && allowed.includes('partial')) {
      return { want: 'partial', contentType: `application/json;as=${partialKind};g=meta.k8s.io;v=v1` };
    }
    if (as === 'APIGroupDiscoveryList' && g === 'apidiscovery.k8s.io' && v === 'v2' && allowed.includes('discovery-v2')) {
      return { want: 'discovery-v2', contentType: 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList' };
    }
  }
  return undefined;
}
