// Front-proxy (request-header) authentication: the aggregator proves itself with a
// client certificate from the request-header CA, then names the user in headers.
// Headers are read only after the certificate verified; repeated headers come from
// headersDistinct because Node.js joins them with ", " and Kubernetes never splits.
// (HTTP/2 requests have no headersDistinct of their own: h2-request.ts builds it.)

import type { IncomingMessage } from 'node:http';
import type { Authenticator } from './authenticator.js';
import type { CABundle } from './ca-bundle.js';
import { headersDistinct } from '../h2-request.js';
import { identityHeaderNames, type IdentityHeaderConfig } from './identity-headers.js';
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

function values(req: IncomingMessage, header: string): string[] {
  return headersDistinct(req)[header] ?? [];
}

function firstValue(req: IncomingMessage, headers: readonly string[]): string | undefined {
  for (const h of headers) {
    const v = values(req, h)[0];
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
    const name = firstValue(req, names.usernameHeaders);
    if (!name) return undefined;
    const groups: string[] = [];
    for (const h of names.groupHeaders) for (const g of values(req, h)) if (g) groups.push(g);
    const user: UserInfo = { name, groups, extra: extraFromHeaders(headersDistinct(req), names.extraHeaderPrefixes) };
    const uid = firstValue(req, names.uidHeaders);
    if (uid) user.uid = uid;
    return user;
  }
}
