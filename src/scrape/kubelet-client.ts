// HTTPS client for kubelets: one keep-alive undici Pool per node (closed when the
// node goes away or moves), TLS verified against the kubelet CA unless
// --kubelet-insecure-tls, bearer token and/or client certificate, a deadline
// covering the whole exchange, and a response size cap. Every failure becomes a
// ScrapeError with the reason the scraper counts.

import type { ConnectionOptions } from 'node:tls';
import { Pool, type Dispatcher } from 'undici';
import type { KubeletSource } from '../options.js';
import type { NodeInfo } from '../kube/node-info.js';
import type { NodeScrape } from './types.js';
import { decodeSummary } from './decode-summary.js';
import { decodeResource } from './decode-resource.js';
import { kubeletOrigin, type KubeletEndpointConfig } from './kubelet-address.js';
import { kubeletPath } from './kubelet-path.js';
import { ScrapeError } from './scrape-error.js';

export interface KubeletClientConfig extends KubeletEndpointConfig {
  source: KubeletSource;
  /** ca / cert / key / rejectUnauthorized for the kubelet connections. */
  tls: ConnectionOptions;
  /** Request headers (Authorization); called at most every credentialsTtlMs so rotated tokens are picked up. */
  credentials?: () => Promise<Record<string, string>>;
  credentialsTtlMs?: number;
  /** --kubelet-request-timeout, ms. */
  requestTimeoutMs: number;
  /** --kubelet-max-response-bytes */
  maxResponseBytes: number;
  /** Idle keep-alive per connection; longer than the resolution so connections survive between ticks. */
  keepAliveMs?: number;
}

/** Drops an unread body; destroying it emits an error nobody needs to hear. */
function discard(body: Dispatcher.ResponseData['body']): void {
  body.on('error', () => {});
  body.destroy();
}

/** What the scraper needs from a kubelet client (tests may substitute their own). */
export interface KubeletMetricsGetter {
  getMetrics(node: NodeInfo, signal?: AbortSignal): Promise<NodeScrape>;
  /** Closes connection pools of nodes not in names. */
  retainNodes(names: ReadonlySet<string>): void;
}

const TIMEOUT_CODES = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'UND_ERR_CONNECT_TIMEOUT']);

export class KubeletClient implements KubeletMetricsGetter {
  private readonly pools = new Map<string, { origin: string; pool: Pool }>();
  private creds?: { at: number; headers: Promise<Record<string, string>> };

  constructor(private readonly cfg: KubeletClientConfig) {}

  /** Scrapes one node; rejects with ScrapeError. signal aborts early (reason timeout). */
  async getMetrics(node: NodeInfo, signal?: AbortSignal): Promise<NodeScrape> {
    const origin = kubeletOrigin(node, this.cfg);
    const path = kubeletPath(node, this.cfg.source);
    const headers = await this.headers();
    const pool = this.pool(node.name, origin);

    const ac = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      ac.abort(new ScrapeError('timeout', `node ${node.name}: no complete response within ${this.cfg.requestTimeoutMs} ms`));
    }, this.cfg.requestTimeoutMs);
    const onAbort = () => {
      timedOut = true;
      ac.abort(new ScrapeError('timeout', `node ${node.name}: scrape aborted at the tick deadline`));
    };
    if (signal?.aborted) onAbort();
    else signal?.addEventListener('abort', onAbort, { once: true });

    const requestTimeMs = Date.now();
    let res: Dispatcher.ResponseData | undefined;
    let body: Buffer;
    try {
      res = await pool.request({ method: 'GET', path, headers, signal: ac.signal });
      if (res.statusCode !== 200) {
        throw new ScrapeError('http', `node ${node.name}: request failed, status: ${res.statusCode}`);
      }
      body = await this.readBody(node.name, res);
    } catch (e) {
      if (res) discard(res.body);
      throw this.classify(node.name, e, timedOut);
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    }

    try {
      const bytes = new Uint8Array(body.buffer, body.byteOffset, body.byteLength);
      return this.cfg.source === 'summary' ? decodeSummary(bytes, requestTimeMs) : decodeResource(bytes, requestTimeMs);
    } catch (e) {
      // Any decoder failure (DecodeError or not) skips this node only.
      throw new ScrapeError('decode', `node ${node.name}: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
    }
  }

  retainNodes(names: ReadonlySet<string>): void {
    for (const [name, entry] of this.pools) {
      if (!names.has(name)) {
        this.pools.delete(name);
        void entry.pool.close().catch(() => {});
      }
    }
  }

  /** Number of open per-node pools (for tests and diagnostics). */
  get poolCount(): number {
    return this.pools.size;
  }

  async close(): Promise<void> {
    const pools = [...this.pools.values()];
    this.pools.clear();
    await Promise.all(pools.map((p) => p.pool.destroy().catch(() => {})));
  }

  private pool(node: string, origin: string): Pool {
    const cur = this.pools.get(node);
    if (cur && cur.origin === origin) return cur.pool;
    if (cur) void cur.pool.close().catch(() => {});
    const keepAlive = this.cfg.keepAliveMs ?? 120_000;
    const pool = new Pool(origin, {
      connections: 2,
      connect: this.cfg.tls,
      keepAliveTimeout: keepAlive,
      keepAliveMaxTimeout: keepAlive,
      // Our own timer bounds the whole exchange; these only stop undici's defaults from firing first.
      headersTimeout: this.cfg.requestTimeoutMs + 1000,
      bodyTimeout: this.cfg.requestTimeoutMs + 1000,
    });
    this.pools.set(node, { origin, pool });
    return pool;
  }

  private headers(): Promise<Record<string, string>> {
    const get = this.cfg.credentials;
    if (!get) return Promise.resolve({});
    const now = Date.now();
    if (!this.creds || now - this.creds.at > (this.cfg.credentialsTtlMs ?? 10_000)) {
      const headers = get();
      this.creds = { at: now, headers };
      // A failed read is retried on the next request rather than cached.
      headers.catch(() => {
        if (this.creds?.headers === headers) this.creds = undefined;
      });
    }
    return this.creds.headers;
  }

  private async readBody(node: string, res: Dispatcher.ResponseData): Promise<Buffer> {
    const max = this.cfg.maxResponseBytes;
    const declared = Number(res.headers['content-length']);
    if (Number.isFinite(declared) && declared > max) {
      throw new ScrapeError('size', `node ${node}: response of ${declared} bytes exceeds --kubelet-max-response-bytes=${max}`);
    }
    const chunks: Buffer[] = [];
    let total = 0;
    for await (const chunk of res.body as AsyncIterable<Buffer>) {
      total += chunk.length;
      if (total > max) throw new ScrapeError('size', `node ${node}: response exceeds --kubelet-max-response-bytes=${max}`);
      chunks.push(chunk);
    }
    return chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, total);
  }

  private classify(node: string, e: unknown, timedOut: boolean): ScrapeError {
    if (e instanceof ScrapeError) return e;
    if (timedOut) return new ScrapeError('timeout', `node ${node}: no complete response within ${this.cfg.requestTimeoutMs} ms`, { cause: e });
    const code = (e as { code?: unknown })?.code;
    const msg = e instanceof Error ? e.message : String(e);
    if (typeof code === 'string' && TIMEOUT_CODES.has(code)) return new ScrapeError('timeout', `node ${node}: ${msg}`, { cause: e });
    if (code === 'UND_ERR_RES_EXCEEDED_MAX_SIZE') return new ScrapeError('size', `node ${node}: ${msg}`, { cause: e });
    return new ScrapeError('connection', `node ${node}: ${msg}${typeof code === 'string' ? ` (${code})` : ''}`, { cause: e });
  }
}
