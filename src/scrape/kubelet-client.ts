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
// one listener, not one per request.

import tls, { type ConnectionOptions, type SecureContext, type TLSSocket } from 'node:tls';
import { isIP } from 'node:net';
import { Client, type Dispatcher, type buildConnector } from 'undici';
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

export class KubeletClient implements KubeletMetricsGetter {
  private readonly targets = new Map<string, NodeTarget>();
  /** One 'abort' listener per signal (a tick's), fanning out to its requests. */
  private readonly abortWatchers = new WeakMap<AbortSignal, Set<() => void>>();
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
    const name = t.node.name;
    const { maxResponseBytes: max, requestTimeoutMs: ms } = this.cfg;
    if (signal?.aborted) return Promise.reject(new ScrapeError('timeout', `node ${name}: scrape aborted at the tick deadline`));
    return new Promise<BodyBuilder>((resolve, reject) => {
      let controller: Dispatcher.DispatchController | undefined;
      /** Set when we end the exchange ourselves (timeout, abort, status, size). */
      let failure: ScrapeError | undefined;
      let done = false;
      let body: BodyBuilder | undefined;
      const finish = (err: ScrapeError | undefined): void => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        unwatch?.();
        if (err) {
          body?.release();
          reject(err);
        } else resolve(body!);
      };
      const stop = (err: ScrapeError): void => {
        if (done) return;
        failure = err;
        // Before the request starts (queued, connecting) there is nothing to abort yet: onRequestStart does it.
        if (controller && !controller.aborted) controller.abort(err);
        finish(err);
      };
      const timer = setTimeout(() => stop(new ScrapeError('timeout', `node ${name}: no complete response within ${ms} ms`)), ms);
      const unwatch = signal ? this.onAbort(signal, () => stop(new ScrapeError('timeout', `node ${name}: scrape aborted at the tick deadline`))) : undefined;

      const handler: Dispatcher.DispatchHandler = {
        onRequestStart: (c) => {
          controller = c;
          if (failure) c.abort(failure);
        },
        onResponseStart: (_c, statusCode, resHeaders) => {
          if (statusCode !== 200) return stop(new ScrapeError('http', `node ${name}: request failed, status: ${statusCode}`));
          const cl = resHeaders['content-length'];
          const declared = typeof cl === 'string' ? Number(cl) : NaN;
          if (declared > max) return stop(new ScrapeError('size', `node ${name}: response of ${declared} bytes exceeds --kubelet-max-response-bytes=${max}`));
          // One pooled buffer of the declared size (or the last body's size when chunked): no chunk list, no concat.
          const hint = Number.isSafeInteger(declared) && declared >= 0 ? declared : t.lastBodyBytes;
          body = new BodyBuilder(this.bodies, hint);
        },
        onResponseData: (_c, chunk) => {
          if (done || !body) return;
          if (body.byteLength + chunk.length > max) return stop(new ScrapeError('size', `node ${name}: response exceeds --kubelet-max-response-bytes=${max}`));
          body.append(chunk);
        },
        onResponseEnd: () => {
          if (done || !body) return;
          t.lastBodyBytes = body.byteLength;
          finish(undefined);
        },
        onResponseError: (_c, err) => finish(failure ?? this.classify(name, err)),
      };
      try {
        t.client.dispatch({ method: 'GET', path: t.path, headers }, handler);
      } catch (e) {
        finish(this.classify(name, e));
      }
    });
  }

  /** Calls fn when signal aborts; returns the unsubscribe. A signal gets one listener however many requests watch it. */
  private onAbort(signal: AbortSignal, fn: () => void): () => void {
    let fns = this.abortWatchers.get(signal);
    if (!fns) {
      const set = new Set<() => void>();
      fns = set;
      this.abortWatchers.set(signal, set);
      signal.addEventListener(
        'abort',
        () => {
          const all = [...set];
          set.clear();
          for (const f of all) f();
        },
        { once: true },
      );
    }
    const own = fns;
    own.add(fn);
    return () => own.delete(fn);
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

  private classify(node: string, e: unknown): ScrapeError {
    if (e instanceof ScrapeError) return e;
    const code = (e as { code?: unknown })?.code;
    const msg = e instanceof Error ? e.message : String(e);
    if (typeof code === 'string' && TIMEOUT_CODES.has(code)) return new ScrapeError('timeout', `node ${node}: ${msg}`, { cause: e });
    if (code === 'UND_ERR_RES_EXCEEDED_MAX_SIZE') return new ScrapeError('size', `node ${node}: ${msg}`, { cause: e });
    return new ScrapeError('connection', `node ${node}: ${msg}${typeof code === 'string' ? ` (${code})` : ''}`, { cause: e });
  }
}
