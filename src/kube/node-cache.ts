// Nodes by list + watch: the NodeLister the API reads and the scrape targets
// the scraper reads. Only NodeInfo fields are kept.

import type { NodeLister } from '../api/sources.js';
import type { InformerOptions } from './informer-options.js';
import { decodeNode, sameNode, type NodeInfo } from './node-info.js';
import { InformerCache } from './informer-cache.js';

export class NodeCache extends InformerCache<NodeInfo> implements NodeLister {
  private nodes = new Map<string, NodeInfo>();
  private snapshot?: readonly NodeInfo[];

  constructor(opts: InformerOptions) {
    super(opts, { resource: 'nodes', path: '/api/v1/nodes', listAccept: 'application/json', watchAccept: 'application/json', decode: decodeNode });
  }

  get size(): number {
    return this.nodes.size;
  }

  /** All nodes; the same array until the cache changes. */
  list(): readonly NodeInfo[] {
    this.snapshot ??= Object.freeze([...this.nodes.values()]);
    return this.snapshot;
  }

  get(name: string): NodeInfo | undefined {
    return this.nodes.get(name);
  }

  replace(items: Map<string, NodeInfo>): void {
    let changed = items.size !== this.nodes.size;
    if (!changed) {
      for (const [k, v] of items) {
        const old = this.nodes.get(k);
        if (!old || !sameNode(old, v)) {
          changed = true;
          break;
        }
      }
    }
    this.nodes = items;
    if (changed) this.changed();
  }

  upsert(key: string, item: NodeInfo): void {
    const old = this.nodes.get(key);
    if (old && sameNode(old, item)) return;
    this.nodes.set(key, item);
    this.changed();
  }

  remove(key: string): void {
    if (this.nodes.delete(key)) this.changed();
  }

  private changed(): void {
    this.rev++;
    this.snapshot = undefined;
  }
}
