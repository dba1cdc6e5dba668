// Decoding a kubelet body both ways the server can: alone, and with a node's shared
// name interner and the scrape recycler (as the scraper does), each result as plain
// data in one member order, so tests compare them as text.
import { NameInterner } from '../../src/scrape/name-interner.js';
import { ScrapeRecycler } from '../../src/scrape/scrape-recycler.js';
import type { Names } from '../../src/scrape/name-interner.js';
import type { MetricsPoint, NodeScrape } from '../../src/scrape/types.js';

type Decode = (body: Uint8Array, requestTimeMs: number, names?: Names, recycler?: ScrapeRecycler) => NodeScrape;

/** A scrape as plain data, members in a fixed order (recycled objects are reused once released). */
export function plainScrape(s: NodeScrape): NodeScrape {
  const point = (p: MetricsPoint) => ({ timestampMs: p.timestampMs, startTimeMs: p.startTimeMs, startSubMsNs: p.startSubMsNs, cpuSec: p.cpuSec, cpuNsec: p.cpuNsec, memoryBytes: p.memoryBytes });
  return {
    node: s.node ? point(s.node) : undefined,
    pods: s.pods.map((p) => ({ namespace: p.namespace, name: p.name, containers: p.containers.map((c) => ({ name: c.name, ...point(c) })) })),
  };
}

/** Decodes bodies alone and with shared state kept across calls (two nodes' names, taken in turn). */
export class DecodeBothWays {
  private readonly interner = new NameInterner();
  private readonly nodes = [this.interner.forNode(), this.interner.forNode()];
  private readonly recycler = new ScrapeRecycler();
  private calls = 0;

  constructor(
    private readonly decode: Decode,
    private readonly requestTimeMs: number,
  ) {}

  /** Both results as JSON text of plainScrape(). */
  run(text: string): { alone: string; shared: string } {
    const alone = JSON.stringify(plainScrape(this.decode(Buffer.from(text), this.requestTimeMs)));
    const names = this.nodes[this.calls++ % this.nodes.length]!;
    names.rewind();
    const scrape = this.decode(Buffer.from(text), this.requestTimeMs, names, this.recycler);
    const shared = JSON.stringify(plainScrape(scrape));
    this.recycler.release(scrape);
    return { alone, shared };
  }
}
