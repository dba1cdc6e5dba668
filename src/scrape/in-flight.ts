// The kubelet requests in flight, in the order they were sent. Every request
// has the same timeout (--kubelet-request-timeout), so that order is also the
// order of their deadlines: one timer for the earliest stands in for a timer
// per request (a Timeout object and its arguments for each of thousands of
// requests a tick), and a tick's abort walks this list instead of a Set that
// every request joins and leaves.

/** What the list keeps of a request: its links, its deadline and the signal that may abort it. */
export interface InFlightEntry {
  prev: InFlightEntry | undefined;
  next: InFlightEntry | undefined;
  /** performance.now() time at which the request times out. */
  deadline: number;
  signal: AbortSignal | undefined;
  inFlight: boolean;
}

export class InFlight<T extends InFlightEntry> {
  private head: T | undefined;
  private tail: T | undefined;
  private timer: NodeJS.Timeout | undefined;
  private count = 0;

  constructor(
    private readonly timeoutMs: number,
    /** Called (after removal) for each request whose deadline passed. */
    private readonly expire: (x: T) => void,
    private readonly now: () => number = () => performance.now(),
  ) {}

  get size(): number {
    return this.count;
  }

  /** Adds a request just sent; it times out timeoutMs from now unless removed first. */
  add(x: T): void {
    x.deadline = this.now() + this.timeoutMs;
    x.prev = this.tail;
    x.next = undefined;
    if (this.tail) this.tail.next = x;
    else this.head = x;
    this.tail = x;
    x.inFlight = true;
    this.count++;
    if (!this.timer) this.arm(x.deadline);
  }

  /** Removes a request (done, failed or aborted); removing one twice does nothing. */
  remove(x: T): void {
    if (!x.inFlight) return;
    x.inFlight = false;
    if (x.prev) x.prev.next = x.next;
    else this.head = x.next as T | undefined;
    if (x.next) x.next.prev = x.prev;
    else this.tail = x.prev as T | undefined;
    x.prev = x.next = undefined;
    this.count--;
    // The timer stays set for a later head: when it fires early, it is set again. Nothing left: no timer keeps the process up.
    if (this.count === 0 && this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
  }

  /** The requests a signal may abort, in the order they were sent. */
  watching(signal: AbortSignal): T[] {
    const out: T[] = [];
    for (let x = this.head; x; x = x.next as T | undefined) if (x.signal === signal) out.push(x);
    return out;
  }

  private arm(deadline: number): void {
    // Timers fire on the event loop's cached clock, which may lag now(): one that fires early is set again.
    this.timer = setTimeout(this.fire, Math.max(1, Math.ceil(deadline - this.now())));
  }

  private readonly fire = (): void => {
    this.timer = undefined;
    const now = this.now();
    for (let x = this.head; x && x.deadline <= now; x = this.head) {
      this.remove(x);
      this.expire(x);
    }
    if (this.head && !this.timer) this.arm(this.head.deadline);
  };
}
