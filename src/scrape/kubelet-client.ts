// HTTPS client for kubelets: one keep-alive connection per node (an undici
// Client, closed when the node goes away or moves), TLS verified against the
// kubelet CA unless --kubelet-insecure-tls, bearer token and/or client
// certificate, a deadline covering the whole exchange, and a response size cap.
// Every failure becomes a ScrapeError with the reason the scraper counts.
//
// Memory and CPU at thousands of nodes (measured, see CHANGELOG): every node
// keeps one idle TLS connection between ticks, so per-connection cost is what
// scales. All connections share one SecureContext (a context per connection
// costs ~27 KB of native memory and a CA parse per handshake); no ALPN list is
// sent (undici's per-connection ALPN buffer is a slice of a 64 KB Buffer pool
// slab and pinned one slab per connection); a Client rather than a Pool per node
// (a Pool holds a 2,048-slot queue, 16 KB); the response goes through undici's
// dispatch handler straight into one buffer sized from Content-Length (no body
// stream, no async iterator, no AbortController), and a tick's abort signal gets
// one listener, not one per request. Each request in flight is one Exchange
// (kubelet-exchange.ts).

import tls, { type ConnectionOptions, type SecureContext, type TLSSocket } from 'node:tls';
import { isIP } from 'node:net';
import { Client, type buildConnector } from 'undici';
import type { KubeletSource } from '../options.js';
import type { NodeInfo } from '../kube/node-info.js';
import type { NodeScrape } from './types.js';
import { decodeSummary } from './decode-summary.js';
import { decodeResource } from './decode-resource.js';
import { kubeletOrigin, type KubeletEndpointConfig } from './kubelet-address.js';
import { kubeletPath } from './kubelet-path.js';
import { ScrapeError } from './scrape-error.js';
import { NameInterner } from './name-interner.js';
import { BodyBuilder, BodyPool } from './body-pool.js';
import { ScrapeRecycler } from './scrape-recycler.js';
import { Exchange, timeUp, type ExchangeOwner } from './kubelet-exchange.js';

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
  /** Response buffers kept for reuse (default 256, --kubelet-concurrency's default). */
  maxPooledBodies?: number;
}

/** What the scraper needs from a kubelet client (tests may substitute their own). */
export interface KubeletMetricsGetter {
  getMetrics(node: NodeInfo, signal?: AbortSignal): Promise<NodeScrape>;
  /** Called as each tick starts: closes connections of nodes not in names. */
  retainNodes(names: ReadonlySet<string>): void;
  /** Hands a scrape back once stored; nothing may read it afterwards (its objects are reused). */
  release?(scrape: NodeScrape): void;
}

const TIMEOUT_CODES = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'UND_ERR_CONNECT_TIMEOUT']);

type Connector = buildConnector.connector;

/** Where and how one node is scraped; reused while the node's NodeInfo object is unchanged. */
interface NodeTarget {
  node: NodeInfo;
  origin: string;
  path: string;
  client: Client;
  /** Size of the node's last body: the first guess for a chunked one. */
  lastBodyBytes: number;
}

export class KubeletClient implements KubeletMetricsGetter, ExchangeOwner {
  private readonly targets = new Map<string, NodeTarget>();
  /** One 'abort' listener per signal (a tick's), fanning out to its requests. */
  private readonly abortWatchers = new WeakMap<AbortSignal, Set<Exchange>>();
  private creds?: { at: number; headers: Promise<Record<string, string>> };
  private context?: SecureContext;
  /** Pod and container names, shared by every node's decode across ticks. */
  private readonly names = new NameInterner();
  /** Response buffers, reused across requests. */
  private readonly bodies: BodyPool;
  /** Decoded pods and container points, reused once the scraper releases them. */
  private readonly recycler = new ScrapeRecycler();
  private readonly connector: Connector = (opts, callback) => this.connectTls(opts.hostname, Number(opts.port), callback);

  constructor(private readonly cfg: KubeletClientConfig) {
    this.bodies = new BodyPool(cfg.maxPooledBodies ?? 256);
  }

  /** Scrapes one node; rejects with ScrapeError. signal aborts early (reason timeout). */
  async getMetrics(node: NodeInfo, signal?: AbortSignal): Promise<NodeScrape> {
    const target = this.target(node);
    const headers = await this.headers();
    const requestTimeMs = Date.now();
    const body = await this.fetch(target, headers, signal);
    try {
      const bytes = body.bytes();
      return this.cfg.source === 'summary' ? decodeSummary(bytes, requestTimeMs, this.names, this.recycler) : decodeResource(bytes, requestTimeMs, this.names, this.recycler);
    } catch (e) {
      // Any decoder failure (DecodeError or not) skips this node only.
      throw new ScrapeError('decode', `node ${node.name}: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
    } finally {
      // The decoders copy out what they keep: the buffer can serve the next response.
      body.release();
    }
  }

  release(scrape: NodeScrape): void {
    this.recycler.release(scrape);
  }

  retainNodes(names: ReadonlySet<string>): void {
    // Called as each tick starts: names not read lately leave the interner.
    this.names.nextTick();
    for (const [name, t] of this.targets) {
      if (!names.has(name)) {
        this.targets.delete(name);
        void t.client.close().catch(() => {});
      }
    }
  }

  /** Number of nodes with a connection client (for tests and diagnostics). */
  get poolCount(): number {
    return this.targets.size;
  }

  async close(): Promise<void> {
    const targets = [...this.targets.values()];
    this.targets.clear();
    await Promise.all(targets.map((t) => t.client.destroy().catch(() => {})));
  }

  /** The node's origin, path and client; a node that moved gets a new client. Throws ScrapeError("address"). */
  private target(node: NodeInfo): NodeTarget {
    const cur = this.targets.get(node.name);
    if (cur && cur.node === node) return cur;
    const origin = kubeletOrigin(node, this.cfg);
    const path = kubeletPath(node, this.cfg.source);
    if (cur && cur.origin === origin) {
      cur.node = node;
      cur.path = path;
      return cur;
    }
    if (cur) void cur.client.close().catch(() => {});
    const keepAlive = this.cfg.keepAliveMs ?? 120_000;
    const client = new Client(origin, {
      connect: this.connector,
      pipelining: 1,
      keepAliveTimeout: keepAlive,
      keepAliveMaxTimeout: keepAlive,
      // Our own timer bounds the whole exchange (connect, headers, body): undici's per-request timers are
      // off (0), which saves two timer objects per request that, in flight, survive into the old generation.
      headersTimeout: 0,
      bodyTimeout: 0,
    });
    const t: NodeTarget = { node, origin, path, client, lastBodyBytes: 0 };
    this.targets.set(node.name, t);
    return t;
  }

  /** GET path; resolves with the whole 200 body (release() it when done), rejects with ScrapeError. */
  private fetch(t: NodeTarget, headers: Record<string, string>, signal?: AbortSignal): Promise<BodyBuilder> {
    if (signal?.aborted) return Promise.reject(new ScrapeError('timeout', `node ${t.node.name}: scrape aborted at the tick deadline`));
    return new Promise<BodyBuilder>((resolve, reject) => {
      const x = new Exchange(this, t, this.cfg.maxResponseBytes, resolve, reject);
      x.timer = setTimeout(timeUp, this.cfg.requestTimeoutMs, x, this.cfg.requestTimeoutMs);
      if (signal) x.signal = this.watch(signal, x);
      try {
        t.client.dispatch({ method: 'GET', path: t.path, headers }, x);
      } catch (e) {
        x.finish(this.classify(t.node.name, e));
      }
    });
  }

  /** A body buffer from the pool, of at least sizeHint bytes (for Exchange). */
  newBody(sizeHint: number): BodyBuilder {
    return new BodyBuilder(this.bodies, sizeHint);
  }

  /** Registers x to be stopped when signal aborts; a signal gets one listener however many requests watch it. */
  private watch(signal: AbortSignal, x: Exchange): AbortSignal {
    let set = this.abortWatchers.get(signal);
    if (!set) {
      const own = new Set<Exchange>();
      set = own;
      this.abortWatchers.set(signal, own);
      signal.addEventListener(
        'abort',
        () => {
          const all = [...own];
          own.clear();
          for (const e of all) e.stop(new ScrapeError('timeout', `node ${e.target.node.name}: scrape aborted at the tick deadline`));
        },
        { once: true },
      );
    }
    set.add(x);
    return signal;
  }

  /** Stops watching signal for x (for Exchange). */
  unwatch(signal: AbortSignal, x: Exchange): void {
    this.abortWatchers.get(signal)?.delete(x);
  }

  /** One SecureContext (CA, client certificate) for every kubelet connection. */
  private secureContext(): SecureContext {
    this.context ??= tls.createSecureContext(this.cfg.tls);
    return this.context;
  }

  /** undici connector: TLS over TCP with the shared context, SNI for names, no ALPN (HTTP/1.1), a connect deadline. */
  private connectTls(host: string, port: number, callback: Parameters<Connector>[1]): TLSSocket {
    const socket = tls.connect({
      host,
      port,
      ...(isIP(host) ? {} : { servername: host }),
      secureContext: this.secureContext(),
      rejectUnauthorized: this.cfg.tls.rejectUnauthorized !== false,
    });
    let cb: typeof callback | undefined = callback;
    const settle = (err: Error | null): void => {
      clearTimeout(timer);
      const c = cb;
      cb = undefined;
      if (!c) return;
      if (err) c(err, null);
      else c(null, socket);
    };
    const timer = setTimeout(() => {
      const err = Object.assign(new Error(`connect timeout after ${this.cfg.requestTimeoutMs} ms`), { code: 'UND_ERR_CONNECT_TIMEOUT' });
      socket.destroy(err);
      settle(err);
    }, this.cfg.requestTimeoutMs);
    socket.setNoDelay(true);
    socket.setKeepAlive(true, 60_000);
    socket.once('secureConnect', () => settle(null));
    socket.on('error', (err) => settle(err));
    return socket;
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

  /** The ScrapeError for a failure undici or the connector reported (for Exchange). */
  classify(node: string, e: unknown): ScrapeError {
    if (e instanceof ScrapeError) return e;
    const code = (e as { code?: unknown })?.code;
    const msg = e instanceof Error ? e.message : String(e);
    if (typeof code === 'string' && TIMEOUT_CODES.has(code)) return new ScrapeError('timeout', `node ${node}: ${msg}`, { cause: e });
    if (code === 'UND_ERR_RES_EXCEEDED_MAX_SIZE') return new ScrapeError('size', `node ${node}: ${msg}`, { cause: e });
    return new ScrapeError('connection', `node ${node}: ${msg}${typeof code === 'string' ? ` (${code})` : ''}`, { cause: e });
  }
}
