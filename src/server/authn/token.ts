// Bearer token authentication delegated to kube-apiserver with TokenReview, answers
// cached for --authentication-token-webhook-cache-ttl (successes and rejections;
// transport errors are not cached, so an outage heals at the next request).

import { createHash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { LRUCache } from 'lru-cache';
import type { TokenReviewer, TokenReviewStatus } from '../../kube/token-review.js';
import { noopAuthObserver, type AuthObserver } from '../../observers.js';
import type { Authenticator } from './authenticator.js';
import { AuthenticationError, type UserInfo } from './user.js';

export interface TokenAuthenticatorOptions {
  /** Cache TTL in milliseconds; 0 disables the cache. */
  ttlMs: number;
  /** Most distinct tokens remembered. */
  maxEntries?: number;
  observer?: AuthObserver;
}

/** The token of an "Authorization: Bearer <token>" header, as GAS's bearertoken authenticator reads it. */
export function bearerToken(req: IncomingMessage): string | undefined {
  const auth = req.headers.authorization?.trim();
  if (!auth) return undefined;
  const parts = auth.split(' ');
  if (parts.length < 2 || parts[0]!.toLowerCase() !== 'bearer') return undefined;
  return parts[1] || undefined; // empty bearer tokens are not credentials
}

export class TokenAuthenticator implements Authenticator {
  private readonly cache: LRUCache<string, TokenReviewStatus> | undefined;
  private readonly observer: AuthObserver;

  constructor(private readonly reviewer: TokenReviewer, opts: TokenAuthenticatorOptions) {
    this.observer = opts.observer ?? noopAuthObserver;
    if (opts.ttlMs > 0) this.cache = new LRUCache({ max: opts.maxEntries ?? 10_000, ttl: opts.ttlMs, ttlAutopurge: false });
  }

  async authenticate(req: IncomingMessage): Promise<UserInfo | undefined> {
    const token = bearerToken(req);
    if (token === undefined) return undefined;
    // Keyed by a hash so that the cache never holds a usable credential.
    const key = createHash('sha256').update(token).digest('base64');
    let status = this.cache?.get(key);
    if (status) {
      this.observer.cacheHit('token');
    } else {
      this.observer.cacheMiss('token');
      try {
        status = await this.reviewer.review(token);
      } catch (e) {
        throw new AuthenticationError(`token review failed: ${(e as Error).message}`);
      }
      this.cache?.set(key, status);
    }
    if (!status.authenticated || !status.user?.username) throw new AuthenticationError('invalid bearer token');
    const u = status.user;
    const user: UserInfo = { name: u.username!, groups: [...(u.groups ?? [])], extra: { ...(u.extra ?? {}) } };
    if (u.uid) user.uid = u.uid;
    return user;
  }
}
