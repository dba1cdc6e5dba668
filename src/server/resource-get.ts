// The API's hot request, GET of one PodMetrics or NodeMetrics (the HPA's, VPA's
// and kubectl top's), served before Koa: the same steps as the middleware chain
// (Cache-Control and Audit-Id, authentication, authorization, negotiation, the
// object, errors as Status) through the same functions, without Koa's
// per-request context and compose chain or the middlewares (health, /metrics,
// OpenAPI, discovery) that never answer these paths. One step is left out: the
// identity headers are not stripped, since nothing after authentication here reads
// them or receives the request. Anything else, HEAD and requests with a query
// included, goes to Koa.

import type { IncomingMessage, ServerResponse } from 'node:http';
import { negotiate, type Encoded, type RequestView } from '../api/codec/index.js';
import { writeEncoded } from '../api/codec/write.js';
import { auditIdOf, CACHE_CONTROL, encodeError, statusOf } from '../api/error-handler.js';
import { matchObjectPath, type ObjectPath } from '../api/object-path.js';
import type { ObjectResponses } from '../api/object-responses.js';
import { GROUP, VERSION } from '../api/types.js';
import type { Logger } from '../log.js';
import { authenticateRequest, type DelegatingAuthenticator, type UserInfo } from './authn/index.js';
import { alwaysAllowPaths, authorizeRequest, type DelegatingAuthorizer } from './authz/index.js';
import { objectGetInfo } from './request-info.js';

export type RequestListener = (req: IncomingMessage, res: ServerResponse) => void;

export interface ResourceGetDeps {
  authenticator: DelegatingAuthenticator;
  /** --authorization-always-allow-paths: where anonymous requests pass authentication. */
  allowPaths: readonly string[];
  authorizer: DelegatingAuthorizer;
  responses: ObjectResponses;
  log: Logger;
}

const NO_QUERY: Readonly<Record<string, string | string[] | undefined>> = Object.freeze({});
const KEEP_HEADERS = Object.freeze({ strip: false });

/**
 * What Koa's ctx.get and ctx.query give for a request without a query: req.headers,
 * which node:http builds for every HTTP/1.1 request anyway (its Host check).
 */
class HeaderView implements RequestView {
  readonly query = NO_QUERY;
  constructor(private readonly req: IncomingMessage) {}
  get(field: string): string {
    const v = this.req.headers[field];
    return typeof v === 'string' ? v : '';
  }
}

/** Serves single-object GETs itself and hands every other request to next (Koa). */
export function withResourceGet(deps: ResourceGetDeps, next: RequestListener): RequestListener {
  const allowed = alwaysAllowPaths(deps.allowPaths);
  const { authenticator, authorizer, responses, log } = deps;

  const authorize = (user: UserInfo, url: string, target: ObjectPath): void | Promise<void> =>
    authorizeRequest(authorizer, user, objectGetInfo(url, GROUP, VERSION, target.resource, target.namespace, target.name), url, log);

  /**
   * The object (or the error) written, once authentication and authorization have answered.
   * Cache-Control and Audit-Id go out with the others unless they were set already (see serve).
   */
  const respond = (res: ServerResponse, view: HeaderView, url: string, target: ObjectPath, auditId: string, failed: boolean, err: unknown, headersSet = false): void => {
    let enc: Encoded | undefined;
    if (!failed) {
      try {
        // As GAS's get handler: the media type first (406), then the object (404).
        enc = responses.encode(view, url, target, negotiate(view, { resource: true }));
      } catch (e) {
        err = e;
      }
    }
    enc ??= encodeError(view, statusOf(err, log, { auditId, method: 'GET', path: url }), log);
    writeEncoded(res, 'GET', view.get('accept-encoding'), enc, headersSet ? undefined : ['Cache-Control', CACHE_CONTROL, 'Audit-Id', auditId]);
  };

  /**
   * Synchronous, with no promise, when authentication and authorization are (certificates,
   * cached decisions: the common case); a promise only when one of them has to wait.
   */
  const serve = (req: IncomingMessage, res: ServerResponse, url: string, target: ObjectPath): Promise<void> | undefined => {
    const view = new HeaderView(req);
    const auditId = auditIdOf(view.get('audit-id'));
    let pending: Promise<void> | undefined;
    try {
      // Not stripped: after authentication this path reads Accept, Accept-Encoding, Audit-Id
      // and User-Agent only and hands the request to nothing else (see AuthenticateRequestOptions).
      const user = authenticateRequest(authenticator, allowed, req, url, log, KEEP_HEADERS);
      pending = user instanceof Promise ? user.then((u) => authorize(u, url, target)) : (authorize(user, url, target) ?? undefined);
    } catch (err) {
      respond(res, view, url, target, auditId, true, err);
      return undefined;
    }
    if (pending) {
      // Set now: a 504 from the request timeout, written while this waits, carries them.
      res.setHeader('Cache-Control', CACHE_CONTROL);
      res.setHeader('Audit-Id', auditId);
      return pending.then(
        () => respond(res, view, url, target, auditId, false, undefined, true),
        (err: unknown) => respond(res, view, url, target, auditId, true, err, true),
      );
    }
    respond(res, view, url, target, auditId, false, undefined);
    return undefined;
  };

  const cannotWrite = (res: ServerResponse, url: string, err: unknown): void => {
    log.error({ err, path: url }, 'cannot write the response');
    res.destroy();
  };

  return (req, res) => {
    const url = req.url ?? '';
    const target = req.method === 'GET' ? matchObjectPath(url) : undefined;
    if (!target) {
      next(req, res);
      return;
    }
    let pending: Promise<void> | undefined;
    try {
      pending = serve(req, res, url, target);
    } catch (err) {
      cannotWrite(res, url, err);
      return;
    }
    pending?.catch((err: unknown) => cannotWrite(res, url, err));
  };
}
