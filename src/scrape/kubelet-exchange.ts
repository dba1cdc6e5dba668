// One GET to a kubelet in flight: its response, the request deadline and the
// tick's abort in one object rather than a dozen closures. Whatever is in
// flight when the young generation is collected survives it, and at thousands
// of nodes is promoted to the old generation: the less a request holds, the
// less there is to promote.

import type { Http1Response } from './http1-response.js';
import type { KubeletConnection } from './kubelet-connection.js';
import { ScrapeError } from './scrape-error.js';

/** What an exchange needs from its client. */
export interface ExchangeOwner {
  unwatch(signal: AbortSignal, x: Exchange): void;
}

/** The node scraped: its name for messages, its last body size as the first guess for the next one. */
export interface ExchangeTarget {
  readonly node: { readonly name: string };
  lastBodyBytes: number;
}

/** setTimeout's callback for an exchange's deadline (arguments, not a closure per request). */
export function timeUp(x: Exchange, ms: number): void {
  x.stop(new ScrapeError('timeout', `node ${x.target.node.name}: no complete response within ${ms} ms`));
}

/** One GET in flight; settles its promise through resolve/reject exactly once. */
export class Exchange {
  timer: NodeJS.Timeout | undefined;
  signal: AbortSignal | undefined;
  /** The connection carrying the request, once sent. */
  conn: KubeletConnection | undefined;
  private done = false;

  constructor(
    private readonly owner: ExchangeOwner,
    readonly target: ExchangeTarget,
    readonly response: Http1Response,
    private readonly resolve: (r: Http1Response) => void,
    private readonly reject: (e: ScrapeError) => void,
  ) {}

  /** Settles once: the complete response, or err. */
  finish(err: ScrapeError | undefined): void {
    if (this.done) return;
    this.done = true;
    clearTimeout(this.timer);
    if (this.signal) this.owner.unwatch(this.signal, this);
    if (err) {
      // Not given back to the pool: a socket that was reading into it may not have closed yet.
      this.reject(err);
    } else {
      this.target.lastBodyBytes = this.response.bodyLength;
      this.resolve(this.response);
    }
  }

  /** Ends the exchange ourselves (deadline, tick abort): its connection is closed. */
  stop(err: ScrapeError): void {
    if (this.done) return;
    this.conn?.abort(this);
    this.finish(err);
  }
}
