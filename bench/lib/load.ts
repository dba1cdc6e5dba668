// A closed-loop HTTPS load generator: N keep-alive HTTP/1.1 connections, or N
// streams on one HTTP/2 connection (h2: as the aggregator multiplexes), each
// issuing requests back to back for a fixed time; reports requests/s and
// latency percentiles.
import { Agent, request } from 'undici';

export interface LoadOptions {
  url: string;
  /** Requests in flight at once: one per HTTP/1.1 connection, or streams of one HTTP/2 connection. */
  connections: number;
  /** One HTTP/2 connection (ALPN h2) instead of HTTP/1.1 connections. */
  h2?: boolean;
  durationMs: number;
  headers?: Record<string, string>;
  tls?: { ca?: string; cert?: string; key?: string; rejectUnauthorized?: boolean };
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
}

export async function runLoad(opts: LoadOptions): Promise<LoadResult> {
  // undici offers h2 by ALPN unless told not to: the HTTP/1.1 figures must stay HTTP/1.1.
  const dispatcher = opts.h2
    ? new Agent({ connections: 1, allowH2: true, h2Options: { maxConcurrentStreams: opts.connections }, connect: { ...opts.tls } })
    : new Agent({ connections: opts.connections, pipelining: 1, allowH2: false, connect: { ...opts.tls } });
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
  await dispatcher.close();
  latencies.sort((a, b) => a - b);
  const pct = (p: number) => (latencies.length ? latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))]! : NaN);
  return { requests: latencies.length, errors, errorKinds, rps: (latencies.length / elapsed) * 1000, p50Ms: pct(0.5), p99Ms: pct(0.99), bytes };
}
