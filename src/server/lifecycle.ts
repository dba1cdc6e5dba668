// Graceful shutdown, in the generic API server's order: on SIGTERM/SIGINT the
// readyz `shutdown` check fails at once, the server keeps serving for
// --shutdown-delay-duration (so endpoints and load balancers drop us first),
// then stops accepting, drains in-flight requests (bounded; HTTP/2 clients get
// GOAWAY from close()), and runs the stop hooks (scraper, watches) in order. A
// second signal exits at once with 1. process.exit stays in main.ts: this
// module only reports the exit code.

import type { Logger } from '../log.js';
import { shutdownCheck } from './health-checks.js';
import type { HealthCheck } from './health.js';

/** What shutdown needs of a server: http.Server, or the serving listener (https-server.ts). */
export interface DrainableServer {
  readonly listening: boolean;
  close(callback?: (err?: Error) => void): unknown;
  closeIdleConnections(): void;
  closeAllConnections(): void;
}

export interface StopHook {
  readonly name: string;
  stop(): void | Promise<void>;
}

export interface LifecycleOptions {
  log: Logger;
  /** --shutdown-delay-duration in ms: keep serving this long after the signal. */
  shutdownDelayMs: number;
  /** Servers to close. More can be added later. */
  servers?: readonly DrainableServer[];
  /** Run in order after the servers drained. More can be added later. */
  stopHooks?: readonly StopHook[];
  /** Longest wait for in-flight requests before connections are cut; default 60 s (upstream's request timeout). */
  drainTimeoutMs?: number;
  /** Longest wait for one stop hook; default 10 s. */
  stopHookTimeoutMs?: number;
}

/** Where signals come from: process, or an EventEmitter in tests. */
export interface SignalSource {
  on(event: 'SIGTERM' | 'SIGINT', listener: (signal: NodeJS.Signals) => void): unknown;
  off(event: 'SIGTERM' | 'SIGINT', listener: (signal: NodeJS.Signals) => void): unknown;
}

export interface Lifecycle {
  /** True from the first shutdown() call (signal) on. */
  shuttingDown(): boolean;
  /** The readyz `shutdown` check bound to this lifecycle. */
  readonly check: HealthCheck;
  addServer(server: DrainableServer): void;
  addStopHook(hook: StopHook): void;
  /** Starts shutdown (idempotent: later calls return the same promise). Never rejects. */
  shutdown(reason?: string): Promise<void>;
  /**
   * Handles SIGTERM and SIGINT: the first starts shutdown and calls exit(0) when
   * done; a second one calls exit(1) at once. Returns a function removing the handlers.
   */
  installSignalHandlers(exit: (code: number) => void, signals?: SignalSource): () => void;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

function closeServer(server: DrainableServer, drainTimeoutMs: number, log: Logger): Promise<void> {
  return new Promise((resolve) => {
    if (!server.listening) return resolve();
    let done = false;
    // Keep-alive connections idle between requests would hold close() open:
    // cut them now and whenever a request finishes, but never one mid-request.
    const idleSweep = setInterval(() => server.closeIdleConnections(), 50);
    const deadline = setTimeout(() => {
      log.warn({ drainTimeoutMs }, 'In-flight requests did not finish in time; closing their connections');
      server.closeAllConnections();
    }, drainTimeoutMs);
    server.close(() => {
      if (done) return;
      done = true;
      clearInterval(idleSweep);
      clearTimeout(deadline);
      resolve();
    });
    server.closeIdleConnections();
  });
}

async function runHook(hook: StopHook, timeoutMs: number, log: Logger): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), timeoutMs);
  });
  try {
    const result = await Promise.race([Promise.resolve().then(() => hook.stop()), timeout]);
    if (result === 'timeout') log.warn({ hook: hook.name, timeoutMs }, 'Stop hook did not finish in time');
  } catch (e) {
    log.error({ hook: hook.name, err: e }, 'Stop hook failed');
  } finally {
    clearTimeout(timer);
  }
}

export function createLifecycle(opts: LifecycleOptions): Lifecycle {
  const { log } = opts;
  const servers = [...(opts.servers ?? [])];
  const hooks = [...(opts.stopHooks ?? [])];
  const drainTimeoutMs = opts.drainTimeoutMs ?? 60_000;
  const hookTimeoutMs = opts.stopHookTimeoutMs ?? 10_000;
  let started: Promise<void> | undefined;

  const run = async (reason: string): Promise<void> => {
    log.info({ reason, shutdownDelayMs: opts.shutdownDelayMs }, 'Shutdown initiated; readyz now fails');
    if (opts.shutdownDelayMs > 0) await sleep(opts.shutdownDelayMs);
    log.info({ drainTimeoutMs }, 'Stopped accepting connections; draining in-flight requests');
    await Promise.all(servers.map((s) => closeServer(s, drainTimeoutMs, log)));
    for (const hook of hooks) await runHook(hook, hookTimeoutMs, log);
    log.info('Shutdown complete');
  };

  const lifecycle: Lifecycle = {
    shuttingDown: () => started !== undefined,
    check: shutdownCheck(() => started !== undefined),
    addServer(server) {
      servers.push(server);
    },
    addStopHook(hook) {
      hooks.push(hook);
    },
    shutdown(reason = 'requested') {
      started ??= run(reason).catch((e: unknown) => {
        log.error({ err: e }, 'Shutdown failed');
      });
      return started;
    },
    installSignalHandlers(exit, signals = process) {
      const onSignal = (signal: NodeJS.Signals): void => {
        if (started !== undefined) {
          log.warn({ signal }, 'Second signal received; exiting immediately');
          exit(1);
          return;
        }
        void lifecycle.shutdown(signal).then(() => exit(0));
      };
      signals.on('SIGTERM', onSignal);
      signals.on('SIGINT', onSignal);
      return () => {
        signals.off('SIGTERM', onSignal);
        signals.off('SIGINT', onSignal);
      };
    },
  };
  return lifecycle;
}
