// pino logger. -v levels map onto pino levels: 0 → info (errors, warnings, start-up),
// 1 → debug (per-tick summary), 2+ → trace (per-node detail).

import { pino, type Logger } from 'pino';
import type { LoggingFormat } from './options.js';

export type { Logger };

export function levelForVerbosity(v: number): pino.Level {
  if (v >= 2) return 'trace';
  if (v === 1) return 'debug';
  return 'info';
}

export function createLogger(verbosity: number, format: LoggingFormat, destination?: pino.DestinationStream): Logger {
  const level = levelForVerbosity(verbosity);
  if (destination) return pino({ level, base: undefined }, destination);
  if (format === 'json') return pino({ level, base: undefined });
  return pino({
    level,
    base: undefined,
    transport: { target: 'pino-pretty', options: { colorize: false, translateTime: 'SYS:standard', ignore: 'pid,hostname', singleLine: true, destination: 2 } },
  });
}

/** A logger that drops everything, for tests. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
