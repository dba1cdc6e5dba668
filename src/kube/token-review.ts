// TokenReview (authentication.k8s.io/v1) through --authentication-kubeconfig:
// kube-apiserver says who a bearer token belongs to.

import { ApiException, AuthenticationV1Api, Observable, type ConfigurationOptions, type KubeConfig, type RequestContext, type ResponseContext, type V1TokenReview } from '@kubernetes/client-node';

export interface TokenReviewUser {
  username?: string;
  uid?: string;
  groups?: string[];
  extra?: Record<string, string[]>;
}

export interface TokenReviewStatus {
  authenticated?: boolean;
  user?: TokenReviewUser;
  error?: string;
}

export interface TokenReviewer {
  /** Rejects when the API server cannot be asked (network, HTTP error). */
  review(token: string): Promise<TokenReviewStatus>;
}

/** Request options that abort a call after timeoutMs (upstream's webhook client timeout is 10s). */
export function requestTimeout(timeoutMs: number): ConfigurationOptions {
  return {
    middleware: [
      {
        pre: (ctx: RequestContext) => {
          ctx.setSignal(AbortSignal.timeout(timeoutMs));
          return new Observable(Promise.resolve(ctx));
        },
        post: (res: ResponseContext) => new Observable(Promise.resolve(res)),
      },
    ],
    middlewareMergeStrategy: 'append',
  };
}

/** Retry schedule for webhook calls; upstream's default is 500ms × 1.5, jitter 0.2, 5 attempts. */
export interface RetryBackoff {
  steps: number;
  initialMs: number;
  factor: number;
  jitter: number;
}

export const WEBHOOK_BACKOFF: RetryBackoff = { steps: 5, initialMs: 500, factor: 1.5, jitter: 0.2 };

// Upstream's webhook.DefaultShouldRetry: connection resets, 500 InternalError, 504
// Timeout, 429 and any answer carrying Retry-After. Refused connections and client
// timeouts are not retried.
function transient(e: unknown): boolean {
  if (e instanceof ApiException) {
    if ([429, 500, 504].includes(e.code)) return true;
    const headers = (e.headers ?? {}) as Record<string, string>;
    return Object.keys(headers).some((h) => h.toLowerCase() === 'retry-after');
  }
  for (let c: unknown = e; c instanceof Error; c = c.cause) if ((c as NodeJS.ErrnoException).code === 'ECONNRESET') return true;
  return false;
}

/** Calls fn, retrying transient failures on the backoff schedule. */
export async function withRetry<T>(fn: () => Promise<T>, backoff: RetryBackoff = WEBHOOK_BACKOFF): Promise<T> {
  let delay = backoff.initialMs;
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (e) {
      if (attempt >= backoff.steps || !transient(e)) throw e;
      await new Promise((r) => setTimeout(r, delay * (1 + Math.random() * backoff.jitter)));
      delay *= backoff.factor;
    }
  }
}

export class KubeTokenReviewer implements TokenReviewer {
  private readonly api: AuthenticationV1Api;
  constructor(kc: KubeConfig, private readonly timeoutMs = 10_000, private readonly backoff: RetryBackoff = WEBHOOK_BACKOFF) {
    this.api = kc.makeApiClient(AuthenticationV1Api);
  }

  async review(token: string): Promise<TokenReviewStatus> {
    const body: V1TokenReview = { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenReview', spec: { token } };
    const res = await withRetry(() => this.api.createTokenReview({ body }, requestTimeout(this.timeoutMs)), this.backoff);
    const s = res.status;
    if (!s) return { authenticated: false };
    const out: TokenReviewStatus = { authenticated: s.authenticated === true };
    if (s.error) out.error = s.error;
    if (s.user) {
      out.user = {};
      if (s.user.username !== undefined) out.user.username = s.user.username;
      if (s.user.uid !== undefined) out.user.uid = s.user.uid;
      if (s.user.groups) out.user.groups = s.user.groups;
      if (s.user.extra) out.user.extra = s.user.extra;
    }
    return out;
  }
}
