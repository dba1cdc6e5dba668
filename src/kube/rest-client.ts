// A minimal client for kube-apiserver GETs: one keep-alive undici Agent built
// from the KubeConfig, fresh auth headers per request, and errors carrying the
// HTTP status and the metav1.Status reason. Informers use it to list and watch.

import { Agent, request, type Dispatcher } from 'undici';
import type { KubeConfig } from '@kubernetes/client-node';
import { clientCredentials } from './credentials.js';

/** A non-2xx answer from kube-apiserver. */
export class ApiError extends Error {
  override name = 'ApiError';
  constructor(
    readonly statusCode: number,
    /** metav1.Status reason when the body carried one (e.g. "Expired", "Gone"). */
    readonly reason: string | undefined,
    message: string,
  ) {
    super(message);
  }

  /** 410 Gone: the requested resourceVersion is too old; a relist is needed. */
  get isGone(): boolean {
    return this.statusCode === 410;
  }
}

export type Query = Record<string, string | undefined>;

export interface GetOptions {
  accept: string;
  signal?: AbortSignal;
  /** Maximum silence between body chunks (watches: longer than the watch timeout). */
  bodyTimeoutMs?: number;
  headersTimeoutMs?: number;
}

export class RestClient {
  readonly server: URL;
  private agent?: Promise<Agent>;

  constructor(
    private readonly kc: KubeConfig,
    private readonly userAgent = 'metrics-server-ts',
  ) {
    const cluster = kc.getCurrentCluster();
    if (!cluster) throw new Error('kubeconfig has no current cluster');
    this.server = new URL(cluster.server);
  }

  /** The URL of an API path (the server URL may carry a path prefix, e.g. behind a proxy). */
  url(path: string, query: Query = {}): URL {
    const u = new URL(this.server.href);
    u.pathname = u.pathname.replace(/\/+$/, '') + path;
    for (const [k, v] of Object.entries(query)) if (v !== undefined) u.searchParams.set(k, v);
    return u;
  }

  /** Starts a GET and returns once headers arrived; non-2xx answers throw ApiError (body consumed). */
  async get(path: string, query: Query, opts: GetOptions): Promise<Dispatcher.ResponseData> {
    const creds = await clientCredentials(this.kc);
    const dispatcher = await this.dispatcher();
    const res = await request(this.url(path, query), {
      method: 'GET',
      dispatcher,
      headers: { ...creds.headers, accept: opts.accept, 'user-agent': this.userAgent },
      signal: opts.signal,
      bodyTimeout: opts.bodyTimeoutMs ?? 60_000,
      headersTimeout: opts.headersTimeoutMs ?? 60_000,
    });
    if (res.statusCode < 200 || res.statusCode > 299) throw await toApiError(res);
    return res;
  }

  /** GET and parse a JSON body. */
  async getJson(path: string, query: Query, opts: GetOptions): Promise<unknown> {
    const res = await this.get(path, query, opts);
    return res.body.json();
  }

  async close(): Promise<void> {
    const a = this.agent;
    this.agent = undefined;
    if (a) await (await a).close();
  }

  private dispatcher(): Promise<Agent> {
    // TLS material is read once; a CA or client certificate rotation needs a restart (as client-go).
    this.agent ??= clientCredentials(this.kc).then(
      (c) => new Agent({ connect: c.tls, keepAliveTimeout: 30_000, connections: 8 }),
    );
    return this.agent;
  }
}

async function toApiError(res: Dispatcher.ResponseData): Promise<ApiError> {
  let text = '';
  try {
    text = (await res.body.text()).slice(0, 4096);
  } catch {
    // The status code alone is enough to act on.
  }
  let reason: string | undefined;
  let message = `HTTP ${res.statusCode}`;
  try {
    const s = JSON.parse(text) as { kind?: string; reason?: unknown; message?: unknown };
    if (s && s.kind === 'Status') {
      if (typeof s.reason === 'string') reason = s.reason;
      if (typeof s.message === 'string') message = `${message}: ${s.message}`;
    }
  } catch {
    if (text) message = `${message}: ${text.slice(0, 200)}`;
  }
  return new ApiError(res.statusCode, reason, message);
}
