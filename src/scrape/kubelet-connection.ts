// One kept-alive TLS connection to one kubelet, carrying one GET at a time.
// Reads go through the socket's onread option straight into the response in
// flight (http1-response.ts): no Buffer per TLS record, no Readable stream, no
// HTTP parser object per connection. Between requests the socket reads into a
// shared scratch buffer; bytes nobody asked for close the connection.
//
// A connection that served a response may have been closed by the kubelet
// (idle timeout, restart) just as the next request went out: a request that got
// no byte back on such a connection is sent once more on a new one, as Go's
// HTTP client retries idempotent requests.
//
// When the client's TLS context is replaced (rotated certificate), retire()
// closes an idle connection at once and a busy one after its response, so the
// next request reconnects with the new context.

import type { TLSSocket } from 'node:tls';
import { MIN_READ, ResponseError } from './http1-response.js';
import type { Exchange } from './kubelet-exchange.js';
import { ScrapeError } from './scrape-error.js';

/** Where reads land while no request is in flight (and the first read of each response, copied from there). */
const IDLE_READ = Buffer.allocUnsafeSlow(MIN_READ);

/** Opens a TLS socket with the given onread option (the client's shared context, SNI, verification). */
export type SocketOpener = (onread: { buffer: () => Uint8Array; callback: (n: number, buf: Uint8Array) => void }) => TLSSocket;

export class KubeletConnection {
  private socket: TLSSocket | undefined;
  private connected = false;
  private current: Exchange | undefined;
  private request: Buffer | undefined;
  /** Responses completed on the current socket. */
  private served = 0;
  private retried = false;
  /** The socket was opened with a TLS context since replaced: closed once its response is complete. */
  private retiring = false;
  /** When a request was last sent (ms since epoch), for closing idle connections. */
  lastUsedMs = 0;
  private readonly onread = {
    buffer: (): Uint8Array => this.current?.response.space() ?? IDLE_READ,
    callback: (n: number, buf: Uint8Array): void => this.onData(n, buf),
  };

  constructor(
    private readonly open: SocketOpener,
    /** The ScrapeError for a socket failure. */
    private readonly classify: (err: unknown) => ScrapeError,
  ) {}

  /** Closes the socket if no request was sent on it since sinceMs (ms since epoch) and none is in flight. */
  closeIfIdleSince(sinceMs: number): void {
    if (!this.current && this.lastUsedMs < sinceMs) this.drop();
  }

  /** The TLS context changed: closes the socket now if idle, else once the response in flight is complete. */
  retire(): void {
    if (this.current) this.retiring = true;
    else this.drop();
  }

  /** Sends request for x; x settles through finish() when its response is complete or the exchange fails. */
  send(x: Exchange, request: Buffer, nowMs: number): void {
    if (this.current) {
      x.finish(new ScrapeError('connection', `node ${x.target.node.name}: the previous request is still in flight`));
      return;
    }
    this.current = x;
    x.conn = this;
    this.request = request;
    this.retried = false;
    this.lastUsedMs = nowMs;
    if (!this.socket) this.connect();
    else if (this.connected) this.socket.write(request);
    // else: written once the handshake is done
  }

  /** Stops x's request, if it is the one in flight: the socket is closed (its response was not read to the end). */
  abort(x: Exchange): void {
    if (this.current !== x) return;
    this.current = undefined;
    this.drop();
  }

  /** Closes the connection; a request in flight fails. */
  close(): void {
    const x = this.current;
    this.current = undefined;
    this.drop();
    x?.finish(new ScrapeError('connection', `node ${x.target.node.name}: connection closed (node removed or moved)`));
  }

  private connect(): void {
    this.connected = false;
    this.served = 0;
    const s = this.open(this.onread);
    this.socket = s;
    s.once('secureConnect', () => {
      if (this.socket !== s) return;
      this.connected = true;
      if (this.current && this.request) s.write(this.request);
    });
    s.on('end', () => this.lost(s));
    s.on('close', () => this.lost(s));
    s.on('error', (err: Error) => this.lost(s, err));
  }

  private drop(): void {
    const s = this.socket;
    this.socket = undefined;
    this.connected = false;
    this.retiring = false;
    s?.destroy();
  }

  private onData(n: number, buf: Uint8Array): void {
    const x = this.current;
    if (!x) {
      // Nothing was asked: the connection is out of step with us.
      this.drop();
      return;
    }
    const r = x.response;
    let done: boolean;
    try {
      if (buf === IDLE_READ) r.space().set(IDLE_READ.subarray(0, n));
      done = r.received(n);
    } catch (e) {
      this.current = undefined;
      this.drop();
      const err = e as ResponseError;
      x.finish(new ScrapeError(err.reason === 'size' ? 'size' : 'connection', `node ${x.target.node.name}: ${err.message}`, { cause: e }));
      return;
    }
    if (r.statusCode !== 0 && r.statusCode !== 200) {
      // No need to read the rest: fail now, and do not reuse a connection with an unread body.
      this.current = undefined;
      this.drop();
      x.finish(new ScrapeError('http', `node ${x.target.node.name}: request failed, status: ${r.statusCode}`));
      return;
    }
    if (done) this.complete(x);
  }

  private complete(x: Exchange): void {
    this.current = undefined;
    this.served++;
    if (!x.response.reusable || this.retiring) this.drop();
    x.finish(undefined);
  }

  /** The socket ended, closed or failed. */
  private lost(s: TLSSocket, err?: Error): void {
    if (s !== this.socket) return;
    this.drop();
    const x = this.current;
    if (!x) return;
    if (!err && x.response.eof()) {
      this.complete(x);
      return;
    }
    if (!x.response.started && this.served > 0 && !this.retried) {
      this.retried = true;
      this.connect();
      return;
    }
    this.current = undefined;
    x.finish(err ? this.classify(err) : new ScrapeError('connection', `node ${x.target.node.name}: connection closed before the response was complete`));
  }
}
