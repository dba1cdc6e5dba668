// Cooperative time slices for long loops on the event loop. A list of every pod
// at 150k pods takes ~1 s to gather and encode; done in one go, every request
// behind it (an HPA's single-pod GET included) waits that long. Loops check
// `due` every so many items and `await next()` when their slice is spent, so
// the requests waiting meanwhile are served between slices.

import { setImmediate as immediate } from 'node:timers/promises';

export class TimeSlicer {
  private ends: number;

  /**
   * @param sliceMs how long a loop may run before it lets others in; Infinity never yields.
   * @param clock a monotonic clock in ms (tests pass their own).
   */
  constructor(
    private readonly sliceMs: number,
    private readonly clock: () => number = performance.now.bind(performance),
  ) {
    this.ends = clock() + sliceMs;
  }

  /** Whether the current slice is spent. */
  get due(): boolean {
    return this.clock() >= this.ends;
  }

  /** Lets the event loop run everything ready (I/O included), then starts a new slice. */
  async next(): Promise<void> {
    await immediate();
    this.ends = this.clock() + this.sliceMs;
  }
}
