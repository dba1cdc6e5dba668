// One GET to a kubelet in flight: undici's dispatch handler, the request
// deadline and the tick's abort in one object rather than a dozen closures.
// Whatever is in flight when the young generation is collected survives it,
// and at thousands of nodes is promoted to the old generation: the less a
// request holds, the less there is to promote.

import type { Buffer } from 'node:buffer';
import type { Dispatcher } from 'undici';
import type { BodyBuilder } from './body-pool.js';
import { ScrapeError } from './scrape-error.js';

/** What an exchange needs from its client. */
export interface ExchangeOwner {
  newBody(sizeHint: number): BodyBuilder;
  unwatch(signal: AbortSignal, x: Exchange): void;
  classify(node: string, e: unknown): ScrapeError;
}

/** The node scraped: its name for messages, its last body size as the first guess for a chunked one. */
export interface ExchangeTarget {
  readonly node: { readonly name: string };
  lastBodyBytes: number;
}

/** setTimeout's callback for an exchange's deadline (arguments, not a closure per request). */
export function timeUp(x: Exchange, ms: number): void {
  x.stop(new ScrapeError('timeout', `node ${x.target.node.name}: no complete response within ${ms} ms`));
}

/** One GET in flight; settles its promise through resolve/reject exactly once. */
export class Exchange implements Dispatcher.DispatchHandler {
  timer: NodeJS.Timeout | undefined;
  signal: AbortSignal | undefined;
  private controller: Dispatcher.DispatchController | undefined;
  /** Set when we end the exchange ourselves (timeout, abort, status, size). */
  private failure: ScrapeError | undefined;
  private done = false;
  private body: BodyBuilder | undefined;

  constructor(
    private readonly owner: ExchangeOwner,
    readonly target: ExchangeTarget,
    private readonly maxBytes: number,
    private readonly resolve: (b: BodyBuilder) => void,
    private readonly reject: (e: ScrapeError) => void,
  ) {}

  /** Settles once: the body, or err (the body goes back to the pool). */
  finish(err: ScrapeError | undefined): void {
    if (this.done) return;
    this.done = true;
    clearTimeout(this.timer);
    if (this.signal) this.owner.unwatch(this.signal, this);
    if (err) {
      this.body?.release();
      this.reject(err);
    } else this.resolve(this.body!);
  }

  /** Ends the exchange ourselves with err. */
  stop(err: ScrapeError): void {
    if (this.done) return;
    this.failure = err;
    // Before the request starts (queued, connecting) there is nothing to abort yet: onRequestStart does it.
    if (this.controller && !this.controller.aborted) this.controller.abort(err);
    this.finish(err);
  }

  onRequestStart(c: Dispatcher.DispatchController): void {
    this.controller = c;
    if (this.failure) c.abort(this.failure);
  }

  onResponseStart(_c: Dispatcher.DispatchController, statusCode: number, resHeaders: Record<string, string | string[] | undefined>): void {
    const name = this.target.node.name;
    if (statusCode !== 200) return this.stop(new ScrapeError('http', `node ${name}: request failed, status: ${statusCode}`));
    const cl = resHeaders['content-length'];
    const declared = typeof cl === 'string' ? Number(cl) : NaN;
    if (declared > this.maxBytes) return this.stop(new ScrapeError('size', `node ${name}: response of ${declared} bytes exceeds --kubelet-max-response-bytes=${this.maxBytes}`));
    // One pooled buffer of the declared size (or the last body's size when chunked): no chunk list, no concat.
    const hint = Number.isSafeInteger(declared) && declared >= 0 ? declared : this.target.lastBodyBytes;
    this.body = this.owner.newBody(hint);
  }

  onResponseData(_c: Dispatcher.DispatchController, chunk: Buffer): void {
    const body = this.body;
    if (this.done || !body) return;
    if (body.byteLength + chunk.length > this.maxBytes) {
      return this.stop(new ScrapeError('size', `node ${this.target.node.name}: response exceeds --kubelet-max-response-bytes=${this.maxBytes}`));
    }
    body.append(chunk);
  }

  onResponseEnd(): void {
    if (this.done || !this.body) return;
    this.target.lastBodyBytes = this.body.byteLength;
    this.finish(undefined);
  }

  onResponseError(_c: Dispatcher.DispatchController, err: Error): void {
    this.finish(this.failure ?? this.owner.classify(this.target.node.name, err));
  }
}
