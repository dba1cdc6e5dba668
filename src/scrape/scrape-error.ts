// Why one node's scrape failed, as counted by ScrapeObserver. Kubelet errors
// never reach API clients: they are logged and counted.

import type { ScrapeFailureReason } from '../observers.js';

export class ScrapeError extends Error {
  override name = 'ScrapeError';
  constructor(
    readonly reason: ScrapeFailureReason,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
