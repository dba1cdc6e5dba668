// Request authentication as GAS's delegating authenticator: front proxy
// (request header) → client certificate → bearer token (TokenReview), the first
// success wins; rejected credentials with no success → 401; no credentials →
// anonymous. Identity headers are always removed so that nothing downstream can
// mistake a forged header for a verified one.

import type { IncomingMessage } from 'node:http';
import type { Middleware } from 'koa';
import { unauthorized } from '../../api/status.js';
import type { AuthConfigMapReader } from '../../kube/auth-configmap.js';
import type { TokenReviewer } from '../../kube/token-review.js';
import type { Logger } from '../../log.js';
import type { AuthObserver } from '../../observers.js';
import type { Options } from '../../options.js';
import { alwaysAllowPaths } from '../authz/always-allow.js';
import { decodePath } from '../request-info.js';
import type { Authenticator } from './authenticator.js';
import { AuthenticationConfig, type AuthenticationOptions } from './authentication-config.js';
import { ClientCertAuthenticator } from './client-cert.js';
import { isIdentityHeader, RequestHeaderAuthenticator } from './request-header.js';
import { TokenAuthenticator } from './token.js';
import { anonymousUser, withAuthenticatedGroup, type UserInfo } from './user.js';

export type { UserInfo } from './user.js';
export { AuthenticationConfig } from './authentication-config.js';

export type AuthenticatedVia = 'requestheader' | 'x509' | 'token';

export type AuthenticationResult =
  | { user: UserInfo; anonymous: false; via: AuthenticatedVia }
  | { user: UserInfo; anonymous: true }
  | { error: Error };

export interface AuthenticatorDeps {
  /** TokenReview client (from --authentication-kubeconfig); without it bearer tokens are rejected. */
  tokenReviewer?: TokenReviewer;
  /** Reader of kube-system/extension-apiserver-authentication (from --authentication-kubeconfig). */
  configMapReader?: AuthConfigMapReader;
  observer?: AuthObserver;
  log?: Logger;
  configMapRefreshMs?: number;
  filePollMs?: number;
}

export class DelegatingAuthenticator {
  private readonly chain: [AuthenticatedVia, Authenticator][];

  constructor(readonly config: AuthenticationConfig, tokenReviewer: TokenReviewer | undefined, opts: { tokenTtlMs: number; observer?: AuthObserver }) {
    this.chain = [
      ['requestheader', new RequestHeaderAuthenticator(config.requestHeader)],
      ['x509', new ClientCertAuthenticator(config.clientCA)],
    ];
    if (tokenReviewer) this.chain.push(['token', new TokenAuthenticator(tokenReviewer, { ttlMs: opts.tokenTtlMs, observer: opts.observer })]);
  }

  async authenticate(req: IncomingMessage): Promise<AuthenticationResult> {
    const errors: Error[] = [];
    for (const [via, a] of this.chain) {
      try {
        const user = await a.authenticate(req);
        if (user) return { user: withAuthenticatedGroup(user), anonymous: false, via };
      } catch (e) {
        errors.push(e as Error);
      }
    }
    if (errors.length) return { error: new Error(errors.map((e) => e.message).join(', ')) };
    return { user: anonymousUser(), anonymous: true };
  }

  /** Removes the identity headers (X-Remote-* or as configured) from a request, wherever Node.js keeps them. */
  stripIdentityHeaders(req: IncomingMessage): void {
    const current = this.config.requestHeader.current();
    const identity = (name: string) => isIdentityHeader(name, this.config.flagHeaders) || (current !== undefined && isIdentityHeader(name, current));
    const headers = req.headers;
    const distinct = req.headersDistinct;
    for (const name of Object.keys(headers)) if (identity(name)) delete headers[name];
    for (const name of Object.keys(distinct)) if (identity(name)) delete distinct[name];
    const raw = req.rawHeaders;
    const kept: string[] = [];
    for (let i = 0; i + 1 < raw.length; i += 2) if (!identity(raw[i]!)) kept.push(raw[i]!, raw[i + 1]!);
    req.rawHeaders = kept;
  }

  close(): void {
    this.config.close();
  }
}

/** Builds the authenticator from the flags; loads CA files and the ConfigMap (may throw at start-up). */
export async function createAuthenticator(
  options: AuthenticationOptions & Pick<Options, 'authenticationTokenWebhookCacheTtlNs'>,
  deps: AuthenticatorDeps = {},
): Promise<DelegatingAuthenticator> {
  const config = await AuthenticationConfig.create(options, deps);
  return new DelegatingAuthenticator(config, deps.tokenReviewer, { tokenTtlMs: options.authenticationTokenWebhookCacheTtlNs / 1e6, observer: deps.observer });
}

/**
 * Koa middleware: puts the identity on ctx.state.user or throws 401 Unauthorized.
 * Anonymous requests pass only on the always-allowed paths (health probes).
 */
export function authenticationMiddleware(authenticator: DelegatingAuthenticator, allowPaths: readonly string[], log?: Logger): Middleware {
  const allowed = alwaysAllowPaths(allowPaths);
  return async (ctx, next) => {
    let result: AuthenticationResult;
    try {
      result = await authenticator.authenticate(ctx.req);
    } finally {
      authenticator.stripIdentityHeaders(ctx.req);
    }
    if ('error' in result) {
      log?.debug({ err: result.error.message, path: ctx.path }, 'unable to authenticate the request');
      throw unauthorized();
    }
    if (result.anonymous && !allowed(decodePath(ctx.path))) throw unauthorized();
    if (!result.anonymous) delete ctx.req.headers.authorization;
    ctx.state.user = result.user;
    await next();
  };
}
