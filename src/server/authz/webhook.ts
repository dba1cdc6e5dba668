// Delegated authorization: a SubjectAccessReview to kube-apiserver, decisions
// cached by the JSON of the spec for --authorization-webhook-cache-authorized-ttl /
// --authorization-webhook-cache-unauthorized-ttl. Transport errors are not cached
// and never allow.

import { LRUCache } from 'lru-cache';
import type { SubjectAccessReviewer, SubjectAccessReviewSpec, SubjectAccessReviewStatus } from '../../kube/subject-access-review.js';
import { noopAuthObserver, type AuthObserver } from '../../observers.js';

export interface Decision {
  allowed: boolean;
  reason?: string;
}

export interface WebhookAuthorizerOptions {
  authorizedTtlMs: number;
  unauthorizedTtlMs: number;
  /** Most decisions remembered. */
  maxEntries?: number;
  observer?: AuthObserver;
}

export class WebhookAuthorizer {
  private readonly cache: LRUCache<string, SubjectAccessReviewStatus>;
  private readonly observer: AuthObserver;

  constructor(private readonly reviewer: SubjectAccessReviewer, private readonly opts: WebhookAuthorizerOptions) {
    this.observer = opts.observer ?? noopAuthObserver;
    this.cache = new LRUCache({ max: opts.maxEntries ?? 8192 });
  }

  /** A cached decision synchronously; otherwise the review, rejecting when it cannot be made. */
  authorize(spec: SubjectAccessReviewSpec): Decision | Promise<Decision> {
    const key = JSON.stringify(spec);
    const status = this.cache.get(key);
    if (status) {
      this.observer.cacheHit('authorization');
      return decisionOf(status);
    }
    this.observer.cacheMiss('authorization');
    return this.review(key, spec);
  }

  private async review(key: string, spec: SubjectAccessReviewSpec): Promise<Decision> {
    const status = await this.reviewer.review(spec);
    const ttl = status.allowed ? this.opts.authorizedTtlMs : this.opts.unauthorizedTtlMs;
    // lru-cache reads ttl 0 as "forever"; upstream reads it as "do not cache".
    if (ttl > 0) this.cache.set(key, status, { ttl });
    return decisionOf(status);
  }
}

function decisionOf(status: SubjectAccessReviewStatus): Decision {
  const d: Decision = { allowed: status.allowed };
  if (status.reason) d.reason = status.reason;
  return d;
}
