// Logs a node's scrape outcome only when it changes (ok → failing, one failure
// reason → another, failing → ok), so a dead kubelet is reported once, not
// every tick. Failures of nodes that are not Ready are expected and logged at
// debug level, as upstream does.

import type { Logger } from '../log.js';
import type { ScrapeError } from './scrape-error.js';

export class FailureLog {
  private readonly state = new Map<string, string>();

  constructor(private readonly log: Logger) {}

  failed(node: string, ready: boolean, err: ScrapeError): void {
    if (this.state.get(node) === err.reason) return;
    this.state.set(node, err.reason);
    const fields = { node, reason: err.reason, err: err.message };
    if (ready) this.log.warn(fields, 'Failed to scrape node');
    else this.log.debug(fields, 'Failed to scrape node, node is not ready');
  }

  succeeded(node: string): void {
    const prev = this.state.get(node);
    if (prev === 'ok') return;
    this.state.set(node, 'ok');
    if (prev !== undefined) this.log.info({ node, previousReason: prev }, 'Scraping node succeeded again');
  }

  /** Forgets nodes that are no longer scraped. */
  retain(nodes: ReadonlySet<string>): void {
    for (const n of this.state.keys()) if (!nodes.has(n)) this.state.delete(n);
  }
}
