// The stand-in kube-apiserver: one HTTPS listener on 127.0.0.1 that authenticates
// (client certs, bearer tokens, anonymous), authorizes every request against the
// simulated RBAC policy, serves /version, discovery, nodes/pods/configmaps,
// TokenReview and SubjectAccessReview, and plays kube-aggregator for
// /apis/metrics.k8s.io/v1beta1.

import https from 'node:https';
import type { AddressInfo } from 'node:net';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TLSSocket } from 'node:tls';
import type { AggregatorProxy } from './aggregator.js';
import { ANONYMOUS, type Authenticator } from './authn.js';
import {
  AGGREGATED_GROUP,
  AGGREGATED_VERSION,
  aggregatedDiscovery,
  apiGroupFor,
  apiGroupList,
  apiResourceList,
  apiVersions,
} from './discovery.js';
import { BodyError, readJsonBody, sendJson, sendStatus } from './http-util.js';
import { negotiate } from './negotiate.js';
import { KUBE_VERSION } from './objects.js';
import { forbiddenMessage, type Policy, type UserInfo } from './policy.js';
import { attributesOf, requestInfo } from './request-info.js';
import type { Kind } from './resource-store.js';
import { ResourceHandler } from './resources.js';
import { ReviewError, subjectAccessReview, tokenReview } from './reviews.js';

export interface SimApiServerOptions {
  cert: string;
  key: string;
  /** CA that client certificates are verified against (the cluster CA). */
  clientCa: string;
  authn: Authenticator;
  policy: Policy;
  resources: ResourceHandler;
  aggregator: AggregatorProxy;
}

/** One request as the apiserver saw it (bounded log, for tests). */
export interface ApiRequestRecord {
  method: string;
  path: string;
  /** The query string without '?', '' when none. */
  query: string;
  user: string;
  status: number;
  accept?: string;
}

const AGG_PREFIX = `/apis/${AGGREGATED_GROUP}/${AGGREGATED_VERSION}`;

export class SimApiServer {
  private readonly server: https.Server;
  readonly log: ApiRequestRecord[] = [];
  /** Delays every TokenReview and SubjectAccessReview answer this long (slow delegated authentication and authorization). */
  reviewDelayMs = 0;
  private readonly startedAt = Date.now();

  constructor(private readonly opts: SimApiServerOptions) {
    this.server = https.createServer(
      { cert: opts.cert, key: opts.key, ca: opts.clientCa, requestCert: true, rejectUnauthorized: false, minVersion: 'TLSv1.2' },
      (req, res) => {
        this.handle(req, res).catch((e: unknown) => {
          if (!res.headersSent) sendStatus(res, 500, undefined, `internal error: ${(e as Error).message}`);
          else res.destroy();
        });
      },
    );
    this.server.on('tlsClientError', () => {});
    this.server.keepAliveTimeout = 30_000;
  }

  async listen(port = 0): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, '127.0.0.1', () => resolve());
    });
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  get url(): string {
    return `https://127.0.0.1:${this.port}`;
  }

  async close(): Promise<void> {
    this.opts.resources.closeWatches();
    this.opts.aggregator.close();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private record(req: IncomingMessage, url: URL, user: string, status: number): void {
    this.log.push({ method: req.method ?? 'GET', path: url.pathname, query: url.search.slice(1), user, status, ...(req.headers.accept ? { accept: req.headers.accept } : {}) });
    if (this.log.length > 2000) this.log.splice(0, this.log.length - 2000);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'https://sim.invalid');
    } catch {
      sendStatus(res, 400, 'BadRequest', 'malformed request URL');
      return;
    }
    const authn = this.opts.authn.authenticate(req.headers.authorization, req.socket as TLSSocket);
    if ('error' in authn) {
      this.record(req, url, '', 401);
      sendStatus(res, 401, 'Unauthorized', 'Unauthorized');
      return;
    }
    const user: UserInfo = 'user' in authn ? authn.user : ANONYMOUS;
    const info = requestInfo(req.method ?? 'GET', url);
    const attrs = attributesOf(info);
    const decision = this.opts.policy.authorize(user, attrs);
    res.on('finish', () => this.record(req, url, user.username, res.statusCode));
    if (!decision.allowed) {
      const details = info.isResource ? { ...(info.authzName ? { name: info.authzName } : {}), ...(info.group ? { group: info.group } : {}), kind: info.resource } : undefined;
      sendStatus(res, 403, 'Forbidden', forbiddenMessage(user, attrs), details);
      return;
    }
    const path = url.pathname;
    if (path === AGG_PREFIX || path.startsWith(`${AGG_PREFIX}/`) || path === `/openapi/v3/apis/${AGGREGATED_GROUP}/${AGGREGATED_VERSION}`) {
      const servicePath = path.startsWith('/openapi/') ? new URL(`/openapi/v3/apis/${AGGREGATED_GROUP}/${AGGREGATED_VERSION}${url.search}`, url) : url;
      this.opts.aggregator.proxy(req, res, servicePath, user);
      return;
    }
    if (req.method === 'POST') return this.create(req, res, path);
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      sendStatus(res, 405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource');
      return;
    }
    if (info.isResource) return this.resource(req, res, url, info.resource, info.namespace, info.name, info.subresource, info.apiPrefix === 'api' && info.version === 'v1');
    this.nonResource(req, res, path);
  }

  private resource(req: IncomingMessage, res: ServerResponse, url: URL, resource: string, namespace: string, name: string, sub: string, core: boolean): void {
    const kinds: Kind[] = ['nodes', 'pods', 'configmaps'];
    if (!core || !kinds.includes(resource as Kind) || sub || (resource === 'nodes' && namespace)) {
      sendStatus(res, 404, 'NotFound', 'the server could not find the requested resource', {});
      return;
    }
    this.opts.resources.handle(req, res, { kind: resource as Kind, url, ...(namespace ? { namespace } : {}), ...(name ? { name } : {}) });
  }

  private nonResource(req: IncomingMessage, res: ServerResponse, path: string): void {
    const accept = req.headers.accept;
    const discovery = (core: boolean, legacy: () => unknown): void => {
      const neg = negotiate(accept, ['json', 'discovery-v2'], false);
      if (!neg) return sendStatus(res, 406, 'NotAcceptable', 'only application/json is accepted');
      if (neg.want === 'discovery-v2') {
        res.setHeader('vary', 'Accept');
        sendJson(res, 200, aggregatedDiscovery(core), neg.contentType);
      } else sendJson(res, 200, legacy());
    };
    if (path === '/version' || path === '/version/') {
      sendJson(res, 200, {
        major: KUBE_VERSION.major,
        minor: KUBE_VERSION.minor,
        gitVersion: KUBE_VERSION.gitVersion,
        gitCommit: '0000000000000000000000000000000000000000',
        gitTreeState: 'clean',
        buildDate: '2026-01-01T00:00:00Z',
        goVersion: 'go1.23.8',
        compiler: 'gc',
        platform: 'linux/amd64',
      });
      return;
    }
    if (path === '/healthz' || path === '/livez' || path === '/readyz') {
      res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' }).end('ok');
      return;
    }
    if (path === '/api' || path === '/api/') return discovery(true, () => apiVersions(`127.0.0.1:${this.port}`));
    if (path === '/apis' || path === '/apis/') return discovery(false, () => apiGroupList());
    if (path === '/openapi/v3' || path === '/openapi/v3/') {
      // Only the aggregated group's document exists; it is fetched from the service.
      const hash = this.startedAt.toString(16).toUpperCase().padStart(16, '0');
      sendJson(res, 200, { paths: { [`apis/${AGGREGATED_GROUP}/${AGGREGATED_VERSION}`]: { serverRelativeURL: `/openapi/v3/apis/${AGGREGATED_GROUP}/${AGGREGATED_VERSION}?hash=${hash}` } } });
      return;
    }
    const parts = path.split('/').filter((p) => p !== '');
    if (parts[0] === 'api' && parts.length === 2) {
      const doc = apiResourceList('', parts[1]!);
      if (doc) return sendJson(res, 200, doc);
    }
    if (parts[0] === 'apis' && parts.length === 2) {
      const doc = apiGroupFor(parts[1]!);
      if (doc) return sendJson(res, 200, doc);
    }
    if (parts[0] === 'apis' && parts.length === 3) {
      const doc = apiResourceList(parts[1]!, parts[2]!);
      if (doc) return sendJson(res, 200, doc);
    }
    sendStatus(res, 404, 'NotFound', 'the server could not find the requested resource', {});
  }

  private async create(req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
    const isTokenReview = path === '/apis/authentication.k8s.io/v1/tokenreviews';
    const isSar = path === '/apis/authorization.k8s.io/v1/subjectaccessreviews';
    if (!isTokenReview && !isSar) {
      sendStatus(res, 405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource');
      return;
    }
    try {
      const body = await readJsonBody(req);
      const out = isTokenReview ? tokenReview(body, this.opts.authn) : subjectAccessReview(body, this.opts.policy);
      if (this.reviewDelayMs > 0) await new Promise((r) => setTimeout(r, this.reviewDelayMs));
      sendJson(res, 201, out);
    } catch (e) {
      if (e instanceof BodyError || e instanceof ReviewError) {
        sendStatus(res, 400, 'BadRequest', e.message);
        return;
      }
      throw e;
    }
  }
}
