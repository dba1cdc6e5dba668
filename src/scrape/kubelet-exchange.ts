// One GET to a kubelet in flight: its response, the request deadline and the
// tick's abort in one object rather than a dozen closures. Whatever is in
// flight when the young generation is collected survives it, and at thousands
// of nodes is promoted to the old generation: the less a request holds, the
// less there is to promote.

import type { Http1Response } from './http1-response.js';
import type { InFlightEntry } from './in-flight.js';
import type { KubeletConnection } from './kubelet-connection.js';
import type { NodeNames } from './name-interner.js';
import type { ScrapeError } from './scrape-error.js';
import type { NodeScrape } from './types.js';

/** What an exchange needs from its client. */
export interface ExchangeOwner {
  /** x settled: it is no longer in flight. */
  settled(x: Exchange): void;
  /** x's response is complete: its body decoded (throws ScrapeError). */
  decode(x: Exchange): NodeScrape;
}

/** The node scraped: its name for messages, its last body size and names as the first guess for the next ones. */
export interface ExchangeTarget {
  readonly node: { readonly name: string };
  lastBodyBytes: number;
  readonly names: NodeNames;
}

/** One GET in flight; settles its promise through resolve/reject exactly once. */
export class Exchange implements InFlightEntry {
  // Kept by the client's InFlight list: its deadline and links.
  prev: InFlightEntry | undefined = undefined;
  next: InFlightEntry | undefined = undefined;
  deadline = 0;
  inFlight = false;
  signal: AbortSignal | undefined = undefined;
  /** The connection carrying the request, once sent. */
  conn: KubeletConnection | undefined;
  private done = false;

  constructor(
    private readonly owner: ExchangeOwner,
    readonly target: ExchangeTarget,
    readonly response: Http1Response,
    /** Date.now() when the request was sent. */
    readonly requestTimeMs: number,
    private readonly resolve: (s: NodeScrape) => void,
    private readonly reject: (e: ScrapeError) => void,
  ) {}

  /** Settles once: the complete response's decoded body, or err. */
  finish(err: ScrapeError | undefined): void {
    if (this.done) return;
    this.done = true;
    this.owner.settled(this);
    if (err) {
      // Not given back to the pool: a socket that was reading into it may not have closed yet.
      this.reject(err);
      return;
    }
    this.target.lastBodyBytes = this.response.bodyLength;
    let scrape: NodeScrape;
    try {
      scrape = this.owner.decode(this);
    } catch (e) {
      this.reject(e as ScrapeError);
      return;
    }
    this.resolve(scrape);
  }

  /** Ends the exchange ourselves (deadline, tick abort): its connection is closed. */
  stop(err: ScrapeError): void {
    if (this.done) return;
    this.conn?.abort(this);
    this.finish(err);
  }
}
