// Front-proxy (request-header) authentication: the aggregator proves itself with a
// client certificate from the request-header CA, then names the user in headers.
// Headers are read only after the certificate verified. Repeated fields are kept
// apart (Node.js's req.headers joins them with ", " and Kubernetes never splits):
// the identity fields are gathered in one pass over rawHeaders, as headersDistinct
// would give them, without Node.js building that view of every field.

import type { IncomingMessage } from 'node:http';
import type { Authenticator } from './authenticator.js';
import type { CABundle } from './ca-bundle.js';
import { identityHeaderNames, type IdentityHeaderConfig, type IdentityHeaderNames } from './identity-headers.js';
import { checkPeer, peerChain } from './peer-certificates.js';
import { extraFromHeaders } from './request-header-extra.js';
import { subjectNames } from './subject.js';
import { AuthenticationError, type UserInfo } from './user.js';

export interface RequestHeaderConfig {
  ca: CABundle | undefined;
  /** Accepted certificate CNs; empty = any certificate from the CA. */
  allowedNames: readonly string[];
  usernameHeaders: readonly string[];
  uidHeaders: readonly string[];
  groupHeaders: readonly string[];
  extraHeaderPrefixes: readonly string[];
}

export interface RequestHeaderConfigProvider {
  current(): RequestHeaderConfig | undefined;
}

type Fields = Record<string, string[]>;

/**
 * The request's identity fields by lowercased name, every value in the order sent:
 * headersDistinct's entries for those names, in its order (no prototype, so the keys
 * order as its keys do). HTTP/2 raw names are lowercase; its pseudo-headers are skipped.
 */
export function identityFields(raw: readonly string[], names: IdentityHeaderNames): Fields {
  const fields = Object.create(null) as Fields;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i]!;
    if (name.charCodeAt(0) === 58 /* ':' */) continue; // HTTP/2 pseudo-header, never a field
    const key = names.identityKey(name);
    if (key !== undefined) (fields[key] ??= []).push(raw[i + 1]!);
  }
  return fields;
}

function firstValue(fields: Fields, headers: readonly string[]): string | undefined {
  for (const h of headers) {
    const v = fields[h]?.[0];
    if (v) return v;
  }
  return undefined;
}

/** Header names carrying identity (to delete after authentication); extra prefixes end with "*". */
export function isIdentityHeader(name: string, cfg: IdentityHeaderConfig): boolean {
  return identityHeaderNames(cfg).matches(name);
}

export class RequestHeaderAuthenticator implements Authenticator {
  constructor(private readonly config: RequestHeaderConfigProvider) {}

  authenticate(req: IncomingMessage): UserInfo | AuthenticationError | Error | undefined {
    const cfg = this.config.current();
    if (!cfg?.ca) return undefined;
    const peer = peerChain(req);
    if (!peer) return undefined;
    const chain = checkPeer(peer, cfg.ca);
    if (chain instanceof Error) return chain;
    if (cfg.allowedNames.length > 0) {
      const cn = subjectNames(chain[0]!).commonName;
      if (!cfg.allowedNames.includes(cn)) return new AuthenticationError(`x509: subject with cn=${cn} is not in the allowed list`);
    }
    const names = identityHeaderNames(cfg);
    const fields = identityFields(req.rawHeaders, names);
    const name = firstValue(fields, names.usernameHeaders);
    if (!name) return undefined;
    const groups: string[] = [];
    for (const h of names.groupHeaders) for (const g of fields[h] ?? []) if (g) groups.push(g);
    const user: UserInfo = { name, groups, extra: extraFromHeaders(fields, names.extraHeaderPrefixes) };
    const uid = firstValue(fields, names.uidHeaders);
    if (uid) user.uid = uid;
    return user;
  }
}
