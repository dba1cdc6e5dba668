// Request authorization as GAS's delegating authorizer: group system:masters and
// the always-allowed non-resource paths pass; everything else is asked of
// kube-apiserver with a SubjectAccessReview. Denied → 403 Status in upstream's
// words; the authorizer unreachable → 500 Status (fail closed, never allow).

import type { Middleware } from 'koa';
import { goQuote } from '../../util/go-quote.js';
import { internalError } from '../../api/status.js';
import type { SubjectAccessReviewer } from '../../kube/subject-access-review.js';
import type { Logger } from '../../log.js';
import type { AuthObserver } from '../../observers.js';
import type { Options } from '../../options.js';
import { anonymousUser, PRIVILEGED_GROUP, type UserInfo } from '../authn/user.js';
import { requestInfo, type RequestInfo } from '../request-info.js';
import { alwaysAllowPaths, type PathMatcher } from './always-allow.js';
import { subjectAccessReviewSpec } from './attributes.js';
import { forbiddenError } from './forbidden.js';
import { WebhookAuthorizer, type Decision } from './webhook.js';

export { alwaysAllowPaths } from './always-allow.js';
export { forbiddenError, forbiddenMessage } from './forbidden.js';
export { subjectAccessReviewSpec } from './attributes.js';

export type AuthorizationOptions = Pick<Options, 'authorizationAlwaysAllowPaths' | 'authorizationWebhookCacheAuthorizedTtlNs' | 'authorizationWebhookCacheUnauthorizedTtlNs'>;

export interface AuthorizerDeps {
  /** SubjectAccessReview client (from --authorization-kubeconfig). */
  subjectAccessReviewer: SubjectAccessReviewer;
  observer?: AuthObserver;
  maxCacheEntries?: number;
}

export class DelegatingAuthorizer {
  private readonly allowedPath: PathMatcher;
  private readonly webhook: WebhookAuthorizer;

  constructor(options: AuthorizationOptions, deps: AuthorizerDeps) {
    this.allowedPath = alwaysAllowPaths(options.authorizationAlwaysAllowPaths);
    this.webhook = new WebhookAuthorizer(deps.subjectAccessReviewer, {
      authorizedTtlMs: options.authorizationWebhookCacheAuthorizedTtlNs / 1e6,
      unauthorizedTtlMs: options.authorizationWebhookCacheUnauthorizedTtlNs / 1e6,
      maxEntries: deps.maxCacheEntries,
      observer: deps.observer,
    });
  }

  /**
   * Synchronous when no SubjectAccessReview is needed or its answer is cached; rejects
   * when the decision needs kube-apiserver and it cannot be asked.
   */
  authorize(user: UserInfo, info: RequestInfo): Decision | Promise<Decision> {
    if (user.groups.includes(PRIVILEGED_GROUP)) return { allowed: true };
    if (!info.isResourceRequest && this.allowedPath(info.path)) return { allowed: true };
    return this.webhook.authorize(subjectAccessReviewSpec(user, info));
  }
}

export function createAuthorizer(options: AuthorizationOptions, deps: AuthorizerDeps): DelegatingAuthorizer {
  return new DelegatingAuthorizer(options, deps);
}

/**
 * Lets the request through or throws a StatusError: 403 when denied, 500 when the
 * authorizer cannot be asked. Synchronous when the decision is (no promise per request).
 */
export function authorizeRequest(authorizer: DelegatingAuthorizer, user: UserInfo, info: RequestInfo, path: string, log?: Logger): void | Promise<void> {
  const unavailable = (e: unknown) => {
    log?.warn({ err: (e as Error).message, path, user: user.name }, 'authorization failed: cannot reach the authorizer');
    return internalError(`Internal Server Error: ${goQuote(info.path)}: authorization is unavailable`);
  };
  const admit = (decision: Decision) => {
    if (!decision.allowed) {
      log?.debug({ path, user: user.name, reason: decision.reason }, 'forbidden');
      throw forbiddenError(user.name, info, decision.reason);
    }
  };
  let decision: Decision | Promise<Decision>;
  try {
    decision = authorizer.authorize(user, info);
  } catch (e) {
    throw unavailable(e);
  }
  if (decision instanceof Promise) {
    return decision.then(admit, (e: unknown) => {
      throw unavailable(e);
    });
  }
  admit(decision);
}

/** Koa middleware after authenticationMiddleware: lets the request through or throws a StatusError. */
export function authorizationMiddleware(authorizer: DelegatingAuthorizer, log?: Logger): Middleware {
  return async (ctx, next) => {
    const user: UserInfo = (ctx.state.user as UserInfo | undefined) ?? anonymousUser();
    const info = requestInfo(ctx.method, ctx.path, new URLSearchParams(ctx.querystring));
    ctx.state.requestInfo = info;
    await authorizeRequest(authorizer, user, info, ctx.path, log);
    await next();
  };
}
