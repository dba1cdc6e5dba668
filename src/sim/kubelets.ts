// Simulated kubelets: one TLS server (one certificate, one request handler) fed by
// one plain TCP listener per node on 127.0.0.1. A listener costs a file descriptor
// and a few KB, so 5,000 nodes fit in one process; the node a request is for is
// the local port it arrived on, as a real kubelet is identified by its address.
// Bodies are framed as Go's net/http frames a kubelet's: chunked above 2 KB.
// /metrics/resource is gzipped when the client asks (a kubelet serves it with
// Prometheus' promhttp, which compresses); /stats/summary never is (go-restful
// without content encoding).

import https from 'node:https';
import net from 'node:net';
import { gzipSync } from 'node:zlib';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TLSSocket } from 'node:tls';
import type { SimNode, UsageModel } from './model.js';
import { renderResourceMetrics } from './render-resource.js';
import { renderSummary } from './render-summary.js';
import type { UserInfo } from './policy.js';
import { acceptsGzip } from './negotiate.js';

/** A per-node misbehaviour. */
export type KubeletFault =
  | { kind: 'timeout' } // accept the request, never answer
  | { kind: 'delay'; ms: number } // answer after a delay
  | { kind: 'http500' }
  | { kind: 'garbage' } // 200 with bytes that are neither JSON nor Prometheus text
  | { kind: 'oversized'; bytes?: number } // 200 with a body larger than any sane limit (default 80 MiB)
  | { kind: 'reset' }; // drop the connection without an answer

/** Real payloads to serve instead of the model's, per path. */
export interface KubeletReplay {
  summary?: Uint8Array;
  resource?: Uint8Array;
}

export interface KubeletFarmOptions {
  model: UsageModel;
  /** Serving certificate and key (PEM), valid for 127.0.0.1. */
  cert: string;
  key: string;
  /** CA (PEM) that client certificates must chain to. */
  clientCa: string;
  /** Bearer token / client certificate → user; undefined = not authenticated. */
  authenticate: (token: string | undefined, socket: TLSSocket) => UserInfo | undefined;
  /** May this user read node metrics (get nodes/metrics or nodes/stats)? */
  authorize: (user: UserInfo, nodeName: string, subresource: 'metrics' | 'stats') => boolean;
  /** Clock, for deterministic tests (default Date.now). */
  now?: () => number;
}

export interface KubeletRequestRecord {
  node: string;
  path: string;
  user?: string;
  status: number;
}

const DEFAULT_OVERSIZE = 80 * 1024 * 1024;

export class KubeletFarm {
  private readonly server: https.Server;
  private readonly listeners = new Map<string, net.Server>();
  private readonly nodeByPort = new Map<number, SimNode>();
  private readonly faults = new Map<string, KubeletFault>();
  private readonly replays = new Map<string, KubeletReplay>();
  private readonly sockets = new Set<net.Socket>();
  private readonly now: () => number;
  /** Requests answered, per node, for tests and benchmarks. */
  readonly requests = new Map<string, number>();
  /** The last requests (bounded), for tests. */
  readonly log: KubeletRequestRecord[] = [];

  constructor(private readonly opts: KubeletFarmOptions) {
    this.now = opts.now ?? Date.now;
    this.server = https.createServer(
      { cert: opts.cert, key: opts.key, ca: opts.clientCa, requestCert: true, rejectUnauthorized: false },
      (req, res) => this.handle(req, res),
    );
    this.server.on('tlsClientError', () => {});
    // Keep connections across scrape ticks (15 s by default): TLS handshakes, not
    // rendering, dominate the cost of thousands of nodes.
    this.server.keepAliveTimeout = 120_000;
  }

  /** Opens a listener for every node of the model that has none (new nodes included). */
  async start(): Promise<void> {
    for (const node of this.opts.model.nodes) {
      if (this.listeners.has(node.name)) continue;
      const l = net.createServer((sock) => {
        this.sockets.add(sock);
        sock.on('close', () => this.sockets.delete(sock));
        sock.on('error', () => {});
        this.server.emit('connection', sock);
      });
      // Thousands of nodes: the default backlog is plenty, errors surface on listen.
      await new Promise<void>((resolve, reject) => {
        l.once('error', reject);
        l.listen(0, '127.0.0.1', () => resolve());
      });
      const port = (l.address() as net.AddressInfo).port;
      node.kubeletPort = port;
      this.nodeByPort.set(port, node);
      this.listeners.set(node.name, l);
    }
  }

  /** Closes the listener of a node that no longer exists. */
  async removeNode(nodeName: string): Promise<void> {
    const l = this.listeners.get(nodeName);
    if (!l) return;
    this.listeners.delete(nodeName);
    for (const [port, n] of this.nodeByPort) if (n.name === nodeName) this.nodeByPort.delete(port);
    await new Promise<void>((r) => l.close(() => r()));
  }

  setFault(nodeName: string, fault: KubeletFault | undefined): void {
    if (fault) this.faults.set(nodeName, fault);
    else this.faults.delete(nodeName);
  }

  setReplay(nodeName: string, replay: KubeletReplay | undefined): void {
    if (replay) this.replays.set(nodeName, replay);
    else this.replays.delete(nodeName);
  }

  async stop(): Promise<void> {
    const closing = [...this.listeners.values()].map((l) => new Promise<void>((r) => l.close(() => r())));
    for (const s of this.sockets) s.destroy();
    this.listeners.clear();
    await Promise.all(closing);
    this.server.close();
  }

  private record(node: string, path: string, status: number, user?: string): void {
    this.requests.set(node, (this.requests.get(node) ?? 0) + 1);
    this.log.push({ node, path, status, ...(user ? { user } : {}) });
    if (this.log.length > 1000) this.log.splice(0, this.log.length - 1000);
  }

  private handle(req: IncomingMessage, res: ServerResponse, delayed = false): void {
    const node = this.nodeByPort.get(req.socket.localPort ?? -1);
    const path = (req.url ?? '/').split('?')[0]!;
    if (!node) {
      res.writeHead(404).end('404 page not found\n');
      return;
    }
    const auth = req.headers.authorization;
    const token = auth && /^bearer /i.test(auth) ? auth.slice(7).trim() : undefined;
    const user = this.opts.authenticate(token, req.socket as TLSSocket);
    if (!user) {
      this.record(node.name, path, 401);
      res.writeHead(401, { 'content-type': 'text/plain; charset=utf-8' }).end('Unauthorized');
      return;
    }
    let kind: 'summary' | 'resource' | undefined;
    if (path === '/stats/summary') kind = 'summary';
    else if (path === '/metrics/resource') kind = 'resource';
    else if (path === '/healthz') {
      res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' }).end('ok');
      return;
    }
    if (!kind) {
      this.record(node.name, path, 404);
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('404 page not found\n');
      return;
    }
    if (req.method !== 'GET') {
      res.writeHead(405, { 'content-type': 'text/plain; charset=utf-8' }).end('Method Not Allowed');
      return;
    }
    const sub = kind === 'summary' ? 'stats' : 'metrics';
    if (!this.opts.authorize(user, node.name, sub)) {
      this.record(node.name, path, 403, user.username);
      res
        .writeHead(403, { 'content-type': 'text/plain; charset=utf-8' })
        .end(`Forbidden (user=${user.username}, verb=get, resource=nodes, subresource(s)=[${sub}])\n`);
      return;
    }
    const fault = this.faults.get(node.name);
    if (fault && !delayed && this.applyFault(fault, req, res, node.name, path, user.username)) return;
    this.record(node.name, path, 200, user.username);
    const replay = this.replays.get(node.name)?.[kind];
    const contentType = kind === 'summary' ? 'application/json' : 'text/plain; version=0.0.4; charset=utf-8';
    const body = replay ?? (kind === 'summary' ? renderSummary(this.opts.model, node, this.now()) : renderResourceMetrics(this.opts.model, node, this.now()));
    if (kind === 'resource' && acceptsGzip(req.headers['accept-encoding'])) {
      // promhttp compresses when asked; level 1 keeps 5,000 simulated kubelets light (real ones use 6: ~20% fewer bytes).
      res.setHeader('content-encoding', 'gzip');
      writeLikeGo(res, contentType, gzipSync(body, { level: 1 }), RESOURCE_PIECE_BYTES);
    } else writeLikeGo(res, contentType, body, kind === 'summary' ? Infinity : RESOURCE_PIECE_BYTES);
  }

  /** Returns true when the fault answered (or swallowed) the request. */
  private applyFault(fault: KubeletFault, req: IncomingMessage, res: ServerResponse, node: string, path: string, user: string): boolean {
    switch (fault.kind) {
      case 'timeout':
        this.record(node, path, 0, user);
        return true; // the socket stays open until the client gives up or stop()
      case 'delay': {
        const timer = setTimeout(() => this.handle(req, res, true), fault.ms);
        res.on('close', () => clearTimeout(timer));
        return true;
      }
      case 'http500':
        this.record(node, path, 500, user);
        res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' }).end('Internal Server Error: "failed to get stats"\n');
        return true;
      case 'garbage':
        this.record(node, path, 200, user);
        res.writeHead(200, { 'content-type': 'application/octet-stream' }).end(Buffer.from([0x7b, 0x22, 0xff, 0x00, 0x8b, 0x1f, 0x3c, 0x21, 0x21, 0x7d, 0x7d, 0x0a]));
        return true;
      case 'oversized': {
        this.record(node, path, 200, user);
        const total = fault.bytes ?? DEFAULT_OVERSIZE;
        const chunk = Buffer.alloc(64 * 1024, '# padding padding padding padding padding padding padding padding\n');
        res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8', 'content-length': total });
        let sent = 0;
        const pump = (): void => {
          while (sent < total) {
            const n = Math.min(chunk.length, total - sent);
            sent += n;
            if (!res.write(n === chunk.length ? chunk : chunk.subarray(0, n))) {
              res.once('drain', pump);
              return;
            }
          }
          res.end();
        };
        res.on('close', () => (sent = total));
        pump();
        return true;
      }
      case 'reset':
        this.record(node, path, 0, user);
        req.socket.destroy();
        return true;
    }
  }
}

/** Go's net/http sends a body of up to 2 KB written by a handler that set no length with Content-Length, a longer one chunked. */
const GO_UNCHUNKED_MAX_BYTES = 2048;
/** /metrics/resource leaves the kubelet as its text encoder flushes through Go's 4 KB connection buffer. */
const RESOURCE_PIECE_BYTES = 4096;

/**
 * Answers 200 with body framed as a kubelet's Go server frames it: /stats/summary is one
 * json.Encoder write (one chunk), /metrics/resource many pieces (one chunk each).
 */
function writeLikeGo(res: ServerResponse, contentType: string, body: string | Uint8Array, pieceBytes: number): void {
  const bytes = typeof body === 'string' ? Buffer.from(body) : body;
  if (bytes.length <= GO_UNCHUNKED_MAX_BYTES) {
    res.writeHead(200, { 'content-type': contentType, 'content-length': bytes.length });
    res.end(bytes);
    return;
  }
  // No length: Node frames each write as a chunk, as Go does.
  res.writeHead(200, { 'content-type': contentType });
  for (let at = 0; at < bytes.length; at += pieceBytes) res.write(bytes.subarray(at, Math.min(bytes.length, at + pieceBytes)));
  res.end();
}

