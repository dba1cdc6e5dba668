// list / get / watch of nodes, pods and configmaps on the stand-in apiserver,
// with label and field selectors, resourceVersions, bookmarks and the
// PartialObjectMetadata and Table forms.

import type { IncomingMessage, ServerResponse } from 'node:http';
import type { SimNode, SimPod } from './model.js';
import { negotiate, type Negotiated } from './negotiate.js';
import { NODE_COLUMNS, NODE_FIELDS, POD_COLUMNS, POD_FIELDS, nodeCells, podCells, toPartial, type Json } from './objects.js';
import { ExpiredError, type Entry, type Kind, type ResourceStore } from './resource-store.js';
import { SelectorError, parseFieldSelector, parseLabelSelector } from '../api/selectors/index.js';
import { sendJson, sendStatus } from './http-util.js';

const KINDS: Record<Kind, { kind: string; fields: readonly string[] }> = {
  nodes: { kind: 'Node', fields: NODE_FIELDS },
  pods: { kind: 'Pod', fields: POD_FIELDS },
  configmaps: { kind: 'ConfigMap', fields: ['metadata.name', 'metadata.namespace'] },
};

export interface ResourceRequest {
  kind: Kind;
  namespace?: string;
  name?: string;
  url: URL;
}

export class ResourceHandler {
  private readonly openWatches = new Set<ServerResponse>();
  private readonly snapshots = new Map<string, Entry[]>();

  constructor(
    private readonly store: ResourceStore,
    private readonly bookmarkIntervalMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  handle(req: IncomingMessage, res: ServerResponse, r: ResourceRequest): void {
    const q = r.url.searchParams;
    const watch = q.get('watch') === 'true' || q.get('watch') === '1';
    const isList = !r.name;
    const neg = negotiate(req.headers.accept, watch ? ['json', 'partial'] : ['json', 'partial', 'table'], isList && !watch);
    // A metadata-only watch may ask with either PartialObjectMetadata form.
    const negWatch = watch && !neg ? negotiate(req.headers.accept, ['json', 'partial'], true) : neg;
    if (!negWatch) {
      sendStatus(res, 406, 'NotAcceptable', `only the following media types are accepted: application/json, application/json;as=Table;v=v1;g=meta.k8s.io, application/json;as=PartialObjectMetadata;v=v1;g=meta.k8s.io`);
      return;
    }
    let matches: (e: Entry) => boolean;
    try {
      // The project's own selector grammar; the apiserver supports a fixed field set per kind.
      const ls = parseLabelSelector(q.get('labelSelector') ?? '');
      const fs = parseFieldSelector(q.get('fieldSelector') ?? '');
      const supported = KINDS[r.kind].fields;
      for (const req of fs.requirements) {
        if (!supported.includes(req.field)) throw new SelectorError(`field label not supported: ${req.field}`);
      }
      matches = (e) => ls.matches(e.labels) && fs.matches(e.fields);
    } catch (e) {
      if (e instanceof SelectorError) {
        sendStatus(res, 400, 'BadRequest', e.message);
        return;
      }
      throw e;
    }
    if (watch) {
      this.watch(res, r, negWatch, matches);
      return;
    }
    if (r.name) {
      const e = this.store.get(r.kind, r.namespace, r.name);
      if (!e) {
        sendStatus(res, 404, 'NotFound', `${r.kind} "${r.name}" not found`, { name: r.name, kind: r.kind });
        return;
      }
      if (negWatch.want === 'table') sendJson(res, 200, this.table(r.kind, [e], q.get('includeObject')), negWatch.contentType);
      else sendJson(res, 200, negWatch.want === 'partial' ? toPartial(e.render()) : e.render(), negWatch.contentType);
      return;
    }
    const rvParam = q.get('resourceVersion');
    if (q.get('resourceVersionMatch') === 'Exact' && rvParam && Number(rvParam) !== this.store.rv) {
      // Only the current state is kept: an exact older list is gone, as after compaction.
      sendStatus(res, 410, 'Expired', `The resourceVersion for the provided list is too old.`);
      return;
    }
    const page = this.paginate(res, q, (rv) => this.snapshot(r, q, rv, matches));
    if (!page) return;
    const items = page.items;
    const meta: Json = { resourceVersion: String(page.rv), ...(page.continue ? { continue: page.continue, remainingItemCount: page.remaining } : {}) };
    if (negWatch.want === 'table') sendJson(res, 200, { ...this.table(r.kind, items, q.get('includeObject')), metadata: meta }, negWatch.contentType);
    else if (negWatch.want === 'partial') {
      sendJson(res, 200, { kind: 'PartialObjectMetadataList', apiVersion: 'meta.k8s.io/v1', metadata: meta, items: items.map((e) => toPartial(e.render())) }, negWatch.contentType);
    } else {
      const list = items.map((e) => {
        const { kind: _k, apiVersion: _a, ...rest } = e.render();
        return rest;
      });
      sendJson(res, 200, { kind: `${KINDS[r.kind].kind}List`, apiVersion: 'v1', metadata: meta, items: list });
    }
  }

  /**
   * limit/continue paging. The token carries the list's resourceVersion and an
   * offset into the (insertion-ordered) list; a token older than the watch
   * history is 410 Expired, as a compacted etcd revision. Pages come from a
   * snapshot of the first page's list while it is cached (the last four paged
   * lists); after that they are cut from the current state.
   */
  private paginate(res: ServerResponse, q: URLSearchParams, list: (rv: number) => Entry[]): { items: Entry[]; rv: number; continue?: string; remaining?: number } | undefined {
    const limitText = q.get('limit');
    const limit = limitText === null || limitText === '' ? 0 : Number(limitText);
    if (!Number.isSafeInteger(limit) || limit < 0) {
      sendStatus(res, 400, 'BadRequest', `limit: Invalid value: "${limitText}": must be a non-negative integer`);
      return undefined;
    }
    let start = 0;
    let rv = this.store.rv;
    const token = q.get('continue');
    if (token) {
      let parsed: { rv?: unknown; start?: unknown };
      try {
        parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as typeof parsed;
      } catch {
        parsed = {};
      }
      if (!Number.isSafeInteger(parsed.rv) || !Number.isSafeInteger(parsed.start) || (parsed.start as number) < 0) {
        sendStatus(res, 400, 'BadRequest', 'continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)');
        return undefined;
      }
      if (!this.store.retains(parsed.rv as number)) {
        sendStatus(res, 410, 'Expired', 'The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter.');
        return undefined;
      }
      start = parsed.start as number;
      rv = parsed.rv as number;
    }
    const all = list(rv);
    if (limit === 0) return { items: all.slice(start), rv };
    const items = all.slice(start, start + limit);
    const next = start + items.length;
    if (next >= all.length) return { items, rv };
    return { items, rv, continue: Buffer.from(JSON.stringify({ rv, start: next })).toString('base64url'), remaining: all.length - next };
  }

  /**
   * The filtered list a paged request reads from. Later pages of the same list
   * (same selectors, same resourceVersion in the continue token) reuse it, so
   * paging 150,000 pods costs one pass, and pages are consistent as etcd's are.
   */
  private snapshot(r: ResourceRequest, q: URLSearchParams, rv: number, matches: (e: Entry) => boolean): Entry[] {
    const key = [r.kind, r.namespace ?? '', q.get('labelSelector') ?? '', q.get('fieldSelector') ?? '', rv].join('\u0000');
    const cached = this.snapshots.get(key);
    if (cached) return cached;
    const items = this.store.list(r.kind, r.namespace).filter(matches);
    // Only lists that continue are worth keeping; a handful at a time.
    const limit = Number(q.get('limit') ?? '0');
    if (limit > 0 && items.length > limit) {
      this.snapshots.set(key, items);
      if (this.snapshots.size > 4) this.snapshots.delete(this.snapshots.keys().next().value!);
    }
    return items;
  }

  private table(kind: Kind, entries: Entry[], includeObject: string | null): Json {
    const now = this.now();
    const columns = kind === 'nodes' ? NODE_COLUMNS : kind === 'pods' ? POD_COLUMNS : [
      { name: 'Name', type: 'string', format: 'name', description: 'Name must be unique within a namespace.', priority: 0 },
      { name: 'Data', type: 'string', format: '', description: 'Number of data entries', priority: 0 },
    ];
    const rows = entries.map((e) => {
      const obj = e.render();
      const cells =
        kind === 'nodes' ? nodeCells(e.source as SimNode, now) : kind === 'pods' ? podCells(e.source as SimPod, now) : [e.name, String(Object.keys((obj.data as Json) ?? {}).length)];
      const row: Json = { cells };
      if (includeObject !== 'None') row.object = includeObject === 'Object' ? obj : toPartial(obj);
      return row;
    });
    return { kind: 'Table', apiVersion: 'meta.k8s.io/v1', metadata: { resourceVersion: String(this.store.rv) }, columnDefinitions: columns, rows };
  }

  private watch(res: ServerResponse, r: ResourceRequest, neg: Negotiated, matches: (e: Entry) => boolean): void {
    const q = r.url.searchParams;
    const partial = neg.want === 'partial';
    const bookmarks = q.get('allowWatchBookmarks') === 'true';
    const initialEvents = q.get('sendInitialEvents') === 'true';
    const rvParam = q.get('resourceVersion');
    let fromRv: number | undefined;
    if (!initialEvents && rvParam && rvParam !== '0') {
      fromRv = Number(rvParam);
      if (!Number.isSafeInteger(fromRv) || fromRv < 0) {
        sendStatus(res, 400, 'BadRequest', `resourceVersion: Invalid value: "${rvParam}": must be a non-negative integer`);
        return;
      }
    }
    res.writeHead(200, { 'content-type': partial ? 'application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1' : 'application/json', 'cache-control': 'no-cache, private' });
    // Headers go out at once, as kube-apiserver's watch does, even before the first event.
    res.flushHeaders();
    const write = (type: string, object: Json): void => {
      // After end() (timeout, shutdown) and before 'close', a timer or store event must not write.
      if (res.writableEnded) return;
      res.write(JSON.stringify({ type, object }) + '\n');
    };
    const bookmark = (annotations?: Record<string, string>): void => {
      const head = partial ? { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1' } : { kind: KINDS[r.kind].kind, apiVersion: 'v1' };
      write('BOOKMARK', { ...head, metadata: { resourceVersion: String(this.store.rv), ...(annotations ? { annotations } : {}) } });
    };
    let unsubscribe: (() => void) | undefined;
    try {
      unsubscribe = this.store.watch(
        {
          kind: r.kind,
          ...(r.namespace !== undefined ? { namespace: r.namespace } : {}),
          matches: (labels, fields, namespace, name) => matches({ labels, fields, namespace, name, rv: 0, render: () => ({}) }),
          send: (type, object) => write(type, partial ? toPartial(object) : object),
        },
        fromRv,
      );
    } catch (e) {
      if (e instanceof ExpiredError) {
        write('ERROR', { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: e.message, reason: 'Expired', code: 410 });
        res.end();
        return;
      }
      throw e;
    }
    if (initialEvents && bookmarks) bookmark({ 'k8s.io/initial-events-end': 'true' });
    this.openWatches.add(res);
    const timers: NodeJS.Timeout[] = [];
    const finish = (): void => {
      unsubscribe?.();
      unsubscribe = undefined;
      for (const t of timers) clearTimeout(t);
      this.openWatches.delete(res);
    };
    if (bookmarks) timers.push(setInterval(() => bookmark(), this.bookmarkIntervalMs));
    const timeout = Number(q.get('timeoutSeconds') ?? '0');
    if (timeout > 0) {
      timers.push(
        setTimeout(() => {
          finish();
          res.end();
        }, timeout * 1000),
      );
    }
    res.on('close', finish);
  }

  /** Ends every open watch (server shutdown). */
  closeWatches(): void {
    for (const res of this.openWatches) res.end();
    this.openWatches.clear();
  }
}
