// Accept-header negotiation as the generic API server does it
// (apiserver endpoints/handlers/negotiation, goautoneg): clauses sorted by q and
// specificity, q=0 rejects a type (even against a wildcard), the first clause a
// serializer matches and whose parameters the endpoint allows wins.

export type SerializerName = 'json' | 'yaml' | 'protobuf';

export interface SerializerInfo {
  name: SerializerName;
  mediaType: string;
  type: string;
  subType: string;
}

/** The server's serializers in GAS order: the first one is the default. */
export const SERIALIZERS: readonly SerializerInfo[] = [
  { name: 'json', mediaType: 'application/json', type: 'application', subType: 'json' },
  { name: 'yaml', mediaType: 'application/yaml', type: 'application', subType: 'yaml' },
  { name: 'protobuf', mediaType: 'application/vnd.kubernetes.protobuf', type: 'application', subType: 'vnd.kubernetes.protobuf' },
];

export interface AcceptClause {
  type: string;
  subType: string;
  q: number;
  params: Record<string, string>;
}

export interface GroupVersionKind {
  group: string;
  version: string;
  kind: string;
}

/** What an endpoint lets a client ask for beyond the plain serialization. */
export interface EndpointRestrictions {
  allowsTransform(type: string, subType: string, target: GroupVersionKind | undefined): boolean;
}

/** Discovery, errors and everything that is not a resource: no transforms at all. */
export const DEFAULT_RESTRICTIONS: EndpointRestrictions = {
  allowsTransform: (_t, _s, target) => target === undefined,
};

const META_GROUP = 'meta.k8s.io';

/** Resource endpoints (RequestScope): Table as JSON/YAML, PartialObjectMetadata[List] in any serialization. */
export const RESOURCE_RESTRICTIONS: EndpointRestrictions = {
  allowsTransform(type, subType, target) {
    if (target === undefined) return true;
    if (target.group !== META_GROUP || (target.version !== 'v1' && target.version !== 'v1beta1')) return false;
    switch (target.kind) {
      case 'Table':
        return type === 'application' && (subType === 'json' || subType === 'yaml');
      case 'PartialObjectMetadata':
      case 'PartialObjectMetadataList':
        return true;
      default:
        return false;
    }
  },
};

export interface MediaTypeOptions {
  serializer: SerializerInfo;
  /** The as/g/v transform the client asked for, if any. */
  convert?: GroupVersionKind;
  /** pretty=1 media type parameter. */
  pretty: boolean;
}

/** goautoneg.ParseAccept: split, parse, then its (insertion) sort on q and wildcards. */
export function parseAccept(header: string): AcceptClause[] {
  const clauses: AcceptClause[] = [];
  for (const rawPart of header.split(',')) {
    const part = trimSpaces(rawPart);
    const segments = part.split(';');
    const range = segments[0]!.split('/');
    const type = trimSpaces(range[0]!);
    let subType: string;
    if (range.length === 1 && type === '*') subType = '*';
    else if (range.length === 2) subType = trimSpaces(range[1]!);
    else continue;
    const clause: AcceptClause = { type, subType, q: 1, params: {} };
    for (const param of segments.slice(1)) {
      const eq = param.indexOf('=');
      if (eq < 0) continue;
      const key = trimSpaces(param.slice(0, eq));
      const value = param.slice(eq + 1);
      if (key === 'q') clause.q = parseQ(value);
      else clause.params[key] = trimSpaces(value);
    }
    clauses.push(clause);
  }
  // Go sorts these few clauses with insertion sort and this Less; mirror it exactly.
  for (let i = 1; i < clauses.length; i++) {
    for (let j = i; j > 0 && acceptLess(clauses[j]!, clauses[j - 1]!); j--) {
      const tmp = clauses[j]!;
      clauses[j] = clauses[j - 1]!;
      clauses[j - 1] = tmp;
    }
  }
  return clauses;
}

function acceptLess(a: AcceptClause, b: AcceptClause): boolean {
  if (a.q > b.q) return true;
  if (a.type !== '*' && b.type === '*') return true;
  if (a.subType !== '*' && b.subType === '*') return true;
  return false;
}

function trimSpaces(s: string): string {
  let i = 0;
  let j = s.length;
  while (i < j && s[i] === ' ') i++;
  while (j > i && s[j - 1] === ' ') j--;
  return s.slice(i, j);
}

// strconv.ParseFloat(v, 32) with the error ignored: anything unparsable is 0.
function parseQ(v: string): number {
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(v)) return 0;
  return Math.fround(Number(v));
}

/** 2 exact, 1 type/*, 0 for *\/*, -1 no match (negotiate.go clauseSpecificity). */
function specificity(c: AcceptClause, s: SerializerInfo): number {
  if (c.type === s.type && c.subType === s.subType) return 2;
  if (c.type === s.type && c.subType === '*') return 1;
  if (c.type === '*' && c.subType === '*') return 0;
  return -1;
}

function acceptOptions(c: AcceptClause, s: SerializerInfo, endpoint: EndpointRestrictions): MediaTypeOptions | undefined {
  let convert: GroupVersionKind | undefined;
  let pretty = false;
  for (const [k, v] of Object.entries(c.params)) {
    switch (k) {
      case 'as':
        convert = { group: convert?.group ?? '', version: convert?.version ?? '', kind: v };
        break;
      case 'g':
        convert = { group: v, version: convert?.version ?? '', kind: convert?.kind ?? '' };
        break;
      case 'v':
        convert = { group: convert?.group ?? '', version: v, kind: convert?.kind ?? '' };
        break;
      case 'stream':
        // No serializer here streams (there is no watch), so any stream request skips the clause.
        if (v.length > 0) return undefined;
        break;
      case 'sv':
        if (v.length > 0) return undefined;
        break;
      case 'pretty':
        pretty = v === '1';
        break;
      default:
        break; // unrecognized parameters (charset, export, profile…) are ignored
    }
  }
  if (!endpoint.allowsTransform(s.type, s.subType, convert)) return undefined;
  const out: MediaTypeOptions = { serializer: s, pretty };
  if (convert) out.convert = convert;
  return out;
}

/**
 * Picks the serializer and transform for an Accept header, or undefined when
 * nothing is acceptable (the caller answers 406). An empty header means JSON.
 */
export function negotiateMediaType(
  header: string | undefined,
  endpoint: EndpointRestrictions,
  serializers: readonly SerializerInfo[] = SERIALIZERS,
): MediaTypeOptions | undefined {
  if (!header) return serializers.length > 0 ? { serializer: serializers[0]!, pretty: false } : undefined;
  const clauses = parseAccept(header);
  // A serializer is rejected when its most specific matching clause has q=0.
  const rejected = serializers.map((s) => {
    let best = -1;
    let rej = false;
    for (const c of clauses) {
      const spec = specificity(c, s);
      if (spec > best) {
        best = spec;
        rej = c.q <= 0;
      }
    }
    return rej;
  });
  for (const c of clauses) {
    if (c.q <= 0) continue;
    for (let i = 0; i < serializers.length; i++) {
      if (rejected[i]) continue;
      const s = serializers[i]!;
      if (specificity(c, s) < 0) continue;
      const opts = acceptOptions(c, s, endpoint);
      if (opts) return opts;
    }
  }
  return undefined;
}

/** Upstream's 406 text: "only the following media types are accepted: a, b, c". */
export function notAcceptableMessage(serializers: readonly SerializerInfo[] = SERIALIZERS): string {
  return `only the following media types are accepted: ${serializers.map((s) => s.mediaType).join(', ')}`;
}
