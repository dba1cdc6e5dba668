// GAS RequestInfoFactory for this server's paths: what a request asks to do, in
// the terms authorization speaks (verb, API group/version, resource, namespace,
// name). Anything not under /apis/<group>/<version>/<resource>... (or /api/<version>/...)
// is a non-resource request whose verb is the lowercased HTTP method.

import { parseFieldSelector, parseLabelSelector, requiresExactMatch } from '../api/selectors/index.js';

export interface RequestInfo {
  isResourceRequest: boolean;
  /** The URL path, percent-decoded as Go's URL.Path (what non-resource authorization sees). */
  path: string;
  verb: string;
  apiPrefix?: string;
  apiGroup?: string;
  apiVersion?: string;
  namespace?: string;
  resource?: string;
  subresource?: string;
  name?: string;
  /** Raw selectors, carried for list and watch only (they narrow what is authorized). */
  labelSelector?: string;
  fieldSelector?: string;
}

const API_PREFIXES = new Set(['api', 'apis']);
const GROUPLESS_PREFIXES = new Set(['api']);
const SPECIAL_VERBS = new Set(['proxy', 'watch']);
const NO_SUBRESOURCE_VERBS = new Set(['proxy']);
const NAMESPACE_SUBRESOURCES = new Set(['status', 'finalize']);
const SELECTOR_VERBS = new Set(['list', 'watch', 'deletecollection']);

const METHOD_VERBS: Record<string, string> = { POST: 'create', GET: 'get', HEAD: 'get', PUT: 'update', PATCH: 'patch', DELETE: 'delete' };

/** The decoded URL path, as Go's URL.Path; a malformed escape leaves the raw path. */
export function decodePath(path: string): string {
  try {
    return decodeURIComponent(path);
  } catch {
    return path; // a malformed escape cannot name anything we serve
  }
}

function splitPath(decoded: string): string[] {
  const trimmed = decoded.replace(/^\/+|\/+$/g, '');
  return trimmed === '' ? [] : trimmed.split('/');
}

// apimachinery's ParseBool set; anything else falls back to "present and not false/0".
function watchRequested(values: string[]): boolean {
  if (values.length === 0) return false;
  const v = values[0]!;
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(v)) return true;
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(v)) return false;
  return !['false', '0'].includes(v.toLowerCase());
}

// k8s.io/apimachinery path.IsValidPathSegmentName.
function validPathSegmentName(name: string): boolean {
  return name !== '.' && name !== '..' && !name.includes('/') && !name.includes('%');
}

export function requestInfo(method: string, rawPath: string, query: URLSearchParams): RequestInfo {
  const path = decodePath(rawPath);
  const nonResource: RequestInfo = { isResourceRequest: false, path, verb: method.toLowerCase() };
  let parts = splitPath(path);
  if (parts.length < 3 || !API_PREFIXES.has(parts[0]!)) return nonResource;
  const info: RequestInfo = { isResourceRequest: true, path, verb: '', apiPrefix: parts[0]! };
  parts = parts.slice(1);
  if (!GROUPLESS_PREFIXES.has(info.apiPrefix!)) {
    if (parts.length < 3) return nonResource; // /apis/<group>/<version> is discovery
    info.apiGroup = parts[0]!;
    parts = parts.slice(1);
  } else {
    info.apiGroup = '';
  }
  info.apiVersion = parts[0]!;
  parts = parts.slice(1);

  if (SPECIAL_VERBS.has(parts[0]!)) {
    // GAS rejects "/watch" alone as unparseable; a request we cannot classify stays non-resource.
    if (parts.length < 2) return nonResource;
    info.verb = parts[0]!;
    parts = parts.slice(1);
  } else {
    info.verb = METHOD_VERBS[method.toUpperCase()] ?? '';
  }

  if (parts[0] === 'namespaces') {
    if (parts.length > 1) {
      info.namespace = parts[1]!;
      if (parts.length > 2 && !NAMESPACE_SUBRESOURCES.has(parts[2]!)) parts = parts.slice(2);
    }
  }

  if (parts.length >= 3 && !NO_SUBRESOURCE_VERBS.has(info.verb)) info.subresource = parts[2]!;
  if (parts.length >= 2) info.name = parts[1]!;
  if (parts.length >= 1) info.resource = parts[0]!;

  if (!info.name && info.verb === 'get') {
    info.verb = watchRequested(query.getAll('watch')) ? 'watch' : 'list';
    const fieldSelector = query.get('fieldSelector');
    if (fieldSelector) {
      try {
        const name = requiresExactMatch(parseFieldSelector(fieldSelector), 'metadata.name');
        if (name !== undefined && validPathSegmentName(name)) info.name = name;
      } catch {
        // A bad selector is reported by the handler (400); authorization just does not narrow by name.
      }
    }
  }
  if (!info.name && info.verb === 'delete') info.verb = 'deletecollection';

  if (SELECTOR_VERBS.has(info.verb)) {
    const ls = query.get('labelSelector');
    const fs = query.get('fieldSelector');
    if (ls) info.labelSelector = ls;
    if (fs) info.fieldSelector = fs;
  }
  return info;
}

/** Selector requirements in SubjectAccessReview form; unparseable selectors are left out. */
export function labelSelectorRequirements(raw: string | undefined): { key: string; operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist'; values?: string[] }[] | undefined {
  if (!raw) return undefined;
  let reqs;
  try {
    reqs = parseLabelSelector(raw).requirements;
  } catch {
    return undefined;
  }
  const out: { key: string; operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist'; values?: string[] }[] = [];
  for (const r of reqs) {
    switch (r.operator) {
      case '=':
      case '==':
      case 'in':
        out.push({ key: r.key, operator: 'In', values: [...r.values] });
        break;
      case '!=':
      case 'notin':
        out.push({ key: r.key, operator: 'NotIn', values: [...r.values] });
        break;
      case 'exists':
        out.push({ key: r.key, operator: 'Exists' });
        break;
      case '!':
        out.push({ key: r.key, operator: 'DoesNotExist' });
        break;
      default:
        // gt/lt have no LabelSelectorRequirement form; upstream skips them too.
        break;
    }
  }
  return out.length ? out : undefined;
}

export function fieldSelectorRequirements(raw: string | undefined): { key: string; operator: 'In' | 'NotIn'; values: string[] }[] | undefined {
  if (!raw) return undefined;
  try {
    const reqs = parseFieldSelector(raw).requirements;
    const out = reqs.map((r) => ({ key: r.field, operator: r.operator === '!=' ? ('NotIn' as const) : ('In' as const), values: [r.value] }));
    return out.length ? out : undefined;
  } catch {
    return undefined;
  }
}

/**
 * requestInfo of a GET of one object under /apis/<group>/<version>/, for a path
 * already split by the caller (the resource GET fast path): the same fields
 * without re-parsing. Only for plain segments, which decoding leaves unchanged.
 */
export function objectGetInfo(path: string, group: string, version: string, resource: string, namespace: string | undefined, name: string): RequestInfo {
  const info: RequestInfo = { isResourceRequest: true, path, verb: 'get', apiPrefix: 'apis', apiGroup: group, apiVersion: version };
  if (namespace !== undefined) info.namespace = namespace;
  info.name = name;
  info.resource = resource;
  return info;
}
