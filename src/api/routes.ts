// Routes of the metrics.k8s.io/v1beta1 API and its discovery documents. Only GET
// is routed (HEAD too on /apis, which GAS serves outside go-restful); other methods
// get 405, unknown paths under /apis a 404 Status, as GAS answers them.

import Router from '@koa/router';
import type { Context, Middleware } from 'koa';
import type { ApiObserver } from '../observers.js';
import { noopApiObserver } from '../observers.js';
import { encodeNegotiated, negotiate, respond, send, type Encoded, type Negotiated } from './codec/index.js';
import { apiGroup, apiGroupList, apiResourceList } from './discovery.js';
import { ListCache, patchAt, patchFor, patchMedia, TimestampTally } from './list-cache.js';
import { decodeListOptions, type ListOptions, type Query } from './list-options.js';
import { encodeRows } from './list-writer/index.js';
import type { MetricsRows } from './metrics-rows.js';
import { NodeMetricsStorage } from './node-metrics.js';
import { PodMetricsStorage } from './pod-metrics.js';
import type { LabelSelector } from './selectors/index.js';
import type { MetricsReader, NodeLister, PodLister } from './sources.js';
import { badRequest, methodNotAllowed, pathNotFound } from './status.js';
import { GROUP, GROUP_VERSION } from './types.js';
import { TimeSlicer } from '../util/time-slice.js';

export interface MetricsApiDeps {
  metrics: MetricsReader;
  nodes: NodeLister;
  pods: PodLister;
  /** From --node-selector, ANDed on node lists and gets. */
  nodeSelector?: LabelSelector;
  /** --secure-port, advertised in /apis serverAddressByClientCIDRs. */
  securePort: number;
  /** Clock in ms since the epoch; creationTimestamp and freshness use it. */
  now?: () => number;
  observer?: ApiObserver;
  /**
   * How long gathering or encoding a list runs before it lets other requests in
   * (default 10 ms): a list of 150k pods takes ~1 s in all.
   */
  listSliceMs?: number;
}

/** A list's rows, gathered a slice at a time where there are many. */
type ListBuild = (tally: TimestampTally, slicer: TimeSlicer) => MetricsRows | Promise<MetricsRows>;

/** A list as built for one request: its creationTimestamp's second, its bytes, its items' sample times. */
interface Built {
  second: number;
  enc: Encoded;
  tally: TimestampTally;
}

const VERSION_PATH = `/apis/${GROUP_VERSION}`;

/** Rejects methods the route does not serve with GAS's generic 405. */
function allow(ctx: Context, methods: readonly string[]): void {
  if (!methods.includes(ctx.method)) throw methodNotAllowed(undefined, {});
}

/**
 * A resource request: GET only, and like GAS's get/list handlers the output media
 * type is negotiated before anything else, so a bad Accept is 406 even when the
 * query is bad too. The result is what the response is encoded with.
 */
function resourceRequest(ctx: Context): Negotiated {
  allow(ctx, ['GET']);
  return negotiate(ctx, { resource: true });
}

/** A decoded path parameter; one holding "/" (sent as %2F) names no route in GAS. */
function segment(ctx: Context, key: string): string {
  const v = (ctx['params'] as Record<string, string>)[key] ?? '';
  if (v === '' || v.includes('/')) throw pathNotFound();
  return v;
}

/**
 * GetResource's one query check: ?export, parsed as apimachinery's
 * Convert_Slice_string_To_bool (true unless its first value is "0" or "false"), is refused.
 */
function rejectExport(ctx: Context): void {
  const v = ctx.query['export'];
  if (v === undefined) return;
  const first = (Array.isArray(v) ? v[0] : v) ?? '';
  if (first !== '0' && first.toLowerCase() !== 'false') throw badRequest('the export parameter, deprecated since v1.14, is no longer supported');
}

/** The route and its form with one trailing slash (go-restful trims it before matching). */
function withSlash(path: string): string[] {
  return [path, `${path}/`];
}

/** watch is routed to the list handler; metrics storages have no watcher. */
function listOptions(ctx: Context, resource: 'nodes' | 'pods'): ListOptions {
  const opts = decodeListOptions(ctx.query as Query);
  if (opts.watch) {
    throw methodNotAllowed(`watch is not supported on resources of kind "${resource}.${GROUP}"`, { group: GROUP, kind: resource });
  }
  return opts;
}

/** The metrics API as Koa middleware; requests outside /apis pass through. */
export function createMetricsApi(deps: MetricsApiDeps): Middleware {
  const now = deps.now ?? Date.now;
  const observer = deps.observer ?? noopApiObserver;
  const nodes = new NodeMetricsStorage({ metrics: deps.metrics, nodes: deps.nodes, nodeSelector: deps.nodeSelector, now, observer });
  const pods = new PodMetricsStorage({ metrics: deps.metrics, pods: deps.pods, now, observer });
  const GET = ['GET'];
  const revision = () => `${deps.metrics.revision}/${deps.nodes.revision}/${deps.pods.revision}`;
  const cache = new ListCache({ currentRevision: revision });
  const sliceMs = deps.listSliceMs ?? 10;

  /** Lists being built, by cache key: a request for one joins it instead of building its own. */
  const building = new Map<string, { rev: string; done: Promise<Built> }>();

  /** Gathers and encodes a list a time slice at a time, and caches it. */
  const buildList = async (ctx: Context, n: Negotiated, key: string, rev: string, build: ListBuild): Promise<Built> => {
    const slicer = new TimeSlicer(sliceMs);
    const tally = new TimestampTally();
    const rows = await build(tally, slicer);
    // The second the items' creationTimestamp holds (the storage read the clock itself).
    const second = Math.floor(rows.nowMs / 1000);
    const { enc, creationAt } = await encodeRows(ctx, rows, n, slicer);
    // Built from what the caches held when we started; a revision that moved meanwhile is caught on the next get.
    const media = patchMedia(n);
    if (enc.status === 200) {
      // Where a row writer wrote the body it says where the creationTimestamps are; otherwise they are searched for.
      const patch = creationAt && creationAt.length > 0 ? patchAt(media, second, creationAt) : await patchFor(enc, media, second, rows.rows.length, slicer);
      cache.set(key, rev, second, enc, patch, tally);
    }
    return { second, enc, tally };
  };

  /**
   * A list, encoded once per revision of the store and caches, path, query and
   * negotiated encoding (creationTimestamp is patched as seconds pass). While
   * one is being built, other requests are served between its time slices, and
   * requests for the same list wait for it.
   */
  const cachedList = async (ctx: Context, n: Negotiated, build: ListBuild): Promise<void> => {
    // One entry for a path with or without its trailing slash.
    const path = ctx.path.endsWith('/') ? ctx.path.slice(0, -1) : ctx.path;
    const key = `${path}?${ctx.querystring}|${n.key}`;
    const rev = revision();
    const nowMs = now();
    const hit = cache.get(key, rev, Math.floor(nowMs / 1000));
    if (hit) {
      hit.tally.replay(observer, nowMs);
      send(ctx, hit.enc);
      return;
    }
    const pending = building.get(key);
    if (pending?.rev === rev) {
      const b = await pending.done;
      const at = now();
      const second = Math.floor(at / 1000);
      // Its own second, or the cache's copy patched for this one; otherwise (not cacheable) our own build.
      const shared = b.second === second ? b : cache.get(key, rev, second);
      if (shared) {
        shared.tally.replay(observer, at);
        send(ctx, shared.enc);
        return;
      }
    }
    const done = buildList(ctx, n, key, rev, build);
    building.set(key, { rev, done });
    try {
      send(ctx, (await done).enc);
    } finally {
      if (building.get(key)?.done === done) building.delete(key);
    }
  };

  const router = new Router({ strict: true, sensitive: true });

  router.all(['/apis', '/apis/'], (ctx) => {
    allow(ctx, ['GET', 'HEAD']);
    respond(ctx, apiGroupList(deps.securePort), { discovery: true });
  });
  router.all([`/apis/${GROUP}`, `/apis/${GROUP}/`], (ctx) => {
    allow(ctx, GET);
    respond(ctx, apiGroup(), { discovery: true });
  });
  router.all([VERSION_PATH, `${VERSION_PATH}/`], (ctx) => {
    allow(ctx, GET);
    respond(ctx, apiResourceList(), { discovery: true });
  });

  router.all(withSlash(`${VERSION_PATH}/nodes`), async (ctx) => {
    const n = resourceRequest(ctx);
    const opts = listOptions(ctx, 'nodes');
    await cachedList(ctx, n, (tally) => nodes.rows(opts, tally));
  });
  router.all(withSlash(`${VERSION_PATH}/nodes/:name`), (ctx) => {
    const n = resourceRequest(ctx);
    rejectExport(ctx);
    send(ctx, encodeNegotiated(ctx, nodes.get(segment(ctx, 'name')), n));
  });
  router.all(withSlash(`${VERSION_PATH}/pods`), async (ctx) => {
    const n = resourceRequest(ctx);
    const opts = listOptions(ctx, 'pods');
    await cachedList(ctx, n, (tally, slicer) => pods.rows(undefined, opts, tally, slicer));
  });
  router.all(withSlash(`${VERSION_PATH}/namespaces/:namespace/pods`), async (ctx) => {
    const n = resourceRequest(ctx);
    const namespace = segment(ctx, 'namespace');
    const opts = listOptions(ctx, 'pods');
    await cachedList(ctx, n, (tally, slicer) => pods.rows(namespace, opts, tally, slicer));
  });
  router.all(withSlash(`${VERSION_PATH}/namespaces/:namespace/pods/:name`), (ctx) => {
    const n = resourceRequest(ctx);
    rejectExport(ctx);
    send(ctx, encodeNegotiated(ctx, pods.get(segment(ctx, 'namespace'), segment(ctx, 'name')), n));
  });

  const routes = router.routes() as unknown as Middleware;
  return async (ctx, next) => {
    if (ctx.path !== '/apis' && !ctx.path.startsWith('/apis/')) return next();
    await routes(ctx, async () => {
      // Nothing matched under /apis: GAS's NotFound Status, whatever the method.
      throw pathNotFound();
    });
  };
}
