// Upstream metrics-server flags accepted so that its existing args keep working,
// though nothing here acts on them: klog's file-logging flags, profiling,
// SO_REUSEADDR. Values are still checked with upstream's syntax, so a typo fails
// as it would there. Flags that are set are named in one start-up warning
// (flag-warnings.ts) unless their value already describes what this server does.

import { duration, goUint, invalid, quantity } from './flag-values.js';
import type { FlagSyntax } from './options.js';

export interface CompatFlagSpec extends FlagSyntax {
  /** True when the parsed value is what this server does anyway, so no warning is due. */
  inEffect?: (value: unknown) => boolean;
}

const isFalse = (v: unknown): boolean => v === false;

/** klog's --stderrthreshold: a severity name or any int32. */
const severity = (v: string, flag: string): string => {
  if (['INFO', 'WARNING', 'ERROR', 'FATAL'].includes(v.toUpperCase())) return v;
  if (!/^[-+]?\d+$/.test(v) || Number(v) < -(2 ** 31) || Number(v) >= 2 ** 31) throw invalid(v, flag, `strconv.ParseInt: parsing "${v}": invalid syntax`);
  return v;
};

/** klog's --vmodule: comma-separated pattern=N with N >= 0; empty items are skipped. */
const vmodule = (v: string, flag: string): string => {
  for (const item of v.split(',')) {
    if (item === '') continue;
    if (!/^[^=]+=\+?\d+$/.test(item)) throw invalid(v, flag, 'syntax error: expect comma-separated list of filename=N');
  }
  return v;
};

/** klog's --log_backtrace_at: empty, or file.go:N with N > 0. */
const traceLocation = (v: string, flag: string): string => {
  if (v === '') return v;
  const m = /^([^:]*\.[^:]*):([-+]?\d+)$/.exec(v);
  if (!m) throw invalid(v, flag, 'syntax error: expect file.go:234');
  if (Number(m[2]) <= 0) throw invalid(v, flag, 'negative or zero value for level');
  return v;
};

export const COMPAT_FLAGS: readonly CompatFlagSpec[] = [
  // klog (deprecated upstream): logs always go to stderr here, never to files.
  { flags: '--add_dir_header [bool]', help: 'klog: add the file directory to the header.', bool: true, inEffect: isFalse },
  { flags: '--alsologtostderr [bool]', help: 'klog: log to standard error as well as files.', bool: true },
  { flags: '--log_backtrace_at <file:N>', help: 'klog: emit a stack trace when logging hits line file:N.', parse: traceLocation, inEffect: (v) => v === '' },
  { flags: '--log_dir <dir>', help: 'klog: write log files in this directory.' },
  { flags: '--log_file <file>', help: 'klog: write logs to this file.' },
  { flags: '--log_file_max_size <MB>', help: 'klog: maximum size of a log file.', parse: goUint },
  { flags: '--logtostderr [bool]', help: 'klog: log to standard error instead of files.', bool: true, inEffect: (v) => v === true },
  { flags: '--one_output [bool]', help: 'klog: write logs only to their native severity level.', bool: true, inEffect: isFalse },
  { flags: '--skip_headers [bool]', help: 'klog: avoid header prefixes in log messages.', bool: true, inEffect: isFalse },
  { flags: '--skip_log_headers [bool]', help: 'klog: avoid headers when opening log files.', bool: true, inEffect: isFalse },
  { flags: '--stderrthreshold <severity>', help: 'klog: logs at or above this threshold go to stderr.', parse: severity },
  { flags: '--vmodule <pattern=N,...>', help: 'klog: per-file log verbosity.', parse: vmodule },

  // component-base logging. Every line is written synchronously, so any flush interval holds.
  { flags: '--log-flush-frequency <duration>', help: 'Maximum time between log flushes.', parse: duration, inEffect: () => true },
  { flags: '--log-json-info-buffer-size <quantity>', help: 'JSON format with split streams: buffer for info messages.', parse: quantity },
  { flags: '--log-json-split-stream [bool]', help: 'JSON format: errors to stderr, info to stdout.', bool: true, inEffect: isFalse },

  // Profiling: there is no /debug/pprof here.
  { flags: '--profiling [bool]', help: 'Enable profiling via host:port/debug/pprof/.', bool: true, inEffect: isFalse },
  { flags: '--contention-profiling [bool]', help: 'Enable lock contention profiling, if profiling is enabled.', bool: true, inEffect: isFalse },
  { flags: '--debug-socket-path <path>', help: 'Unix-domain socket for profiling.' },

  // Secure serving.
  // Node.js (libuv) sets SO_REUSEADDR on every listening socket, as Go does: both values behave as upstream.
  { flags: '--permit-address-sharing [bool]', help: 'Use SO_REUSEADDR when binding the port.', bool: true, inEffect: () => true },
];
