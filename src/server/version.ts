// GET /version: version.Info as the generic API server serves it.

import type { Middleware } from 'koa';
import { encodeJson } from '../api/codec/json.js';
import { VERSION } from '../options.js';

export function versionInfo(): Record<string, string> {
  const [major = '0', minor = '0'] = VERSION.split('.');
  return {
    major,
    minor,
    gitVersion: `v${VERSION}`,
    gitCommit: '',
    gitTreeState: '',
    buildDate: '',
    goVersion: '',
    compiler: 'tsc',
    platform: `${process.platform}/${process.arch}`,
  };
}

export function versionMiddleware(): Middleware {
  const body = encodeJson(versionInfo(), true);
  return async (ctx, next) => {
    if (ctx.path !== '/version' && ctx.path !== '/version/') return next();
    ctx.status = 200;
    ctx.type = 'application/json';
    ctx.body = body;
  };
}
