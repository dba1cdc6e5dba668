// HTTPS requests against the simulated apiserver and kubelets in tests.
import https from 'node:https';
import type { IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http';
import type { SimCluster, SimUser } from '../../src/sim/cluster.js';

export interface SimResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
  /** The body's bytes as received (body is them as UTF-8). */
  bytes: Buffer;
  json<T = Record<string, unknown>>(): T;
}

export interface SimRequestOptions {
  /** Who calls: a cluster user, a raw bearer token, or nobody. */
  as?: SimUser | 'anonymous' | { token: string } | { cert: string; key: string };
  method?: string;
  accept?: string;
  headers?: OutgoingHttpHeaders;
  body?: unknown;
  timeoutMs?: number;
}

function credentials(c: SimCluster, as: SimRequestOptions['as']): { headers: OutgoingHttpHeaders; cert?: string; key?: string } {
  if (as === undefined || as === 'admin') return { headers: {}, cert: c.pki.adminClient.cert, key: c.pki.adminClient.key };
  if (as === 'anonymous') return { headers: {} };
  if (as === 'viewer') return { headers: { authorization: `Bearer ${c.pki.tokens.viewer}` } };
  if (as === 'metrics-server') return { headers: { authorization: `Bearer ${c.pki.tokens.metricsServer}` } };
  if ('token' in as) return { headers: { authorization: `Bearer ${as.token}` } };
  return { headers: {}, cert: as.cert, key: as.key };
}

/** One request to base (apiserver or kubelet URL) + path; the cluster CA verifies the server. */
export function simRequest(c: SimCluster, base: string, path: string, opts: SimRequestOptions = {}): Promise<SimResponse> {
  const u = new URL(path, base);
  const cred = credentials(c, opts.as);
  const body = opts.body === undefined ? undefined : typeof opts.body === 'string' ? opts.body : JSON.stringify(opts.body);
  return new Promise((resolve, reject) => {
    const req = https.request(
      {
        host: u.hostname,
        port: u.port,
        path: u.pathname + u.search,
        method: opts.method ?? (body === undefined ? 'GET' : 'POST'),
        ca: c.pki.clusterCa.cert,
        ...(cred.cert ? { cert: cred.cert, key: cred.key } : {}),
        agent: false,
        headers: {
          ...cred.headers,
          ...(opts.accept ? { accept: opts.accept } : {}),
          ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
          ...opts.headers,
        },
        timeout: opts.timeoutMs ?? 10_000,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (d: Buffer) => chunks.push(d));
        res.on('end', () => {
          const bytes = Buffer.concat(chunks);
          const text = bytes.toString('utf8');
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text, bytes, json: <T>() => JSON.parse(text) as T });
        });
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error('request timed out')));
    req.on('error', reject);
    req.end(body);
  });
}

export interface WatchEvent {
  type: string;
  object: Record<string, unknown> & { metadata?: Record<string, unknown> };
}

/** Opens a watch; events arrive in .events; close() ends it. */
export function simWatch(c: SimCluster, path: string, opts: SimRequestOptions = {}): Promise<{ status: number; events: WatchEvent[]; waitFor(n: number, ms?: number): Promise<WatchEvent[]>; ended: Promise<void>; close(): void }> {
  const u = new URL(path, c.url);
  const cred = credentials(c, opts.as);
  return new Promise((resolve, reject) => {
    const req = https.request(
      {
        host: u.hostname,
        port: u.port,
        path: u.pathname + u.search,
        ca: c.pki.clusterCa.cert,
        ...(cred.cert ? { cert: cred.cert, key: cred.key } : {}),
        agent: false,
        headers: { ...cred.headers, ...(opts.accept ? { accept: opts.accept } : {}) },
      },
      (res) => {
        const events: WatchEvent[] = [];
        let buf = '';
        const waiters: (() => void)[] = [];
        const ended = new Promise<void>((r) => res.on('close', () => r()));
        res.on('data', (d: Buffer) => {
          buf += d.toString('utf8');
          let i: number;
          while ((i = buf.indexOf('\n')) >= 0) {
            const line = buf.slice(0, i);
            buf = buf.slice(i + 1);
            if (line.trim()) events.push(JSON.parse(line) as WatchEvent);
          }
          for (const w of waiters.splice(0)) w();
        });
        res.on('error', () => {});
        const waitFor = (n: number, ms = 5000): Promise<WatchEvent[]> =>
          new Promise((res2, rej2) => {
            const deadline = setTimeout(() => rej2(new Error(`timed out waiting for ${n} events, have ${events.length}: ${JSON.stringify(events.map((e) => e.type))}`)), ms);
            const check = (): void => {
              if (events.length >= n) {
                clearTimeout(deadline);
                res2(events.slice(0, n));
              } else waiters.push(check);
            };
            check();
          });
        resolve({ status: res.statusCode ?? 0, events, waitFor, ended, close: () => req.destroy() });
      },
    );
    req.on('error', (e) => {
      if ((e as NodeJS.ErrnoException).code !== 'ECONNRESET') reject(e);
    });
    req.end();
  });
}
