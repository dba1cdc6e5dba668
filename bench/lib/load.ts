// A closed-loop HTTPS load generator: N keep-alive HTTP/1.1 connections, or N
// streams on one HTTP/2 connection (h2: as the aggregator multiplexes), each
// issuing requests back to back for a fixed time; reports requests/s and
// latency percentiles.
import { Agent, request, type Dispatcher } from 'undici';

export interface LoadOptions {
  url: string;
  /** Requests in flight at once: one per HTTP/1.1 connection, or streams of one HTTP/2 connection. */
  connections: number;
  /** One HTTP/2 connection (ALPN h2) instead of HTTP/1.1 connections. */
  h2?: boolean;
  durationMs: number;
  headers?: Record<string, string>;
  tls?: { ca?: string; cert?: string; key?: string; rejectUnauthorized?: boolean };
  /** Connections kept from an earlier run (loadDispatcher); left open afterwards. */
  dispatcher?: Dispatcher;
}

export interface LoadResult {
  requests: number;
  errors: number;
  rps: number;
  p50Ms: number;
  p99Ms: number;
  bytes: number;
  /** Error kinds (HTTP status or error code) and how often. */
  errorKinds: Record<string, number>;
  elapsedMs: number;
  /** Every request's latency, sorted (for merging runs). */
  latenciesMs: number[];
}

/** The connections a run uses: N HTTP/1.1 connections, or one HTTP/2 connection for N streams. */
export function loadDispatcher(opts: Pick<LoadOptions, 'connections' | 'h2' | 'tls'>): Dispatcher {
  // undici offers h2 by ALPN unless told not to: the HTTP/1.1 figures must stay HTTP/1.1.
  return opts.h2
    ? new Agent({ connections: 1, allowH2: true, h2Options: { maxConcurrentStreams: opts.connections }, connect: { ...opts.tls } })
    : new Agent({ connections: opts.connections, pipelining: 1, allowH2: false, connect: { ...opts.tls } });
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]! : NaN;
}

/** Several runs against one target as one: requests over the time of them all, percentiles over every request. */
export function mergeLoads(runs: readonly LoadResult[]): LoadResult {
  const latenciesMs = runs.flatMap((r) => r.latenciesMs).sort((a, b) => a - b);
  const errorKinds: Record<string, number> = {};
  for (const r of runs) for (const [k, n] of Object.entries(r.errorKinds)) errorKinds[k] = (errorKinds[k] ?? 0) + n;
  const sum = (f: (r: LoadResult) => number) => runs.reduce((a, r) => a + f(r), 0);
  const elapsedMs = sum((r) => r.elapsedMs);
  const requests = sum((r) => r.requests);
  return { requests, errors: sum((r) => r.errors), errorKinds, rps: (requests / elapsedMs) * 1000, p50Ms: percentile(latenciesMs, 0.5), p99Ms: percentile(latenciesMs, 0.99), bytes: sum((r) => r.bytes), elapsedMs, latenciesMs };
}

export async function runLoad(opts: LoadOptions): Promise<LoadResult> {
  const dispatcher = opts.dispatcher ?? loadDispatcher(opts);
  const latencies: number[] = [];
  let errors = 0;
  let bytes = 0;
  const errorKinds: Record<string, number> = {};
  const fail = (kind: string) => {
    errors++;
    errorKinds[kind] = (errorKinds[kind] ?? 0) + 1;
  };
  const deadline = performance.now() + opts.durationMs;
  const worker = async () => {
    while (performance.now() < deadline) {
      const start = performance.now();
      try {
        const res = await request(opts.url, { dispatcher, headers: opts.headers });
        const body = await res.body.arrayBuffer();
        if (res.statusCode !== 200) fail(`HTTP ${res.statusCode}`);
        bytes += body.byteLength;
        latencies.push(performance.now() - start);
      } catch (e) {
        fail((e as { code?: string }).code ?? (e as Error).message);
      }
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: opts.connections }, worker));
  const elapsed = performance.now() - started;
  if (!opts.dispatcher) await dispatcher.close();
  latencies.sort((a, b) => a - b);
  return { requests: latencies.length, errors, errorKinds, rps: (latencies.length / elapsed) * 1000, p50Ms: percentile(latencies, 0.5), p99Ms: percentile(latencies, 0.99), bytes, elapsedMs: elapsed, latenciesMs: latencies };
}
