// /healthz, /livez and /readyz with named checks, in the generic API server's
// formats (k8s.io/apiserver pkg/server/healthz), so existing probes and scripts
// read our answers as they read upstream's. Bodies are text/plain and go out
// through the codec's send(), the one place response bodies are written.

import type { Context, Middleware } from 'koa';
import { send } from '../api/codec/index.js';
import type { Logger } from '../log.js';

/** A named check: returns when healthy, throws an Error whose message is the reason. */
export interface HealthCheck {
  readonly name: string;
  check(): void | Promise<void>;
}

export type HealthEndpoint = 'healthz' | 'livez' | 'readyz';

export type HealthEndpoints = Partial<Record<HealthEndpoint, readonly HealthCheck[]>>;

export interface HealthOptions {
  /** Failure details (withheld from the response body) are logged here. */
  log?: Logger;
}

const ENDPOINTS: readonly HealthEndpoint[] = ['healthz', 'livez', 'readyz'];

/** The generic API server answers ping alone when an endpoint has no checks. */
const PING: HealthCheck = { name: 'ping', check() {} };

/** What Go's http.Error and the healthz handler send: text/plain, nosniff. */
function sendText(ctx: Context, status: number, text: string): void {
  send(ctx, { status, contentType: 'text/plain; charset=utf-8', body: Buffer.from(text), headers: { 'X-Content-Type-Options': 'nosniff' } });
}

function reasonOf(e: unknown): string {
  if (e instanceof Error) return e.message;
  return String(e);
}

async function runCheck(check: HealthCheck): Promise<string | undefined> {
  try {
    await check.check();
    return undefined;
  } catch (e) {
    return reasonOf(e);
  }
}

/** Go's %q for the plain names health checks use (quotes and backslashes escaped). */
function quoted(names: readonly string[]): string {
  return names.map((n) => JSON.stringify(n)).join(',');
}

/** One endpoint's listing: every check, exclusions honoured, in registration order. */
async function rootHealth(endpoint: HealthEndpoint, checks: readonly HealthCheck[], ctx: Context, log?: Logger): Promise<void> {
  const excludeParam = ctx.query['exclude'];
  const excluded = new Set(excludeParam === undefined ? [] : Array.isArray(excludeParam) ? excludeParam : [excludeParam]);
  let listing = '';
  const failed: string[] = [];
  const failedDetail: string[] = [];
  for (const check of checks) {
    if (excluded.delete(check.name)) {
      listing += `[+]${check.name} excluded: ok\n`;
      continue;
    }
    const reason = await runCheck(check);
    if (reason === undefined) {
      listing += `[+]${check.name} ok\n`;
    } else {
      // The body is public on these paths: the reason goes to the log only.
      listing += `[-]${check.name} failed: reason withheld\n`;
      failed.push(check.name);
      failedDetail.push(`[-]${check.name} failed: ${reason}`);
    }
  }
  if (excluded.size > 0) {
    const unknown = [...excluded].sort();
    listing += `warn: some health checks cannot be excluded: no matches for ${quoted(unknown)}\n`;
    log?.warn(`cannot exclude some health checks, no health checks are installed matching ${quoted(unknown)}`);
  }
  if (failed.length > 0) {
    log?.trace({ endpoint, checks: failed, reasons: failedDetail }, `${failed.join(',')} check failed: ${endpoint}`);
    // Always verbose on failure, as http.Error does: listing, closing line, newline.
    sendText(ctx, 500, `${listing}${endpoint} check failed\n`);
    return;
  }
  sendText(ctx, 200, ctx.query['verbose'] === undefined ? 'ok' : `${listing}${endpoint} check passed\n`);
}

/** A single check on /<endpoint>/<name>: the real error is shown (this path needs authorization). */
async function singleHealth(check: HealthCheck, ctx: Context): Promise<void> {
  const reason = await runCheck(check);
  if (reason === undefined) sendText(ctx, 200, 'ok');
  else sendText(ctx, 500, `internal server error: ${reason}\n`);
}

/**
 * Koa middleware serving /healthz, /livez, /readyz and their /<name> sub-paths.
 * Other paths (and unknown check names) fall through to next().
 * Authorization runs before this middleware; it is not bypassed here.
 */
export function healthMiddleware(endpoints: HealthEndpoints, opts: HealthOptions = {}): Middleware {
  const roots = new Map<string, { endpoint: HealthEndpoint; checks: readonly HealthCheck[] }>();
  const singles = new Map<string, HealthCheck>();
  for (const endpoint of ENDPOINTS) {
    const given = endpoints[endpoint];
    if (given === undefined) continue;
    const checks = given.length === 0 ? [PING] : [...given];
    const names = new Set<string>();
    for (const c of checks) {
      if (c.name === '' || names.has(c.name)) throw new Error(`health check names on /${endpoint} must be unique and non-empty: ${JSON.stringify(c.name)}`);
      names.add(c.name);
      singles.set(`/${endpoint}/${c.name}`, c);
    }
    roots.set(`/${endpoint}`, { endpoint, checks });
  }
  return async (ctx, next) => {
    const root = roots.get(ctx.path);
    if (root) return rootHealth(root.endpoint, root.checks, ctx, opts.log);
    const single = singles.get(ctx.path);
    if (single) return singleHealth(single, ctx);
    return next();
  };
}
