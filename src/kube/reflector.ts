// List + watch of one resource into a store, after client-go's Reflector:
// a paged list replaces the store atomically, a watch from the list's
// resourceVersion applies changes, a cleanly ended watch resumes from the last
// resourceVersion seen (events and bookmarks), and a 410 Gone (HTTP or an
// ERROR event) or a broken stream relists after a backoff.

import type { Logger } from '../log.js';
import { noopWatchObserver, type WatchObserver } from '../observers.js';
import { Backoff, DEFAULT_BACKOFF, type BackoffConfig } from './backoff.js';
import { ApiError, type Query, type RestClient } from './rest-client.js';

/** Where a reflector writes. replace() must swap the whole content at once. */
export interface ReflectorStore<T> {
  replace(items: Map<string, T>): void;
  upsert(key: string, item: T): void;
  remove(key: string): void;
}

export interface Decoded<T> {
  key: string;
  item: T;
}

/** An ADDED, MODIFIED, DELETED or BOOKMARK event, decoded. */
export interface WatchEvent<T> {
  type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK';
  /** The object's cached form; undefined for a malformed object (skipped and logged) and for bookmarks. */
  decoded: Decoded<T> | undefined;
  /** The object's metadata.resourceVersion; '' when it has none. */
  resourceVersion: string;
}

export interface ReflectorConfig<T> {
  client: RestClient;
  /** Resource name for logs and the WatchObserver ("nodes", "pods"). */
  resource: string;
  /** Collection path, e.g. /api/v1/nodes. */
  path: string;
  listAccept: string;
  watchAccept: string;
  fieldSelector?: string;
  /** Extracts the cached form of one object; undefined for a malformed object (skipped and logged). */
  decode(obj: unknown): Decoded<T> | undefined;
  /**
   * Optional: reads one watch line straight from its bytes, as JSON.parse and
   * decode() would; undefined leaves the line to them (errors, the unusual).
   */
  decodeEvent?(line: Buffer): WatchEvent<T> | undefined;
  store: ReflectorStore<T>;
  log: Logger;
  observer?: WatchObserver;
  backoff?: BackoffConfig;
  /** List page size (limit). */
  pageSize?: number;
  /** Server-side watch timeout in seconds; client-go picks 5–10 minutes at random. */
  watchTimeoutSec?: () => number;
}

type RelistCause = 'initial' | 'gone' | 'error';

class ShortWatchError extends Error {}

export class Reflector<T> {
  private readonly abort = new AbortController();
  private readonly backoff: Backoff;
  private readonly observer: WatchObserver;
  private running?: Promise<void>;
  private resourceVersion = '';
  private syncedFlag = false;
  private readonly syncWaiters: { resolve(): void; reject(e: Error): void }[] = [];

  constructor(private readonly cfg: ReflectorConfig<T>) {
    this.backoff = new Backoff(cfg.backoff ?? DEFAULT_BACKOFF);
    this.observer = cfg.observer ?? noopWatchObserver;
  }

  /** True once the first list has been stored. */
  get synced(): boolean {
    return this.syncedFlag;
  }

  /** The resourceVersion the next watch resumes from. */
  get lastResourceVersion(): string {
    return this.resourceVersion;
  }

  /** Resolves after the first successful list; rejects if stopped before. */
  waitForSync(): Promise<void> {
    if (this.syncedFlag) return Promise.resolve();
    if (this.abort.signal.aborted) return Promise.reject(new Error(`${this.cfg.resource} informer stopped`));
    return new Promise((resolve, reject) => this.syncWaiters.push({ resolve, reject }));
  }

  start(): void {
    this.running ??= this.run();
  }

  async stop(): Promise<void> {
    this.abort.abort();
    for (const w of this.syncWaiters.splice(0)) w.reject(new Error(`${this.cfg.resource} informer stopped`));
    await this.running;
  }

  private async run(): Promise<void> {
    const { log, resource } = this.cfg;
    let cause: RelistCause = 'initial';
    while (!this.abort.signal.aborted) {
      try {
        this.observer.relist(resource, cause);
        await this.list(cause);
        this.markSynced();
        for (;;) await this.watch();
      } catch (e) {
        if (this.abort.signal.aborted) return;
        if (e instanceof ApiError && e.isGone) {
          cause = 'gone';
          log.info({ resource, resourceVersion: this.resourceVersion }, 'watch expired (410 Gone), relisting');
        } else {
          cause = 'error';
          log.warn({ resource, err: errorMessage(e) }, 'list/watch failed, relisting after backoff');
        }
        await this.sleep(this.backoff.next());
      }
    }
  }

  private markSynced(): void {
    if (this.syncedFlag) return;
    this.syncedFlag = true;
    for (const w of this.syncWaiters.splice(0)) w.resolve();
  }

  /** Lists all pages into a fresh map, then replaces the store in one step. */
  private async list(cause: RelistCause): Promise<void> {
    // "0" lets the apiserver answer from its watch cache; after an error we ask for
    // data not older than what we have seen (no going back in time); after a 410
    // our version is gone, so read the latest.
    const rv = cause === 'initial' ? '0' : cause === 'gone' ? '' : this.resourceVersion;
    try {
      await this.listAt(rv);
    } catch (e) {
      if (!(e instanceof ApiError && e.isGone) || rv === '') throw e;
      await this.listAt('');
    }
  }

  private async listAt(rv: string): Promise<void> {
    const { client, path, decode, log, resource } = this.cfg;
    const items = new Map<string, T>();
    let cont: string | undefined;
    let listRv: string;
    let skipped = 0;
    do {
      const q: Query = { limit: String(this.cfg.pageSize ?? 500), fieldSelector: this.cfg.fieldSelector };
      if (cont) q.continue = cont;
      else if (rv !== '') {
        q.resourceVersion = rv;
        q.resourceVersionMatch = 'NotOlderThan';
      }
      const body = await client.getJson(path, q, { accept: this.cfg.listAccept, signal: this.abort.signal });
      const list = body as { items?: unknown; metadata?: { resourceVersion?: unknown; continue?: unknown } } | null;
      if (!list || typeof list !== 'object' || !Array.isArray(list.items)) throw new Error(`${resource} list: response has no items array`);
      for (const obj of list.items) {
        const d = decode(obj);
        if (d) items.set(d.key, d.item);
        else skipped++;
      }
      listRv = typeof list.metadata?.resourceVersion === 'string' ? list.metadata.resourceVersion : '';
      cont = typeof list.metadata?.continue === 'string' && list.metadata.continue !== '' ? list.metadata.continue : undefined;
    } while (cont);
    if (listRv === '') throw new Error(`${resource} list: response has no resourceVersion`);
    this.cfg.store.replace(items);
    this.resourceVersion = listRv;
    if (skipped) log.warn({ resource, skipped }, 'skipped malformed objects in list');
    log.debug({ resource, count: items.size, resourceVersion: listRv }, 'listed');
  }

  /** One watch request; returns when the server ends it cleanly, throws otherwise. */
  private async watch(): Promise<void> {
    const { client, path, resource } = this.cfg;
    const timeoutSec = this.cfg.watchTimeoutSec?.() ?? Math.floor(300 * (1 + Math.random()));
    const started = Date.now();
    const res = await client.get(
      path,
      {
        watch: 'true',
        allowWatchBookmarks: 'true',
        resourceVersion: this.resourceVersion,
        timeoutSeconds: String(timeoutSec),
        fieldSelector: this.cfg.fieldSelector,
      },
      // The server sends bookmarks about every minute; silence beyond the watch timeout means a dead peer.
      { accept: this.cfg.watchAccept, signal: this.abort.signal, bodyTimeoutMs: (timeoutSec + 60) * 1000 },
    );
    this.observer.watchOpened(resource);
    let events = 0;
    try {
      let pending: Buffer[] = [];
      for await (const chunk of res.body as AsyncIterable<Buffer>) {
        let from = 0;
        for (let nl = chunk.indexOf(10); nl !== -1; nl = chunk.indexOf(10, from)) {
          let line = chunk.subarray(from, nl);
          if (pending.length > 0) {
            pending.push(line);
            line = Buffer.concat(pending);
            pending = [];
          }
          from = nl + 1;
          if (this.handleLine(line)) events++;
        }
        if (from < chunk.length) pending.push(chunk.subarray(from));
      }
      if (pending.some((b) => b.toString('utf8').trim() !== '')) throw new Error(`${resource} watch: stream ended inside an event`);
    } finally {
      // Destroying an unfinished body emits an abort error; it is expected here.
      res.body.on('error', () => {});
      res.body.destroy();
      this.observer.watchClosed(resource);
    }
    if (events === 0 && Date.now() - started < 1000) throw new ShortWatchError(`${resource} watch: closed immediately without events`);
  }

  /** Applies one line of the watch stream; false for a blank line. */
  private handleLine(line: Buffer): boolean {
    const fast = this.cfg.decodeEvent?.(line);
    if (fast) {
      this.apply(fast);
      return true;
    }
    const text = line.toString('utf8');
    if (text.trim() === '') return false;
    this.apply(this.parseEvent(text));
    return true;
  }

  private apply(ev: WatchEvent<T>): void {
    const { store, resource } = this.cfg;
    const d = ev.decoded;
    if (ev.type !== 'BOOKMARK') {
      if (!d) this.cfg.log.warn({ resource, type: ev.type }, 'skipped malformed object in watch event');
      else if (ev.type === 'DELETED') store.remove(d.key);
      else store.upsert(d.key, d.item);
    }
    if (ev.resourceVersion !== '') this.resourceVersion = ev.resourceVersion;
  }

  /** One event through JSON.parse and decode(); throws for ERROR events and what is not an event. */
  private parseEvent(line: string): WatchEvent<T> {
    const { decode, resource } = this.cfg;
    let ev: { type?: unknown; object?: unknown };
    try {
      ev = JSON.parse(line) as typeof ev;
    } catch {
      throw new Error(`${resource} watch: malformed event`);
    }
    const obj = ev?.object as { metadata?: { resourceVersion?: unknown }; code?: unknown; reason?: unknown; message?: unknown } | undefined;
    switch (ev?.type) {
      case 'ADDED':
      case 'MODIFIED':
      case 'DELETED':
        return { type: ev.type, decoded: decode(obj), resourceVersion: versionOf(obj) };
      case 'BOOKMARK':
        return { type: 'BOOKMARK', decoded: undefined, resourceVersion: versionOf(obj) };
      case 'ERROR': {
        const code = typeof obj?.code === 'number' ? obj.code : 500;
        const reason = typeof obj?.reason === 'string' ? obj.reason : undefined;
        const message = typeof obj?.message === 'string' ? obj.message : 'watch error event';
        throw new ApiError(code, reason, `${resource} watch: ${message}`);
      }
      default:
        throw new Error(`${resource} watch: unknown event type ${JSON.stringify(ev?.type)}`);
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const signal = this.abort.signal;
      if (signal.aborted) return resolve();
      const done = () => {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      signal.addEventListener('abort', done);
    });
  }
}

function versionOf(obj: { metadata?: { resourceVersion?: unknown } } | undefined): string {
  const rv = obj?.metadata?.resourceVersion;
  return typeof rv === 'string' ? rv : '';
}

function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
