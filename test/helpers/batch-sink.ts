// A scrape sink that gathers each tick's answers into a MetricsBatch, for
// tests that look at what a tick handed over.
import type { ScrapeSink } from '../../src/scrape/scraper.js';
import type { MetricsBatch, NodeScrape } from '../../src/scrape/types.js';

export class BatchSink implements ScrapeSink {
  readonly batches: MetricsBatch[] = [];
  private current?: MetricsBatch;

  constructor(private readonly onBatch?: (batch: MetricsBatch) => void) {}

  beginTick(): void {
    this.current = { nodes: new Map() };
  }

  storeNode(name: string, scrape: NodeScrape): void {
    if (!this.current) throw new Error('storeNode outside a tick');
    // A copy: the scraper hands the scrape's objects back for reuse after this call.
    this.current.nodes.set(name, structuredClone(scrape));
  }

  endTick(): void {
    const b = this.current;
    this.current = undefined;
    if (!b) return;
    this.batches.push(b);
    this.onBatch?.(b);
  }

  /** The latest completed tick's batch. */
  get last(): MetricsBatch {
    const b = this.batches.at(-1);
    if (!b) throw new Error('no tick completed');
    return b;
  }
}
