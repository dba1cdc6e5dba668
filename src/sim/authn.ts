// The stand-in apiserver's authenticators: x509 client certificates verified
// against the cluster CA (user = CN, groups = O) and static bearer tokens. No
// credentials means anonymous, as kube-apiserver with anonymous auth enabled.

import type { TLSSocket } from 'node:tls';
import type { UserInfo } from './policy.js';

export const ANONYMOUS: UserInfo = { username: 'system:anonymous', groups: ['system:unauthenticated'] };

export type AuthnResult = { user: UserInfo } | { error: string } | { anonymous: true };

function withAuthenticated(u: UserInfo): UserInfo {
  return u.groups.includes('system:authenticated') ? u : { ...u, groups: [...u.groups, 'system:authenticated'] };
}

export class Authenticator {
  private readonly tokens = new Map<string, UserInfo>();

  addToken(token: string, user: UserInfo): void {
    this.tokens.set(token, user);
  }

  /** The user a bearer token stands for (TokenReview semantics), with system:authenticated. */
  lookupToken(token: string): UserInfo | undefined {
    const u = this.tokens.get(token);
    return u && withAuthenticated(u);
  }

  /**
   * socket: the TLS socket, whose .authorized says whether the presented chain
   * verified against the cluster CA the server was configured with.
   */
  authenticate(authorization: string | undefined, socket: TLSSocket): AuthnResult {
    if (socket.authorized) {
      const peer = socket.getPeerCertificate();
      if (peer && peer.subject && peer.subject.CN) {
        const o = peer.subject.O;
        const cn = Array.isArray(peer.subject.CN) ? peer.subject.CN[0]! : peer.subject.CN;
        return { user: withAuthenticated({ username: cn, groups: o === undefined ? [] : Array.isArray(o) ? o : [o] }) };
      }
    }
    if (authorization !== undefined) {
      const m = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
      if (!m) return { error: 'Unauthorized' };
      const u = this.lookupToken(m[1]!);
      return u ? { user: u } : { error: 'Unauthorized' };
    }
    return { anonymous: true };
  }
}
