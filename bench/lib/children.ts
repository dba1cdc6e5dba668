// Child processes of a benchmark run: the simulated cluster, the bare baseline
// server and the metrics server under test. Each stops by itself when the
// benchmark process goes away (IPC disconnect) or is killed by stop().
import { fork, spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { SERVER_NODE_FLAGS } from '../../src/node-flags.js';
import { cpuSeconds } from './proc.js';
import type { SimReady, SimReply, SimRequest } from './sim-child.js';
import type { BareScraperStart, BareScraperTick } from './bare-scraper-child.js';

const here = (f: string) => fileURLToPath(new URL(f, import.meta.url));

// Whatever happens to the benchmark, its children go with it.
const live = new Set<ChildProcess>();
process.on('exit', () => {
  for (const c of live) c.kill('SIGKILL');
});
// A signal would end the process without 'exit' handlers: turn it into an exit.
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.once(sig, () => process.exit(130));
function track(child: ChildProcess): ChildProcess {
  live.add(child);
  child.once('exit', () => live.delete(child));
  return child;
}

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    p.finally(() => clearTimeout(timer)),
    new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms))),
  ]);
}

function stopChild(child: ChildProcess, graceMs = 5_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

export interface SimProcess {
  readonly info: SimReady;
  readonly pid: number;
  churn(timeoutMs: number): Promise<{ replaced: number; ms: number }>;
  cpuSeconds(): number;
  stop(): Promise<void>;
}

export async function startSimProcess(nodes: number, podsPerNode: number, containersPerPod: number, dir: string): Promise<SimProcess> {
  const child = track(fork(here('./sim-child.js'), [String(nodes), String(podsPerNode), String(containersPerPod), dir], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] }));
  let seq = 0;
  const waiters = new Map<number, (m: SimReply) => void>();
  let onReady: ((m: SimReady) => void) | undefined;
  child.on('message', (m: SimReply) => {
    if (m.type === 'ready') onReady?.(m);
    else waiters.get(m.id)?.(m);
  });
  const exited = new Promise<never>((_, reject) => child.once('exit', (code) => reject(new Error(`simulated cluster exited (${code})`))));
  exited.catch(() => {});
  const info = await withTimeout(Promise.race([new Promise<SimReady>((r) => (onReady = r)), exited]), 120_000, 'simulated cluster start');
  const ask = <T extends SimReply>(req: SimRequest & { id: number }, timeoutMs: number) =>
    withTimeout(
      Promise.race([
        new Promise<T>((resolve) => {
          waiters.set(req.id, (m) => {
            waiters.delete(req.id);
            resolve(m as T);
          });
          child.send(req);
        }),
        exited,
      ]),
      timeoutMs,
      `simulated cluster ${req.type}`,
    );
  return {
    info,
    pid: child.pid!,
    churn: async (timeoutMs) => {
      const r = await ask<Extract<SimReply, { type: 'churned' }>>({ type: 'churn', id: ++seq }, timeoutMs);
      return { replaced: r.replaced, ms: r.ms };
    },
    cpuSeconds: () => cpuSeconds(child.pid!),
    stop: () => {
      if (child.connected) child.send({ type: 'stop' });
      return stopChild(child);
    },
  };
}

export async function startBareProcess(certFile: string, keyFile: string, bodyFile: string, contentType: string, h2 = false): Promise<{ url: string; pid: number; stop(): Promise<void> }> {
  const child = track(fork(here('./bare-child.js'), [certFile, keyFile, bodyFile, contentType, ...(h2 ? ['h2'] : [])], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] }));
  const url = await withTimeout(new Promise<string>((resolve) => child.on('message', (m: { type: string; url: string }) => m.type === 'ready' && resolve(m.url))), 20_000, 'bare server start');
  return { url, pid: child.pid!, stop: () => stopChild(child) };
}

export interface BareScraperProcess {
  readonly pid: number;
  /** Resolves with the tick when `count` ticks have finished in total. */
  waitForTicks(count: number, timeoutMs: number): Promise<BareScraperTick & { cpu: number }>;
  stop(): Promise<void>;
}

/** Starts the bare scraper baseline (bare-scraper-child.ts) against the simulated cluster. */
export function startBareScraperProcess(start: Omit<BareScraperStart, 'type'>): BareScraperProcess {
  const child = track(fork(here('./bare-scraper-child.js'), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] }));
  const ticks: (BareScraperTick & { cpu: number })[] = [];
  let notify: () => void = () => {};
  child.on('message', (m: BareScraperTick) => {
    if (m.type !== 'tick') return;
    ticks.push({ ...m, cpu: cpuSeconds(child.pid!) });
    notify();
  });
  const exited = new Promise<never>((_, reject) => child.once('exit', (code) => reject(new Error(`bare scraper exited (${code})`))));
  exited.catch(() => {});
  child.send({ type: 'start', ...start } satisfies BareScraperStart);
  return {
    pid: child.pid!,
    waitForTicks: (count, timeoutMs) =>
      withTimeout(
        Promise.race([
          new Promise<BareScraperTick & { cpu: number }>((resolve) => {
            const check = () => {
              if (ticks.length >= count) resolve(ticks[count - 1]!);
            };
            notify = check;
            check();
          }),
          exited,
        ]),
        timeoutMs,
        'bare scraper ticks',
      ),
    stop: () => stopChild(child),
  };
}

/** One finished scrape tick, from the server's -v=1 JSON log line "Scrape finished". */
export interface TickEvent {
  /** performance.now() in the benchmark process when the line arrived. */
  at: number;
  durationMs: number;
  scraped: number;
  pods: number;
  /** Server CPU seconds when the line arrived. */
  cpu: number;
}

export interface ServerProcess {
  readonly pid: number;
  readonly url: string;
  readonly ticks: TickEvent[];
  /** Resolves when `count` ticks have finished in total (rejects on exit or timeout). */
  waitForTicks(count: number, timeoutMs: number): Promise<TickEvent>;
  /** Waits for the first tick that starts after `afterMs` (performance.now()) and returns it. */
  waitForTickStartingAfter(afterMs: number, timeoutMs: number): Promise<TickEvent>;
  stop(): Promise<void>;
  logTail(): string;
}

export async function startServerProcess(args: string[], port: number, nodeArgs: readonly string[] = SERVER_NODE_FLAGS): Promise<ServerProcess> {
  const main = here('../../src/main.js');
  const child = track(spawn(process.execPath, [...nodeArgs, main, ...args], { stdio: ['ignore', 'pipe', 'pipe'] }));
  const ticks: TickEvent[] = [];
  const tail: string[] = [];
  let exited = false;
  let notify: () => void = () => {};
  // BENCH_SERVER_LOG=<file>: the server's whole output (logs, --trace-gc with --node-flag) goes there too.
  const logFile = process.env['BENCH_SERVER_LOG'];
  const onLine = (line: string) => {
    if (logFile) appendFileSync(logFile, line + '\n');
    tail.push(line);
    if (tail.length > 30) tail.shift();
    if (!line.includes('Scrape finished')) return;
    try {
      const o = JSON.parse(line) as { durationMs: number; scraped: number; pods: number };
      ticks.push({ at: performance.now(), durationMs: o.durationMs, scraped: o.scraped, pods: o.pods, cpu: cpuSeconds(child.pid!) });
      notify();
    } catch {
      // not JSON: ignore
    }
  };
  createInterface({ input: child.stdout! }).on('line', onLine);
  createInterface({ input: child.stderr! }).on('line', onLine);
  child.once('exit', () => {
    exited = true;
    notify();
  });

  const waitUntil = (pred: () => TickEvent | undefined, timeoutMs: number, what: string) =>
    new Promise<TickEvent>((resolve, reject) => {
      const timer = setTimeout(() => done(new Error(`${what}: timed out after ${timeoutMs} ms\n${tail.join('\n')}`)), timeoutMs);
      const done = (err?: Error, ev?: TickEvent) => {
        clearTimeout(timer);
        notify = () => {};
        if (err) reject(err);
        else resolve(ev!);
      };
      notify = () => {
        const ev = pred();
        if (ev) done(undefined, ev);
        else if (exited) done(new Error(`metrics server exited\n${tail.join('\n')}`));
      };
      notify();
    });

  return {
    pid: child.pid!,
    url: `https://127.0.0.1:${port}`,
    ticks,
    waitForTicks: (count, timeoutMs) => waitUntil(() => (ticks.length >= count ? ticks[count - 1] : undefined), timeoutMs, `waiting for tick ${count}`),
    waitForTickStartingAfter: (afterMs, timeoutMs) =>
      waitUntil(() => ticks.find((t) => t.at - t.durationMs > afterMs), timeoutMs, 'waiting for a tick after the change'),
    stop: () => stopChild(child),
    logTail: () => tail.join('\n'),
  };
}
