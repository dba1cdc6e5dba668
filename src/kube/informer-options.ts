// What every informer cache is built from.

import type { Logger } from '../log.js';
import type { WatchObserver } from '../observers.js';
import type { BackoffConfig } from './backoff.js';
import type { RestClient } from './rest-client.js';

export interface InformerOptions {
  client: RestClient;
  log: Logger;
  observer?: WatchObserver;
  backoff?: BackoffConfig;
  /** List page size (default 500). */
  pageSize?: number;
  /** Server-side watch timeout; default 5–10 minutes at random, like client-go. */
  watchTimeoutSec?: () => number;
}
