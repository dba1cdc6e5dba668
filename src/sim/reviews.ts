// TokenReview and SubjectAccessReview, answered from the simulated cluster's
// tokens and policy, in the authentication.k8s.io/v1 and authorization.k8s.io/v1
// wire forms delegating servers send and read.

import type { Authenticator } from './authn.js';
import type { Json } from './objects.js';
import type { Attributes, Policy, UserInfo } from './policy.js';

export class ReviewError extends Error {}

function obj(v: unknown): Json | undefined {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : undefined;
}

function checkKind(body: Json, apiVersion: string, kind: string): Json {
  if (body.kind !== kind) throw new ReviewError(`kind must be ${kind}, got ${JSON.stringify(body.kind)}`);
  if (body.apiVersion !== apiVersion) throw new ReviewError(`apiVersion must be ${apiVersion}, got ${JSON.stringify(body.apiVersion)}`);
  const spec = obj(body.spec);
  if (!spec) throw new ReviewError('spec is required');
  return spec;
}

export function tokenReview(body: Json, authn: Authenticator): Json {
  const spec = checkKind(body, 'authentication.k8s.io/v1', 'TokenReview');
  if (typeof spec.token !== 'string' || spec.token === '') throw new ReviewError('spec.token: Required value');
  const user = authn.lookupToken(spec.token);
  const status: Json = user
    ? {
        authenticated: true,
        user: { username: user.username, ...(user.uid ? { uid: user.uid } : {}), groups: user.groups, ...(user.extra ? { extra: user.extra } : {}) },
        audiences: Array.isArray(spec.audiences) && spec.audiences.length ? spec.audiences : ['https://kubernetes.default.svc.cluster.local'],
      }
    : { user: {}, error: 'invalid bearer token' };
  return { kind: 'TokenReview', apiVersion: 'authentication.k8s.io/v1', metadata: { creationTimestamp: null }, spec: { token: spec.token, ...(spec.audiences ? { audiences: spec.audiences } : {}) }, status };
}

function strings(v: unknown, field: string): string[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) throw new ReviewError(`${field} must be a list of strings`);
  return v as string[];
}

export function subjectAccessReview(body: Json, policy: Policy): Json {
  const spec = checkKind(body, 'authorization.k8s.io/v1', 'SubjectAccessReview');
  const ra = obj(spec.resourceAttributes);
  const nra = obj(spec.nonResourceAttributes);
  if (!ra && !nra) throw new ReviewError('spec: Invalid value: exactly one of nonResourceAttributes or resourceAttributes must be specified');
  if (ra && nra) throw new ReviewError('spec: Invalid value: cannot specify both resourceAttributes and nonResourceAttributes');
  if (typeof spec.user !== 'string' && !Array.isArray(spec.groups)) throw new ReviewError('spec.user: Invalid value: at least one of user or group must be specified');
  const str = (v: unknown): string => (typeof v === 'string' ? v : '');
  const user: UserInfo = { username: str(spec.user), groups: strings(spec.groups, 'spec.groups') };
  const attrs: Attributes = ra
    ? {
        resource: {
          verb: str(ra.verb),
          group: str(ra.group),
          version: str(ra.version),
          resource: str(ra.resource),
          ...(ra.subresource ? { subresource: str(ra.subresource) } : {}),
          ...(ra.namespace ? { namespace: str(ra.namespace) } : {}),
          ...(ra.name ? { name: str(ra.name) } : {}),
        },
      }
    : { nonResource: { verb: str(nra!.verb), path: str(nra!.path) } };
  const d = policy.authorize(user, attrs);
  return {
    kind: 'SubjectAccessReview',
    apiVersion: 'authorization.k8s.io/v1',
    metadata: { creationTimestamp: null },
    spec,
    status: d.allowed ? { allowed: true, reason: d.reason } : { allowed: false },
  };
}
