// The API's hot request, GET of one PodMetrics or NodeMetrics (the HPA's, VPA's
// and kubectl top's), served before Koa: the same steps as the middleware chain
// (Cache-Control and Audit-Id, authentication, authorization, negotiation, the
// object, errors as Status) through the same functions, without Koa's
// per-request context and compose chain or the middlewares (health, /metrics,
// OpenAPI, discovery) that never answer these paths. Anything else, HEAD and
// requests with a query included, goes to Koa.

import type { IncomingMessage, ServerResponse } from 'node:http';
import { negotiate, type Encoded, type RequestView } from '../api/codec/index.js';
import { writeEncoded } from '../api/codec/write.js';
import { CACHE_CONTROL, encodeError, setAuditId, statusOf } from '../api/error-handler.js';
import { matchObjectPath, type ObjectPath } from '../api/object-path.js';
import type { ObjectResponses } from '../api/object-responses.js';
import { GROUP, VERSION } from '../api/types.js';
import type { Logger } from '../log.js';
import { authenticateRequest, type DelegatingAuthenticator } from './authn/index.js';
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

/** What Koa's ctx.get and ctx.query give for a request without a query. */
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

  const serve = async (req: IncomingMessage, res: ServerResponse, url: string, target: ObjectPath): Promise<void> => {
    res.setHeader('Cache-Control', CACHE_CONTROL);
    const view = new HeaderView(req);
    const auditId = setAuditId(res, view.get('audit-id'));
    let enc: Encoded;
    try {
      // Both are synchronous on the common path (certificates, cached decisions): await only promises.
      let user = authenticateRequest(authenticator, allowed, req, url, log);
      if (user instanceof Promise) user = await user;
      const allowedOrPending = authorizeRequest(authorizer, user, objectGetInfo(url, GROUP, VERSION, target.resource, target.namespace, target.name), url, log);
      if (allowedOrPending) await allowedOrPending;
      // As GAS's get handler: the media type first (406), then the object (404).
      const n = negotiate(view, { resource: true });
      enc = responses.encode(view, url, target, n);
    } catch (err) {
      enc = encodeError(view, statusOf(err, log, { auditId, method: 'GET', path: url }), log);
    }
    writeEncoded(res, 'GET', view.get('accept-encoding'), enc);
  };

  return (req, res) => {
    const url = req.url ?? '';
    const target = req.method === 'GET' ? matchObjectPath(url) : undefined;
    if (!target) {
      next(req, res);
      return;
    }
    serve(req, res, url, target).catch((err: unknown) => {
      log.error({ err, path: url }, 'cannot write the response');
      res.destroy();
    });
  };
}
