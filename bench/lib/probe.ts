// A latency probe: one keep-alive HTTPS connection sending a GET every few ms
// while something else runs, to see how long the server leaves requests waiting
// behind it (the slowest answer is about the longest the event loop was held).
import { Agent, request } from 'undici';

export interface ProbeResult {
  requests: number;
  p50Ms: number;
  maxMs: number;
}

export async function probeWhile<T>(url: string, opts: { headers?: Record<string, string>; tls?: object }, during: () => Promise<T>): Promise<{ value: T; probe: ProbeResult }> {
  const dispatcher = new Agent({ connections: 1, allowH2: false, connect: { ...opts.tls } });
  const get = async () => {
    const res = await request(url, { dispatcher, headers: opts.headers });
    await res.body.arrayBuffer();
    if (res.statusCode !== 200) throw new Error(`probe ${url}: HTTP ${res.statusCode}`);
  };
  try {
    await get(); // the connection and its handshake before the measured part
    const latencies: number[] = [];
    let running = true;
    const loop = (async () => {
      while (running) {
        const t = performance.now();
        await get();
        latencies.push(performance.now() - t);
        await new Promise((r) => setTimeout(r, 5));
      }
    })();
    await new Promise((r) => setTimeout(r, 100));
    let value: T;
    try {
      value = await during();
    } finally {
      running = false;
      await loop;
    }
    latencies.sort((a, b) => a - b);
    return { value, probe: { requests: latencies.length, p50Ms: latencies[latencies.length >> 1] ?? NaN, maxMs: latencies[latencies.length - 1] ?? NaN } };
  } finally {
    await dispatcher.close();
  }
}
