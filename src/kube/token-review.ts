// TokenReview (authentication.k8s.io/v1) through --authentication-kubeconfig:
// kube-apiserver says who a bearer token belongs to.

import { AuthenticationV1Api, Observable, type ConfigurationOptions, type KubeConfig, type RequestContext, type ResponseContext, type V1TokenReview } from '@kubernetes/client-node';

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

export class KubeTokenReviewer implements TokenReviewer {
  private readonly api: AuthenticationV1Api;
  constructor(kc: KubeConfig, private readonly timeoutMs = 10_000) {
    this.api = kc.makeApiClient(AuthenticationV1Api);
  }

  async review(token: string): Promise<TokenReviewStatus> {
    const body: V1TokenReview = { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenReview', spec: { token } };
    const res = await this.api.createTokenReview({ body }, requestTimeout(this.timeoutMs));
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
