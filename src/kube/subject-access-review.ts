// SubjectAccessReview (authorization.k8s.io/v1) through --authorization-kubeconfig:
// kube-apiserver decides whether a user may do something here.

import { AuthorizationV1Api, type KubeConfig, type V1SubjectAccessReview } from '@kubernetes/client-node';
import { requestTimeout, withRetry, WEBHOOK_BACKOFF, type RetryBackoff } from './token-review.js';

export interface SelectorRequirement {
  key: string;
  operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';
  values?: string[];
}

export interface ResourceAttributes {
  namespace?: string;
  verb: string;
  group: string;
  version: string;
  resource: string;
  subresource?: string;
  name?: string;
  fieldSelector?: { requirements: SelectorRequirement[] };
  labelSelector?: { requirements: SelectorRequirement[] };
}

export interface NonResourceAttributes {
  path: string;
  verb: string;
}

/** SubjectAccessReviewSpec in wire form; empty fields are left out as upstream's omitempty. */
export interface SubjectAccessReviewSpec {
  resourceAttributes?: ResourceAttributes;
  nonResourceAttributes?: NonResourceAttributes;
  user?: string;
  groups?: string[];
  extra?: Record<string, string[]>;
  uid?: string;
}

export interface SubjectAccessReviewStatus {
  allowed: boolean;
  denied?: boolean;
  reason?: string;
  evaluationError?: string;
}

export interface SubjectAccessReviewer {
  /** Rejects when the API server cannot be asked (network, HTTP error). */
  review(spec: SubjectAccessReviewSpec): Promise<SubjectAccessReviewStatus>;
}

export class KubeSubjectAccessReviewer implements SubjectAccessReviewer {
  private readonly api: AuthorizationV1Api;
  constructor(kc: KubeConfig, private readonly timeoutMs = 10_000, private readonly backoff: RetryBackoff = WEBHOOK_BACKOFF) {
    this.api = kc.makeApiClient(AuthorizationV1Api);
  }

  async review(spec: SubjectAccessReviewSpec): Promise<SubjectAccessReviewStatus> {
    const body: V1SubjectAccessReview = { apiVersion: 'authorization.k8s.io/v1', kind: 'SubjectAccessReview', spec };
    const res = await withRetry(() => this.api.createSubjectAccessReview({ body }, requestTimeout(this.timeoutMs)), this.backoff);
    const s = res.status;
    if (!s) throw new Error('SubjectAccessReview response has no status');
    const out: SubjectAccessReviewStatus = { allowed: s.allowed === true };
    if (s.denied) out.denied = true;
    if (s.reason) out.reason = s.reason;
    if (s.evaluationError) out.evaluationError = s.evaluationError;
    return out;
  }
}
