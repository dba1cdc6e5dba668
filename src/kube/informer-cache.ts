// A cache fed by a Reflector (list + watch): start/stop, synced state and the
// revision counter every informer cache shares. Subclasses keep the items.

import type { InformerOptions } from './informer-options.js';
import { Reflector, type ReflectorConfig, type ReflectorStore } from './reflector.js';

export type ResourceConfig<T> = Omit<ReflectorConfig<T>, keyof InformerOptions | 'store'>;

export abstract class InformerCache<T> implements ReflectorStore<T> {
  private readonly reflector: Reflector<T>;
  protected rev = 0;

  protected constructor(opts: InformerOptions, resource: ResourceConfig<T>) {
    this.reflector = new Reflector<T>({ ...opts, ...resource, store: this });
  }

  start(): void {
    this.reflector.start();
  }

  stop(): Promise<void> {
    return this.reflector.stop();
  }

  get synced(): boolean {
    return this.reflector.synced;
  }

  waitForSync(): Promise<void> {
    return this.reflector.waitForSync();
  }

  /** Changes whenever the cached items change. */
  get revision(): number {
    return this.rev;
  }

  abstract replace(items: Map<string, T>): void;
  abstract upsert(key: string, item: T): void;
  abstract remove(key: string): void;
}
