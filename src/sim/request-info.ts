// kube-apiserver's RequestInfo for the stand-in: which requests are resource
// requests, and their verb, group, resource, namespace and name (the attributes
// authorization sees).

import type { Attributes } from './policy.js';

export interface RequestInfo {
  isResource: boolean;
  verb: string;
  path: string;
  apiPrefix?: 'api' | 'apis';
  group: string;
  version: string;
  resource: string;
  subresource: string;
  namespace: string;
  name: string;
  /** The name authorization sees: the path's, or a list/watch's fieldSelector metadata.name. */
  authzName: string;
}

const METHOD_VERBS: Record<string, string> = { POST: 'create', PUT: 'update', PATCH: 'patch', DELETE: 'delete', GET: 'get', HEAD: 'get' };

export function requestInfo(method: string, url: URL): RequestInfo {
  const path = url.pathname;
  const parts = path.split('/').filter((p) => p !== '');
  const base: RequestInfo = { isResource: false, verb: method.toLowerCase(), path, group: '', version: '', resource: '', subresource: '', namespace: '', name: '', authzName: '' };
  if (parts[0] !== 'api' && parts[0] !== 'apis') return base;
  const info: RequestInfo = { ...base, apiPrefix: parts[0] };
  let rest: string[];
  if (parts[0] === 'api') {
    if (parts.length < 3) return base; // /api, /api/v1 are discovery
    info.version = parts[1]!;
    rest = parts.slice(2);
  } else {
    if (parts.length < 4) return base; // /apis, /apis/g, /apis/g/v
    info.group = parts[1]!;
    info.version = parts[2]!;
    rest = parts.slice(3);
  }
  info.isResource = true;
  let verb = METHOD_VERBS[method] ?? method.toLowerCase();
  const watch = url.searchParams.get('watch');
  if (rest[0] === 'namespaces' && rest.length > 1) {
    if (rest.length > 2) {
      info.namespace = rest[1]!;
      rest = rest.slice(2);
    }
  }
  info.resource = rest[0] ?? '';
  info.name = rest[1] ?? '';
  info.subresource = rest[2] ?? '';
  if (method === 'GET' || method === 'HEAD') {
    if (!info.name) verb = watch === 'true' || watch === '1' ? 'watch' : 'list';
  }
  if (method === 'DELETE' && !info.name) verb = 'deletecollection';
  info.verb = verb;
  info.authzName = info.name;
  // list/watch narrowed to one name by fieldSelector=metadata.name=X is authorized as that name.
  if ((verb === 'list' || verb === 'watch') && !info.name) {
    const m = /^metadata\.name==?([^,]+)$/.exec(url.searchParams.get('fieldSelector') ?? '');
    if (m) info.authzName = m[1]!;
  }
  return info;
}

export function attributesOf(info: RequestInfo): Attributes {
  if (!info.isResource) return { nonResource: { verb: info.verb, path: info.path } };
  return {
    resource: {
      verb: info.verb,
      group: info.group,
      version: info.version,
      resource: info.resource,
      ...(info.subresource ? { subresource: info.subresource } : {}),
      ...(info.namespace ? { namespace: info.namespace } : {}),
      ...(info.authzName ? { name: info.authzName } : {}),
    },
  };
}
