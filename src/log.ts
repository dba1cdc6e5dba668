// pino logger. klog's -v levels map onto pino levels:
//   -v=0 → info  (errors, warnings, start-up summary, state changes)
//   -v=1 → debug (per-tick summary)              log.debug(...) is klog.V(1)
//   -v≥2 → trace (per-node detail)               log.trace(...) is klog.V(2)
// Both formats write synchronously to stderr (as klog does), so nothing is lost
// when main.ts calls process.exit and no worker thread outlives the process.

import { pino, type DestinationStream, type Level, type Logger } from 'pino';
import pinoPretty from 'pino-pretty';
import { flagWarnings } from './flag-warnings.js';
import { FLAGS, VERSION, type LoggingFormat, type Options } from './options.js';
import { formatGoDuration } from './util/go-duration.js';

export type { Logger };

/** Where log lines go: a pino destination or any writable with write(string). */
export type LogDestination = DestinationStream | { write(chunk: string): unknown };

export function levelForVerbosity(v: number): Level {
  if (v >= 2) return 'trace';
  if (v === 1) return 'debug';
  return 'info';
}

/** Human-readable single lines: `[2026-01-02T03:04:05.678Z] INFO: msg {"node":"n1"}`. */
function textStream(destination: LogDestination): DestinationStream {
  // prettyFactory is a plain function: formatting happens in the caller's turn,
  // no transform stream or worker thread involved.
  const format = pinoPretty.prettyFactory({
    colorize: false,
    singleLine: true,
    translateTime: "UTC:yyyy-mm-dd'T'HH:MM:ss.l'Z'",
    ignore: 'pid,hostname',
    // Treat err like any field so the entry stays on one line.
    errorLikeObjectKeys: [],
  });
  const flushable = destination as { flush?: (cb: (err?: Error) => void) => void };
  return {
    write(line: string) {
      destination.write(format(line));
    },
    // Forwarded so logger.flush (and the `log` health check) reaches the real sink.
    flush(cb: (err?: Error) => void) {
      if (typeof flushable.flush === 'function') flushable.flush(cb);
      else cb();
    },
  } as DestinationStream;
}

export function createLogger(verbosity: number, format: LoggingFormat, destination?: LogDestination): Logger {
  const level = levelForVerbosity(verbosity);
  const dest: LogDestination = destination ?? pino.destination({ fd: 2, sync: true });
  if (format === 'json') {
    // Level names, not numbers, so log pipelines need no pino knowledge.
    return pino({ level, base: undefined, formatters: { level: (label) => ({ level: label }) }, serializers: { err: pino.stdSerializers.err } }, dest as DestinationStream);
  }
  // Text keeps one line per entry: an error shows its message, not its stack.
  return pino({ level, base: undefined, serializers: { err: errorMessage } }, textStream(dest));
}

function errorMessage(e: unknown): unknown {
  return e instanceof Error ? e.message : e;
}

/** A logger that drops everything, for tests. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}

/** A flag's value as pflag prints it: Go durations, [a,b] slices, "" when unset. */
function flagValue(key: keyof Options, value: unknown): string {
  if (value === undefined) return '';
  if (Array.isArray(value)) return `[${value.join(',')}]`;
  if (typeof value === 'number' && key.endsWith('Ns')) return formatGoDuration(value);
  return String(value);
}

/**
 * The start-up summary: one info line with the settings operators ask about
 * first, a warning for each flag problem (flag-warnings.ts), and at -v=1 every
 * flag as `FLAG: --name="value"` (as component-base prints them), sorted by
 * name. Flags hold file paths, never secrets.
 */
export function logStartup(log: Logger, options: Options): void {
  log.info(
    {
      version: VERSION,
      securePort: options.securePort,
      metricResolution: formatGoDuration(options.metricResolutionNs),
      kubeletSource: options.kubeletSource,
      nodeSelector: options.nodeSelector,
      shutdownDelay: formatGoDuration(options.shutdownDelayNs),
    },
    'Starting metrics-server',
  );
  for (const w of flagWarnings(options)) log.warn(w.fields, w.msg);
  if (!log.isLevelEnabled('debug')) return;
  const lines = FLAGS.map((spec) => {
    const name = /--([a-z0-9-]+)/.exec(spec.flags)![1]!;
    return `FLAG: --${name}=${JSON.stringify(flagValue(spec.key, options[spec.key]))}`;
  }).sort();
  for (const line of lines) log.debug(line);
}
