// Test harness for the serving-security tests: real certificates, a stand-in
// kube-apiserver over HTTPS speaking the real TokenReview / SubjectAccessReview /
// ConfigMap JSON, and an HTTPS client that can present client certificates and
// repeated headers.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpsRequest, createServer as createHttpsServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo, Server as NetServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import Koa from 'koa';
import { respond } from '../../../src/api/codec/index.js';
import { StatusError } from '../../../src/api/status.js';
import { createCA, issueCert, type IssuedCert } from '../../../src/util/pki.js';

/** Wire JSON as tests read it. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- decoded JSON of arbitrary shape
export type Json = any;

export interface TempDir {
  path: string;
  file(name: string, content: string): string;
  remove(): void;
}

export function tempDir(): TempDir {
  const path = mkdtempSync(join(tmpdir(), 'ms-authn-'));
  return {
    path,
    file(name, content) {
      const p = join(path, name);
      writeFileSync(p, content);
      return p;
    },
    remove: () => rmSync(path, { recursive: true, force: true }),
  };
}

export interface RecordedCall {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingMessage['headers'];
  body: unknown;
}

/** A handler's answer; hang leaves the request unanswered (a stuck kube-apiserver). */
export type StandInHandler = (body: Json, call: RecordedCall) => { status?: number; body?: unknown; hang?: boolean; stream?: (res: ServerResponse) => void } | undefined;

/** A stand-in kube-apiserver: routes by "METHOD path"; records every call. */
export class StandInApiServer {
  readonly calls: RecordedCall[] = [];
  readonly routes = new Map<string, StandInHandler>();
  private server!: Server;
  ca!: IssuedCert;
  url = '';

  static async start(): Promise<StandInApiServer> {
    const s = new StandInApiServer();
    s.ca = await createCA('stand-in-apiserver-ca');
    const serving = await issueCert(s.ca, { cn: 'kube-apiserver', ips: ['127.0.0.1'], dns: ['localhost'], serverAuth: true });
    s.server = createHttpsServer({ cert: serving.cert, key: serving.key }, (req, res) => s.handle(req, res));
    await new Promise<void>((r) => s.server.listen(0, '127.0.0.1', r));
    s.url = `https://127.0.0.1:${(s.server.address() as AddressInfo).port}`;
    return s;
  }

  on(route: string, handler: StandInHandler): void {
    this.routes.set(route, handler);
  }

  callsTo(path: string): RecordedCall[] {
    return this.calls.filter((c) => c.path === path);
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const [path = '', query = ''] = (req.url ?? '').split('?');
      const call: RecordedCall = { method: req.method ?? '', path, query: new URLSearchParams(query), headers: req.headers, body: text ? JSON.parse(text) : undefined };
      this.calls.push(call);
      const handler = this.routes.get(`${call.method} ${path}`);
      const out = handler?.(call.body, call) ?? {
        status: 404,
        body: { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'not found', reason: 'NotFound', code: 404 },
      };
      if (out.hang) return;
      if (out.stream) {
        res.writeHead(200, { 'content-type': 'application/json', 'transfer-encoding': 'chunked' });
        out.stream(res);
        return;
      }
      res.writeHead(out.status ?? 200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(out.body));
    });
  }

  /** A kubeconfig for this server with a bearer token user. */
  kubeConfig(): KubeConfig {
    const kc = new KubeConfig();
    kc.loadFromOptions({
      clusters: [{ name: 'stand-in', server: this.url, caData: Buffer.from(this.ca.cert).toString('base64'), skipTLSVerify: false }],
      users: [{ name: 'metrics-server', token: 'metrics-server-token' }],
      contexts: [{ name: 'stand-in', cluster: 'stand-in', user: 'metrics-server' }],
      currentContext: 'stand-in',
    });
    return kc;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((r) => this.server.close(() => r()));
  }
}

/** The TokenReview answer kube-apiserver gives. */
export function tokenReviewResponse(request: Json, status: object): { body: unknown } {
  return { body: { kind: 'TokenReview', apiVersion: 'authentication.k8s.io/v1', metadata: { creationTimestamp: null }, spec: request.spec, status } };
}

export function subjectAccessReviewResponse(request: Json, status: object): { body: unknown } {
  return { body: { kind: 'SubjectAccessReview', apiVersion: 'authorization.k8s.io/v1', metadata: { creationTimestamp: null }, spec: request.spec, status } };
}

export interface ClientRequest {
  port: number;
  path: string;
  method?: string;
  /** Array values are sent as repeated header lines. */
  headers?: Record<string, string | string[]>;
  cert?: string;
  key?: string;
  ca?: string;
}

export interface ClientResponse {
  status: number;
  headers: IncomingMessage['headers'];
  text: string;
  json: Json;
}

export function send(r: ClientRequest): Promise<ClientResponse> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest(
      {
        host: '127.0.0.1',
        port: r.port,
        path: r.path,
        method: r.method ?? 'GET',
        headers: r.headers,
        cert: r.cert,
        key: r.key,
        ca: r.ca,
        rejectUnauthorized: r.ca !== undefined,
        agent: false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let json: unknown;
          try {
            json = JSON.parse(text);
          } catch {
            json = undefined;
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
        });
      },
    );
    req.on('error', reject);
    req.end();
  });
}

/** A Koa app with a minimal StatusError renderer in front of the given middleware. */
export function appWith(...middleware: Koa.Middleware[]): Koa {
  const app = new Koa();
  app.use(async (ctx, next) => {
    try {
      await next();
    } catch (e) {
      if (e instanceof StatusError) respond(ctx, e.status, { status: e.code });
      else throw e;
    }
  });
  for (const m of middleware) app.use(m);
  return app;
}

export function listen(server: NetServer): Promise<number> {
  return new Promise((r) => server.listen(0, '127.0.0.1', () => r((server.address() as AddressInfo).port)));
}

export async function closeServer(server: NetServer & { closeAllConnections(): void }): Promise<void> {
  server.closeAllConnections();
  await new Promise<void>((r) => server.close(() => r()));
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The authentication flags of a front-proxy setup as kube-apiserver passes them: client CA, request-header CA and headers. */
export function frontProxyAuthnOptions(dir: { file(name: string, content: string): string }, clientCaPem: string, proxyCaPem: string) {
  return {
    clientCaFile: dir.file('client-ca.crt', clientCaPem),
    requestheaderClientCaFile: dir.file('front-proxy-ca.crt', proxyCaPem),
    requestheaderAllowedNames: ['front-proxy-client'],
    requestheaderUsernameHeaders: ['X-Remote-User'],
    requestheaderGroupHeaders: ['X-Remote-Group'],
    requestheaderExtraHeadersPrefix: ['X-Remote-Extra-'],
    requestheaderUidHeaders: ['X-Remote-Uid'],
    authenticationSkipLookup: true,
    authenticationTolerateLookupFailure: false,
    authenticationTokenWebhookCacheTtlNs: 10e9,
  };
}
