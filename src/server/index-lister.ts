// The generic API server's index: GET / lists the served paths; any other
// unmatched non-API path answers 404 with the same body (GAS IndexLister).

import type { Middleware } from 'koa';
import { encodeJson } from '../api/codec/json.js';

export const SERVED_PATHS: readonly string[] = [
  '/apis',
  '/apis/metrics.k8s.io',
  '/apis/metrics.k8s.io/v1beta1',
  '/healthz',
  '/livez',
  '/metrics',
  '/openapi/v2',
  '/openapi/v3',
  '/readyz',
  '/version',
];

export function indexMiddleware(paths: readonly string[] = SERVED_PATHS): Middleware {
  const body = encodeJson({ paths }, true);
  return async (ctx) => {
    ctx.status = ctx.path === '/' ? 200 : 404;
    ctx.type = 'application/json';
    ctx.body = body;
  };
}
