// Request authentication as GAS's delegating authenticator: front proxy
// (request header) → client certificate → bearer token (TokenReview), the first
// success wins; rejected credentials with no success → 401; no credentials →
// anonymous. Identity headers are removed afterwards so that nothing downstream can
// mistake a forged header for a verified one; only a handler with nothing downstream
// (the single-object GET path) keeps them (AuthenticateRequestOptions).

import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import type { Middleware } from 'koa';
import { unauthorized } from '../../api/status.js';
import type { AuthConfigMapReader } from '../../kube/auth-configmap.js';
import type { TokenReviewer } from '../../kube/token-review.js';
import type { Logger } from '../../log.js';
import type { AuthObserver } from '../../observers.js';
import type { Options } from '../../options.js';
import { alwaysAllowPaths, type PathMatcher } from '../authz/always-allow.js';
import { endHttp2ConnectionAfter, headersDistinct, setRawHeaders } from '../h2-request.js';
import { decodePath } from '../request-info.js';
import type { Authenticator } from './authenticator.js';
import { AuthenticationConfig, type AuthenticationOptions } from './authentication-config.js';
import { ClientCertAuthenticator } from './client-cert.js';
import { identityHeaderNames } from './identity-headers.js';
import { RequestHeaderAuthenticator } from './request-header.js';
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

  /** Synchronous while the links answer synchronously (certificates); a promise once one does not (TokenReview). */
  authenticate(req: IncomingMessage): AuthenticationResult | Promise<AuthenticationResult> {
    return this.from(0, req, undefined);
  }

  private from(start: number, req: IncomingMessage, errors: Error[] | undefined): AuthenticationResult | Promise<AuthenticationResult> {
    for (let i = start; i < this.chain.length; i++) {
      const [via, a] = this.chain[i]!;
      let user: ReturnType<Authenticator['authenticate']>;
      try {
        user = a.authenticate(req);
      } catch (e) {
        (errors ??= []).push(e as Error);
        continue;
      }
      if (user instanceof Promise) return this.settle(i, user, req, errors);
      if (user instanceof Error) {
        (errors ??= []).push(user);
        continue;
      }
      if (user) return { user: withAuthenticatedGroup(user), anonymous: false, via };
    }
    if (errors) return { error: new Error(errors.map((e) => e.message).join(', ')) };
    return { user: anonymousUser(), anonymous: true };
  }

  private async settle(i: number, pending: Promise<UserInfo | undefined>, req: IncomingMessage, errors: Error[] | undefined): Promise<AuthenticationResult> {
    try {
      const user = await pending;
      if (user) return { user: withAuthenticatedGroup(user), anonymous: false, via: this.chain[i]![0] };
    } catch (e) {
      (errors ??= []).push(e as Error);
    }
    return this.from(i + 1, req, errors);
  }

  /**
   * Removes the identity headers (X-Remote-* or as configured) from a request,
   * wherever Node.js keeps them. Node.js derives req.headers and
   * req.headersDistinct from req.rawHeaders, so a request whose raw headers name
   * none (most: only front-proxy requests carry them) has nothing to remove.
   * An HTTP/1.1 request's req.headers is replaced by a copy without them:
   * deleting from it turned it into a dictionary, per request.
   */
  stripIdentityHeaders(req: IncomingMessage): void {
    const flags = identityHeaderNames(this.config.flagHeaders);
    const cfg = this.config.requestHeader.current();
    const current = cfg === undefined ? undefined : identityHeaderNames(cfg);
    const identity = (name: string) => flags.matches(name) || (current !== undefined && current.matches(name));
    const raw = req.rawHeaders;
    const http2 = req.httpVersionMajor === 2;
    let kept: string[] | undefined;
    for (let i = 0; i + 1 < raw.length; i += 2) {
      const name = raw[i]!;
      if (identity(name)) {
        if (!kept) {
          // Both views are built from rawHeaders on first access: build them before it changes.
          void req.headers;
          kept = raw.slice(0, i);
        }
        const key = name.toLowerCase();
        // An HTTP/2 request's req.headers cannot be replaced (a getter): changed in place. Both
        // headersDistinct views have no prototype, so deleting from them costs nothing more.
        if (http2) delete req.headers[key];
        delete headersDistinct(req)[key];
      } else if (kept) {
        kept.push(name, raw[i + 1]!);
      }
    }
    if (!kept) return;
    if (!http2) {
      const headers: IncomingHttpHeaders = {};
      for (const key in req.headers) if (!identity(key)) headers[key] = req.headers[key];
      req.headers = headers;
    }
    setRawHeaders(req, kept);
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

export interface AuthenticateRequestOptions {
  /**
   * Whether the identity headers and a used Authorization header are removed from the
   * request afterwards (default true). Only a handler that hands the request to
   * nothing else and reads none of those headers afterwards may pass false: the
   * single-object GET path, which reads Accept, Accept-Encoding, Audit-Id and User-Agent only.
   */
  strip?: boolean;
}

/**
 * A request's user, or a 401 StatusError. Anonymous requests pass only on the
 * always-allowed paths (health probes). Identity headers are gone afterwards,
 * whatever the outcome; so is a used Authorization header (unless opts.strip is
 * false). An anonymous or unauthenticated request is the last one on its HTTP/2
 * connection, as in GAS. Synchronous when authentication is (certificates): no
 * promise per request.
 */
export function authenticateRequest(
  authenticator: DelegatingAuthenticator,
  allowed: PathMatcher,
  req: IncomingMessage,
  path: string,
  log?: Logger,
  opts: AuthenticateRequestOptions = {},
): UserInfo | Promise<UserInfo> {
  const strip = opts.strip !== false;
  const admit = (result: AuthenticationResult): UserInfo => {
    if ('error' in result) {
      log?.debug({ err: result.error.message, path }, 'unable to authenticate the request');
      endHttp2ConnectionAfter(req);
      throw unauthorized();
    }
    if (result.anonymous) {
      endHttp2ConnectionAfter(req);
      if (!allowed(decodePath(path))) throw unauthorized();
    } else if (strip) {
      delete req.headers.authorization;
    }
    return result.user;
  };
  let result: AuthenticationResult | Promise<AuthenticationResult>;
  try {
    result = authenticator.authenticate(req);
  } catch (e) {
    if (strip) authenticator.stripIdentityHeaders(req);
    throw e;
  }
  if (result instanceof Promise) {
    return result.then(
      (r) => {
        if (strip) authenticator.stripIdentityHeaders(req);
        return admit(r);
      },
      (e: unknown) => {
        if (strip) authenticator.stripIdentityHeaders(req);
        throw e;
      },
    );
  }
  if (strip) authenticator.stripIdentityHeaders(req);
  return admit(result);
}

/** Koa middleware: puts the identity on ctx.state.user or throws 401 Unauthorized. */
export function authenticationMiddleware(authenticator: DelegatingAuthenticator, allowPaths: readonly string[], log?: Logger): Middleware {
  const allowed = alwaysAllowPaths(allowPaths);
  return async (ctx, next) => {
    ctx.state.user = await authenticateRequest(authenticator, allowed, ctx.req, ctx.path, log);
    await next();
  };
}
