// Routes of the metrics.k8s.io/v1beta1 API and its discovery documents. Only GET
// is routed (HEAD too on /apis, which GAS serves outside go-restful); other methods
// get 405, unknown paths under /apis a 404 Status, as GAS answers them.

import Router from '@koa/router';
import type { Context, Middleware } from 'koa';
import type { ApiObserver } from '../observers.js';
import { noopApiObserver } from '../observers.js';
import { encodeNegotiated, negotiate, respond, send, type Negotiated } from './codec/index.js';
import { apiGroup, apiGroupList, apiResourceList } from './discovery.js';
import { ListCache, patchFor, TimestampTally } from './list-cache.js';
import { decodeListOptions, type ListOptions, type Query } from './list-options.js';
import { encodeRows } from './list-writer/index.js';
import type { MetricsRows } from './metrics-rows.js';
import { NodeMetricsStorage } from './node-metrics.js';
import { PodMetricsStorage } from './pod-metrics.js';
import type { LabelSelector } from './selectors/index.js';
import type { MetricsReader, NodeLister, PodLister } from './sources.js';
import { methodNotAllowed, pathNotFound } from './status.js';
import { GROUP, GROUP_VERSION } from './types.js';

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
  const cache = new ListCache();
  const revision = () => `${deps.metrics.revision}/${deps.nodes.revision}/${deps.pods.revision}`;

  /**
   * A list, encoded once per revision of the store and caches, path, query and
   * negotiated encoding (creationTimestamp is patched as seconds pass).
   */
  const cachedList = (ctx: Context, n: Negotiated, build: (tally: TimestampTally) => MetricsRows): void => {
    const key = `${ctx.path}?${ctx.querystring}|${n.key}`;
    const rev = revision();
    const nowMs = now();
    const second = Math.floor(nowMs / 1000);
    const hit = cache.get(key, rev, second);
    if (hit) {
      hit.tally.replay(observer, nowMs);
      send(ctx, hit.enc);
      return;
    }
    const tally = new TimestampTally();
    const rows = build(tally);
    // The second the items' creationTimestamp holds (the storage read the clock itself).
    const built = Math.floor(rows.nowMs / 1000);
    const enc = encodeRows(ctx, rows, n);
    // Built from what the caches held when we started; a revision that moved meanwhile is caught on the next get.
    const media = n.transform || n.pretty ? undefined : n.serializer.name === 'json' ? 'json' : n.serializer.name === 'protobuf' ? 'protobuf' : undefined;
    if (enc.status === 200) cache.set(key, rev, built, enc, patchFor(enc, media, built, rows.rows.length), tally);
    send(ctx, enc);
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

  router.all(`${VERSION_PATH}/nodes`, (ctx) => {
    const n = resourceRequest(ctx);
    const opts = listOptions(ctx, 'nodes');
    cachedList(ctx, n, (tally) => nodes.rows(opts, tally));
  });
  router.all(`${VERSION_PATH}/nodes/:name`, (ctx) => {
    const n = resourceRequest(ctx);
    send(ctx, encodeNegotiated(ctx, nodes.get(segment(ctx, 'name')), n));
  });
  router.all(`${VERSION_PATH}/pods`, (ctx) => {
    const n = resourceRequest(ctx);
    const opts = listOptions(ctx, 'pods');
    cachedList(ctx, n, (tally) => pods.rows(undefined, opts, tally));
  });
  router.all(`${VERSION_PATH}/namespaces/:namespace/pods`, (ctx) => {
    const n = resourceRequest(ctx);
    const namespace = segment(ctx, 'namespace');
    const opts = listOptions(ctx, 'pods');
    cachedList(ctx, n, (tally) => pods.rows(namespace, opts, tally));
  });
  router.all(`${VERSION_PATH}/namespaces/:namespace/pods/:name`, (ctx) => {
    const n = resourceRequest(ctx);
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
