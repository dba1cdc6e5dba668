// Clients send the same few Accept headers over and over (the HPA, kubectl,
// Prometheus adapters): remember what each negotiated to per endpoint kind, so a
// request does not re-parse and re-sort its header. Bounded: a flood of distinct
// headers only costs a cleared map.

import { negotiateMediaType, type EndpointRestrictions, type MediaTypeOptions } from './negotiate.js';

const MAX_HEADERS = 256;

const byEndpoint = new WeakMap<EndpointRestrictions, Map<string, MediaTypeOptions | null>>();

/** negotiateMediaType with the server's serializers; the result is shared and must not be changed. */
export function negotiateCached(header: string | undefined, endpoint: EndpointRestrictions): MediaTypeOptions | undefined {
  if (!header) return negotiateMediaType(header, endpoint);
  let seen = byEndpoint.get(endpoint);
  if (!seen) byEndpoint.set(endpoint, (seen = new Map()));
  let mt = seen.get(header);
  if (mt === undefined) {
    mt = negotiateMediaType(header, endpoint) ?? null;
    if (seen.size >= MAX_HEADERS) seen.clear();
    seen.set(header, mt);
  }
  return mt ?? undefined;
}
