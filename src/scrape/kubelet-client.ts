// HTTPS client for kubelets: one keep-alive connection per node (closed when
// the node goes away or moves, or idle longer than keepAliveMs), TLS verified
// against the kubelet CA unless --kubelet-insecure-tls, bearer token and/or
// client certificate, a deadline covering the whole exchange, and a response
// size cap. Every failure becomes a ScrapeError with the reason the scraper
// counts.
//
// Memory and CPU at thousands of nodes (measured, see CHANGELOG): every node
// keeps one idle TLS connection between ticks, so per-connection cost is what
// scales. All connections share one SecureContext (a context per connection
// costs ~27 KB of native memory and a CA parse per handshake); no ALPN list is
// sent (HTTP/1.1 only). Each connection reads through the socket's onread into
// the response in flight (kubelet-connection.ts, http1-response.ts): no Buffer
// per TLS record, no stream or HTTP parser per connection, the body decoded
// where it landed. The context is rebuilt when the certificate, key or CA files
// change (kubelet-tls-context.ts); connections then reconnect with the new one.
// A tick's abort signal gets one listener, not one per request. Each request in
// flight is one Exchange (kubelet-exchange.ts), kept in one list with one timer
// for the earliest deadline (in-flight.ts); the exchange decodes its response
// and settles with the scrape. Each node keeps the names of its last body in
// order (NodeNames), so decoding its next one mostly compares names instead of
// looking them up. Gzipped bodies (a kubelet's /metrics/resource, as Go's client
// asks for gzip too) are inflated into one reused buffer (gunzip.ts).

import tls, { type ConnectionOptions, type TLSSocket } from 'node:tls';
import type { KubeletSource } from '../options.js';
import type { NodeInfo } from '../kube/node-info.js';
import type { NodeScrape } from './types.js';
import { decodeSummary } from './decode-summary.js';
import { decodeResource } from './decode-resource.js';
import { kubeletOrigin, kubeletServerName, type KubeletEndpointConfig } from './kubelet-address.js';
import { kubeletPath } from './kubelet-path.js';
import { ScrapeError } from './scrape-error.js';
import { NameInterner, type NodeNames } from './name-interner.js';
import { BodyPool } from './body-pool.js';
import { ScrapeRecycler } from './scrape-recycler.js';
import { Exchange, type ExchangeOwner } from './kubelet-exchange.js';
import { InFlight } from './in-flight.js';
import { Http1Response } from './http1-response.js';
import { Gunzipper, GunzipError } from './gunzip.js';
import { KubeletConnection, type SocketOpener } from './kubelet-connection.js';
import { KubeletTlsContext, type KubeletTlsFiles } from './kubelet-tls-context.js';
import type { Logger } from '../log.js';

export interface KubeletClientConfig extends KubeletEndpointConfig {
  source: KubeletSource;
  /** ca / cert / key / rejectUnauthorized for the kubelet connections. */
  tls: ConnectionOptions;
  /** The files tls's ca, cert and key were read from: re-read, and the TLS context rebuilt when they change. */
  tlsFiles?: KubeletTlsFiles;
  /** How often tlsFiles are re-read besides fs.watch, ms (default KUBELET_TLS_RELOAD_MS, client-go's 5 minutes). */
  tlsReloadMs?: number;
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

const NO_HEADER_VALUES: Record<string, string> = Object.freeze({});
const NO_HEADERS: Promise<Record<string, string>> = Promise.resolve(NO_HEADER_VALUES);

function sameHeaders(a: Record<string, string>, b: Record<string, string>): boolean {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((k) => a[k] === b[k]);
}

/** Where and how one node is scraped; reused while the node's NodeInfo object is unchanged. */
interface NodeTarget {
  node: NodeInfo;
  origin: string;
  /** The Host header: the origin's host and port. */
  host: string;
  path: string;
  conn: KubeletConnection;
  /** Size of the node's last body: the first guess for the next one. */
  lastBodyBytes: number;
  /** The names of the node's last body, in order: the first guess for the next one's. */
  names: NodeNames;
  /** The request as sent, for these headers (rebuilt when the credentials' headers change). */
  request?: Buffer;
  requestHeaders?: Record<string, string>;
}

export class KubeletClient implements KubeletMetricsGetter, ExchangeOwner {
  private readonly targets = new Map<string, NodeTarget>();
  /** Signals with an 'abort' listener: one per signal (a tick's), stopping the requests it watches. */
  private readonly watchedSignals = new WeakSet<AbortSignal>();
  /** Requests in flight, with their deadlines. */
  private readonly inFlight: InFlight<Exchange>;
  /** The last read of the credentials: when it started, its promise, and its headers once read. */
  private creds?: { at: number; headers: Promise<Record<string, string>>; value?: Record<string, string> };
  private lastHeaders?: Record<string, string>;
  /** The SecureContext (CA, client certificate) every connection shares, rebuilt when its files change. */
  private readonly tls: KubeletTlsContext;
  /** Pod and container names, shared by every node's decode across ticks. */
  private readonly names = new NameInterner();
  /** Response buffers, reused across requests. */
  private readonly bodies: BodyPool;
  /** Decoded pods and container points, reused once the scraper releases them. */
  private readonly recycler = new ScrapeRecycler();
  /** Inflates gzipped bodies into one reused buffer. */
  private readonly gunzip = new Gunzipper();

  constructor(
    private readonly cfg: KubeletClientConfig,
    deps: { log?: Logger } = {},
  ) {
    this.bodies = new BodyPool(cfg.maxPooledBodies ?? 256);
    this.tls = new KubeletTlsContext(cfg.tls, cfg.tlsFiles, { reloadMs: cfg.tlsReloadMs, log: deps.log, onRotate: () => this.retireConnections() });
    const ms = cfg.requestTimeoutMs;
    this.inFlight = new InFlight(ms, (x) => x.stop(new ScrapeError('timeout', `node ${x.target.node.name}: no complete response within ${ms} ms`)));
  }

  /** Scrapes one node; rejects with ScrapeError. signal aborts early (reason timeout). */
  getMetrics(node: NodeInfo, signal?: AbortSignal): Promise<NodeScrape> {
    let target: NodeTarget;
    try {
      target = this.target(node);
    } catch (e) {
      return Promise.reject(e as Error);
    }
    // Headers already read are used at once: the exchange's promise is then the only one a request makes.
    const headers = this.freshHeaders();
    return headers ? this.fetch(target, headers, signal) : this.headers().then((h) => this.fetch(target, h, signal));
  }

  /** The body of x's complete response, decoded; its buffer goes back to the pool (for Exchange). */
  decode(x: Exchange): NodeScrape {
    const { target, response, requestTimeMs } = x;
    try {
      const bytes = this.body(x);
      const names = target.names;
      names.rewind();
      return this.cfg.source === 'summary' ? decodeSummary(bytes, requestTimeMs, names, this.recycler) : decodeResource(bytes, requestTimeMs, names, this.recycler);
    } catch (e) {
      if (e instanceof ScrapeError) throw e;
      // Any decoder failure (DecodeError or not) skips this node only.
      throw new ScrapeError('decode', `node ${target.node.name}: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
    } finally {
      // The decoders copy out what they keep: the buffer can serve the next response.
      response.release();
    }
  }

  /** x's body as sent, inflated if the kubelet gzipped it (valid until the next body is inflated). Throws ScrapeError. */
  private body(x: Exchange): Uint8Array {
    const { response } = x;
    if (response.encoding === '') return response.bytes();
    if (response.encoding !== 'gzip') throw new ScrapeError('decode', `node ${x.target.node.name}: unsupported Content-Encoding ${JSON.stringify(response.encoding)}`);
    try {
      return this.gunzip.inflate(response.bytes(), this.cfg.maxResponseBytes);
    } catch (e) {
      const err = e as GunzipError;
      throw new ScrapeError(err.reason === 'size' ? 'size' : 'decode', `node ${x.target.node.name}: ${err.message}`, { cause: e });
    }
  }

  release(scrape: NodeScrape): void {
    this.recycler.release(scrape);
  }

  retainNodes(names: ReadonlySet<string>): void {
    // Called as each tick starts: names not read lately leave the interner.
    this.names.nextTick();
    // Connections idle for longer than the keep-alive are closed; the next scrape reconnects.
    const idleSince = Date.now() - (this.cfg.keepAliveMs ?? 120_000);
    for (const [name, t] of this.targets) {
      if (!names.has(name)) {
        this.targets.delete(name);
        t.conn.close();
      } else t.conn.closeIfIdleSince(idleSince);
    }
  }

  /** Number of nodes with a connection (for tests and diagnostics). */
  get poolCount(): number {
    return this.targets.size;
  }

  close(): Promise<void> {
    this.tls.close();
    const targets = [...this.targets.values()];
    this.targets.clear();
    for (const t of targets) t.conn.close();
    return Promise.resolve();
  }

  /** The node's origin, path and connection; a node that moved gets a new connection. Throws ScrapeError("address"). */
  private target(node: NodeInfo): NodeTarget {
    const cur = this.targets.get(node.name);
    if (cur && cur.node === node) return cur;
    const origin = kubeletOrigin(node, this.cfg);
    const path = kubeletPath(node, this.cfg.source);
    if (cur && cur.origin === origin) {
      cur.node = node;
      if (cur.path !== path) {
        cur.path = path;
        cur.request = undefined;
      }
      return cur;
    }
    if (cur) cur.conn.close();
    const url = new URL(origin);
    const host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
    const port = Number(url.port || 443);
    const open: SocketOpener = (onread) => this.connectTls(host, port, onread);
    const t: NodeTarget = { node, origin, host: url.host, path, conn: new KubeletConnection(open, (e) => this.classify(node.name, e)), lastBodyBytes: 0, names: this.names.forNode() };
    this.targets.set(node.name, t);
    return t;
  }

  /** GET path; resolves with the decoded 200 response, rejects with ScrapeError. */
  private fetch(t: NodeTarget, headers: Record<string, string>, signal?: AbortSignal): Promise<NodeScrape> {
    if (signal?.aborted) return Promise.reject(new ScrapeError('timeout', `node ${t.node.name}: scrape aborted at the tick deadline`));
    let request: Buffer;
    try {
      request = this.request(t, headers);
    } catch (e) {
      return Promise.reject(e instanceof ScrapeError ? e : this.classify(t.node.name, e));
    }
    const requestTimeMs = Date.now();
    return new Promise<NodeScrape>((resolve, reject) => {
      const response = new Http1Response(this.bodies, t.lastBodyBytes, this.cfg.maxResponseBytes);
      const x = new Exchange(this, t, response, requestTimeMs, resolve, reject);
      if (signal) x.signal = this.watch(signal);
      this.inFlight.add(x);
      t.conn.send(x, request, requestTimeMs);
    });
  }

  /** The request bytes for t with these headers, built once per path and headers object. */
  private request(t: NodeTarget, headers: Record<string, string>): Buffer {
    if (t.request && t.requestHeaders === headers) return t.request;
    // Asking for gzip as Go's client does: a kubelet compresses /metrics/resource (not /stats/summary).
    let head = `GET ${t.path} HTTP/1.1\r\nHost: ${t.host}\r\nAccept-Encoding: gzip\r\n`;
    for (const [name, value] of Object.entries(headers)) {
      // A credential read from a file must not split the request.
      if (/[\r\n\0]/.test(name) || /[\r\n\0]/.test(value)) throw new ScrapeError('connection', `node ${t.node.name}: request header ${JSON.stringify(name)} contains a line break or NUL`);
      head += `${name}: ${value}\r\n`;
    }
    t.request = Buffer.from(`${head}\r\n`, 'latin1');
    t.requestHeaders = headers;
    return t.request;
  }

  /** Gives signal its one 'abort' listener, which stops every request in flight that it watches; returns signal. */
  private watch(signal: AbortSignal): AbortSignal {
    if (!this.watchedSignals.has(signal)) {
      this.watchedSignals.add(signal);
      signal.addEventListener(
        'abort',
        () => {
          for (const x of this.inFlight.watching(signal)) x.stop(new ScrapeError('timeout', `node ${x.target.node.name}: scrape aborted at the tick deadline`));
        },
        { once: true },
      );
    }
    return signal;
  }

  /** x settled: no longer in flight (for Exchange). */
  settled(x: Exchange): void {
    this.inFlight.remove(x);
  }

  /** Requests in flight (for tests). */
  get inFlightCount(): number {
    return this.inFlight.size;
  }

  /** The TLS context was replaced: idle connections close now, busy ones after their response. */
  private retireConnections(): void {
    for (const t of this.targets.values()) t.conn.retire();
  }

  /** A TLS socket to a kubelet with the shared context, SNI for names, no ALPN (HTTP/1.1), reading through onread. */
  private connectTls(host: string, port: number, onread: Parameters<SocketOpener>[0]): TLSSocket {
    const servername = kubeletServerName(host);
    // onread is a documented tls.connect() option (as net.Socket's) that @types/node does not list.
    const options: ConnectionOptions & { onread: typeof onread } = {
      host,
      port,
      ...(servername === undefined ? {} : { servername }),
      secureContext: this.tls.context,
      rejectUnauthorized: this.cfg.tls.rejectUnauthorized !== false,
      onread,
    };
    const socket = tls.connect(options);
    socket.setNoDelay(true);
    socket.setKeepAlive(true, 60_000);
    return socket;
  }

  /** The request headers if they were read less than credentialsTtlMs ago, else undefined (headers() reads them). */
  private freshHeaders(): Record<string, string> | undefined {
    if (!this.cfg.credentials) return NO_HEADER_VALUES;
    const c = this.creds;
    return c?.value !== undefined && Date.now() - c.at <= (this.cfg.credentialsTtlMs ?? 10_000) ? c.value : undefined;
  }

  /**
   * Request headers from the credentials, re-read every credentialsTtlMs. While they do not
   * change they are the same object, so each node's request bytes are built once.
   */
  private headers(): Promise<Record<string, string>> {
    const get = this.cfg.credentials;
    if (!get) return NO_HEADERS;
    const now = Date.now();
    if (!this.creds || now - this.creds.at > (this.cfg.credentialsTtlMs ?? 10_000)) {
      const previous = this.lastHeaders;
      const creds: { at: number; headers: Promise<Record<string, string>>; value?: Record<string, string> } = { at: now, headers: NO_HEADERS };
      const headers = get().then((h) => (creds.value = previous !== undefined && sameHeaders(previous, h) ? previous : (this.lastHeaders = h)));
      creds.headers = headers;
      this.creds = creds;
      // A failed read is retried on the next request rather than cached.
      headers.catch(() => {
        if (this.creds?.headers === headers) this.creds = undefined;
      });
    }
    return this.creds.headers;
  }

  /** The ScrapeError for a socket failure. */
  classify(node: string, e: unknown): ScrapeError {
    if (e instanceof ScrapeError) return e;
    const code = (e as { code?: unknown })?.code;
    const msg = e instanceof Error ? e.message : String(e);
    return new ScrapeError('connection', `node ${node}: ${msg}${typeof code === 'string' && !msg.includes(code) ? ` (${code})` : ''}`, { cause: e });
  }
}
