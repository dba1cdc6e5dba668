// Two servers over the same in-memory sources, built as app.ts builds the real
// one: the generic path (Koa: errors → authentication → authorization → API)
// and the same Koa app behind the resource GET fast path. Each has its own
// authenticator and authorizer (so that their caches do not share answers) and
// records the TokenReviews and SubjectAccessReviews it makes, so that tests can
// compare every byte of both answers and every question asked.

import type { IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { AddressInfo } from 'node:net';
import Koa from 'koa';
import { errorHandler } from '../../src/api/error-handler.js';
import { ObjectResponses } from '../../src/api/object-responses.js';
import { createMetricsApi, type MetricsApiDeps } from '../../src/api/routes.js';
import type { SubjectAccessReviewSpec, SubjectAccessReviewStatus } from '../../src/kube/subject-access-review.js';
import type { TokenReviewStatus } from '../../src/kube/token-review.js';
import { silentLogger } from '../../src/log.js';
import type { AuthObserver } from '../../src/observers.js';
import { authenticationMiddleware, createAuthenticator } from '../../src/server/authn/index.js';
import { authorizationMiddleware, createAuthorizer } from '../../src/server/authz/index.js';
import { createSecureServer } from '../../src/server/https-server.js';
import { withRequestTimeout } from '../../src/server/request-timeout.js';
import { withResourceGet } from '../../src/server/resource-get.js';
import { createCA, issueCert, type IssuedCert } from '../../src/util/pki.js';
import { frontProxyAuthnOptions, tempDir, type TempDir } from './authn/harness.js';

export const ALLOW_PATHS = ['/healthz', '/readyz', '/livez'];

export interface Pki {
  clientCA: IssuedCert;
  proxyCA: IssuedCert;
  /** system:masters, from the client CA. */
  admin: IssuedCert;
  /** An ordinary user from the client CA. */
  alice: IssuedCert;
  proxy: IssuedCert;
  /** The allowed CN, from a CA nobody trusts. */
  rogue: IssuedCert;
  /** From the front-proxy CA, with a CN that is not allowed. */
  otherCN: IssuedCert;
}

export async function createPki(): Promise<Pki> {
  const [clientCA, proxyCA, rogueCA] = await Promise.all([createCA('client-ca'), createCA('front-proxy-ca'), createCA('front-proxy-ca')]);
  const [admin, alice, proxy, rogue, otherCN] = await Promise.all([
    issueCert(clientCA, { cn: 'kubernetes-admin', o: ['system:masters'], clientAuth: true }),
    issueCert(clientCA, { cn: 'alice', o: ['devs'], clientAuth: true }),
    issueCert(proxyCA, { cn: 'front-proxy-client', clientAuth: true }),
    issueCert(rogueCA, { cn: 'front-proxy-client', clientAuth: true }),
    issueCert(proxyCA, { cn: 'someone-else', clientAuth: true }),
  ]);
  return { clientCA, proxyCA, admin, alice, proxy, rogue, otherCN };
}

/** The cluster's answers, shared by both servers. */
export interface Policy {
  /** TokenReview: the user of a token, or undefined when invalid. */
  token(token: string): TokenReviewStatus['user'] | undefined;
  /** SubjectAccessReview; throwing stands for kube-apiserver being unreachable. */
  decide(spec: SubjectAccessReviewSpec): SubjectAccessReviewStatus;
  /** True for a SubjectAccessReview that is never answered (kube-apiserver hanging). */
  stall?(spec: SubjectAccessReviewSpec): boolean;
}

export class Recorder implements AuthObserver {
  readonly tokenReviews: string[] = [];
  readonly accessReviews: SubjectAccessReviewSpec[] = [];
  readonly hits = { token: 0, authorization: 0 };
  readonly misses = { token: 0, authorization: 0 };
  freshness = 0;
  cacheHit(c: 'token' | 'authorization') {
    this.hits[c]++;
  }
  cacheMiss(c: 'token' | 'authorization') {
    this.misses[c]++;
  }
}

export interface Served {
  port: number;
  recorder: Recorder;
  /** Requests that reached Koa. */
  koaRequests: number;
  close(): Promise<void>;
}

/** timeoutMs: the listener behind the request timeout, as app.ts wraps it, with this longest time. */
export async function serve(pki: Pki, policy: Policy, deps: Omit<MetricsApiDeps, 'observer'>, fast: boolean, dir: TempDir, timeoutMs?: number): Promise<Served> {
  const recorder = new Recorder();
  const log = silentLogger();
  const authenticator = await createAuthenticator(
    frontProxyAuthnOptions(dir, pki.clientCA.cert, pki.proxyCA.cert),
    {
      observer: recorder,
      tokenReviewer: {
        review: async (token) => {
          recorder.tokenReviews.push(token);
          const user = policy.token(token);
          return user ? { authenticated: true, user } : { authenticated: false, error: 'invalid token' };
        },
      },
    },
  );
  const authorizer = createAuthorizer(
    { authorizationAlwaysAllowPaths: ALLOW_PATHS, authorizationWebhookCacheAuthorizedTtlNs: 10e9, authorizationWebhookCacheUnauthorizedTtlNs: 10e9 },
    {
      observer: recorder,
      subjectAccessReviewer: {
        review: async (spec) => {
          recorder.accessReviews.push(structuredClone(spec));
          if (policy.stall?.(spec)) await new Promise<never>(() => {});
          return policy.decide(spec);
        },
      },
    },
  );
  const apiDeps: MetricsApiDeps = { ...deps, observer: { freshness: (_s, n = 1) => void (recorder.freshness += n) } };
  const koa = new Koa();
  koa.proxy = false;
  koa.silent = true;
  koa.use(errorHandler(log));
  koa.use(authenticationMiddleware(authenticator, ALLOW_PATHS, log));
  koa.use(authorizationMiddleware(authorizer, log));
  koa.use(createMetricsApi(apiDeps));
  // eslint-disable-next-line prefer-const -- assigned once the port is known, read by the listener later
  let served: Served;
  const koaListener = koa.callback();
  const generic: typeof koaListener = (req, res) => {
    served.koaRequests++;
    return koaListener(req, res);
  };
  const handler = fast ? withResourceGet({ authenticator, allowPaths: ALLOW_PATHS, authorizer, responses: new ObjectResponses(apiDeps), log }, generic) : generic;
  const listener = timeoutMs === undefined ? handler : withRequestTimeout(handler, { maxMs: timeoutMs });
  const server = await createSecureServer({ certDir: dir.path, tlsMinVersion: 'VersionTLS12', tlsCipherSuites: [] }, listener);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  served = {
    port: (server.address() as AddressInfo).port,
    recorder,
    koaRequests: 0,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
      authenticator.close();
    },
  };
  return served;
}

export interface RawResponse {
  status: number;
  statusMessage: string;
  /** Header lines in wire order, Date left out (Audit-Id too unless the request sent one). */
  headers: string[];
  body: Buffer;
  auditId: string;
}

export interface RawRequest {
  path: string;
  method?: string;
  headers?: Record<string, string | string[]>;
  cert?: IssuedCert;
}

export function fetchRaw(port: number, r: RawRequest): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest(
      { host: '127.0.0.1', port, path: r.path, method: r.method ?? 'GET', headers: r.headers, cert: r.cert?.cert, key: r.cert?.key, rejectUnauthorized: false, agent: false },
      (res: IncomingMessage) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const keepAuditId = r.headers !== undefined && Object.keys(r.headers).some((h) => h.toLowerCase() === 'audit-id');
          const headers: string[] = [];
          for (let i = 0; i < res.rawHeaders.length; i += 2) {
            const name = res.rawHeaders[i]!;
            if (name === 'Date' || (name === 'Audit-Id' && !keepAuditId)) continue;
            headers.push(`${name}: ${res.rawHeaders[i + 1]}`);
          }
          resolve({ status: res.statusCode ?? 0, statusMessage: res.statusMessage ?? '', headers, body: Buffer.concat(chunks), auditId: String(res.headers['audit-id'] ?? '') });
        });
      },
    );
    req.on('error', reject);
    req.end();
  });
}

export { tempDir };
