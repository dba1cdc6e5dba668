import t from 'tap';
import { COMPAT_FLAGS } from '../src/compat-flags.js';
import { FlagError, FlagExit, parseOptions, helpText, FLAGS } from '../src/options.js';

/** The FlagError message parseOptions throws for argv, or a note that it did not throw one. */
function flagError(argv: string[]): string {
  try {
    parseOptions(argv);
  } catch (e) {
    return e instanceof FlagError ? e.message : `not a FlagError: ${String(e)}`;
  }
  return 'no error';
}

t.test('defaults match metrics-server', async (t) => {
  const o = parseOptions([]);
  t.equal(o.securePort, 10250);
  t.equal(o.bindAddress, '0.0.0.0');
  t.equal(o.certDir, 'apiserver.local.config/certificates');
  t.equal(o.metricResolutionNs, 15e9);
  t.equal(o.kubeletRequestTimeoutNs, 10e9);
  t.same(o.kubeletPreferredAddressTypes, ['Hostname', 'InternalDNS', 'InternalIP', 'ExternalDNS', 'ExternalIP']);
  t.same(o.authorizationAlwaysAllowPaths, ['/healthz', '/readyz', '/livez']);
  t.equal(o.kubeletSource, 'summary');
  t.equal(o.verbosity, 0);
});

t.test('Go-style values', async (t) => {
  const o = parseOptions(['--metric-resolution=1m30s', '--kubelet-insecure-tls', '--kubelet-use-node-status-port=true', '-v=3',
    '--kubelet-preferred-address-types=InternalIP,ExternalIP,Hostname', '--requestheader-group-headers', 'X-A', '--requestheader-group-headers=X-B,X-C']);
  t.equal(o.metricResolutionNs, 90e9);
  t.equal(o.kubeletInsecureTls, true);
  t.equal(o.kubeletUseNodeStatusPort, true);
  t.equal(o.verbosity, 3);
  t.same(o.kubeletPreferredAddressTypes, ['InternalIP', 'ExternalIP', 'Hostname']);
  t.same(o.requestheaderGroupHeaders, ['X-A', 'X-B', 'X-C']);
  t.ok(o.explicit.has('metric-resolution'));
  t.notOk(o.explicit.has('secure-port'));
  t.equal(parseOptions(['--kubelet-insecure-tls=false']).kubeletInsecureTls, false);
});

t.test('bad flags name the flag', async (t) => {
  const bad: [string[], RegExp][] = [
    [['--no-such-flag'], /no-such-flag/],
    [['--secure-port=abc'], /secure-port/],
    [['--metric-resolution=15'], /metric-resolution/],
    [['--metric-resolution=500ms'], /metric-resolution/],
    [['--kubelet-source=cadvisor'], /kubelet-source/],
    [['--kubelet-insecure-tls=maybe'], /kubelet-insecure-tls/],
    [['--tls-cert-file=a'], /tls-private-key-file/],
  ];
  for (const [argv, re] of bad) {
    let err: unknown;
    try {
      parseOptions(argv);
    } catch (e) {
      err = e;
    }
    t.ok(err instanceof FlagError, `${argv.join(' ')} is a FlagError`);
    t.match((err as Error).message, re);
  }
});

t.test('help lists every flag; version prints', async (t) => {
  const help = helpText();
  for (const f of FLAGS) t.match(help, /--[a-z0-9-]+/.exec(f.flags)![0]);
  for (const argv of [['--help'], ['--version']]) {
    let err: unknown;
    try {
      parseOptions(argv);
    } catch (e) {
      err = e;
    }
    t.ok(err instanceof FlagExit, argv[0]);
  }
  t.match((() => { try { parseOptions(['--version']); } catch (e) { return (e as FlagExit).output; } return ''; })(), /^\d+\.\d+\.\d+/);
});

t.test('upstream logging, profiling and serving flags are accepted with their value types', async (t) => {
  // Every compatibility flag, as an upstream metrics-server manifest may carry them.
  const argv = [
    '--add_dir_header', '--alsologtostderr=true', '--log_backtrace_at=server.go:42', '--log_dir', '/var/log', '--log_file=/var/log/ms.log',
    '--log_file_max_size=1800', '--logtostderr', '--one_output=false', '--skip_headers', '--skip_log_headers=true',
    '--stderrthreshold=WARNING', '--vmodule=scraper*=4,server=2,', '--log-flush-frequency=5s', '--log-json-info-buffer-size=2Ki',
    '--log-json-split-stream', '--profiling', '--contention-profiling=true', '--debug-socket-path=/tmp/debug.sock',
    '--http2-max-streams-per-connection=1000', '--permit-address-sharing', '--permit-port-sharing',
  ];
  const o = parseOptions(argv);
  t.same(o.ignoredFlags, [
    '--add_dir_header', '--alsologtostderr', '--log_backtrace_at', '--log_dir', '--log_file', '--log_file_max_size', '--skip_headers',
    '--skip_log_headers', '--stderrthreshold', '--vmodule', '--log-json-info-buffer-size', '--log-json-split-stream', '--profiling',
    '--contention-profiling', '--debug-socket-path',
  ], 'set flags are ignored, except values this server has anyway');
  t.equal(o.permitPortSharing, true, '--permit-port-sharing is honoured');
  t.equal(o.http2MaxStreamsPerConnection, 1000n, '--http2-max-streams-per-connection is honoured');
  t.equal(parseOptions([]).permitPortSharing, false);
  t.same(parseOptions([]).ignoredFlags, [], 'nothing ignored by default');
  for (const spec of COMPAT_FLAGS) t.ok(argv.some((a) => a.startsWith(`--${/--([a-z0-9_-]+)/.exec(spec.flags)![1]}`)), `${spec.flags} covered`);

  // What this server does anyway is not reported.
  t.same(parseOptions(['--logtostderr=true', '--profiling=false', '--contention-profiling=false', '--one_output=false',
    '--log-flush-frequency=1s', '--permit-address-sharing=false', '--log-json-split-stream=false', '--log_backtrace_at=']).ignoredFlags, []);
  t.same(parseOptions(['--logtostderr=false', '--stderrthreshold=2']).ignoredFlags, ['--logtostderr', '--stderrthreshold']);
});

t.test('HTTP/2 serving flags, as the generic API server has them', async (t) => {
  const o = parseOptions([]);
  t.equal(o.disableHttp2Serving, false);
  t.equal(o.http2MaxStreamsPerConnection, 0n, '0: the default limit (250)');
  t.equal(parseOptions(['--disable-http2-serving']).disableHttp2Serving, true);
  t.equal(parseOptions(['--disable-http2-serving=false']).disableHttp2Serving, false);
  t.equal(parseOptions(['--http2-max-streams-per-connection=-3']).http2MaxStreamsPerConnection, -3n, 'any Go int, as pflag takes it');
  t.equal(parseOptions(['--http2-max-streams-per-connection', '9223372036854775807']).http2MaxStreamsPerConnection, 2n ** 63n - 1n);
  t.equal(flagError(['--http2-max-streams-per-connection=many']), 'invalid argument "many" for "--http2-max-streams-per-connection" flag: strconv.ParseInt: parsing "many": invalid syntax');
  t.equal(flagError(['--http2-max-streams-per-connection=9223372036854775808']), 'invalid argument "9223372036854775808" for "--http2-max-streams-per-connection" flag: strconv.ParseInt: parsing "9223372036854775808": value out of range');
  t.equal(flagError(['--disable-http2-serving=yes']), 'invalid argument "yes" for "--disable-http2-serving" flag: strconv.ParseBool: parsing "yes": invalid syntax');
});

t.test('malformed values of compatibility flags still exit 2 naming the flag', async (t) => {
  const bad: [string[], string][] = [
    [['--logtostderr=yes'], 'invalid argument "yes" for "--logtostderr" flag: strconv.ParseBool: parsing "yes": invalid syntax'],
    [['--profiling=maybe'], 'invalid argument "maybe" for "--profiling" flag: strconv.ParseBool: parsing "maybe": invalid syntax'],
    [['--log-flush-frequency=5'], 'invalid argument "5" for "--log-flush-frequency" flag: time: missing unit in duration "5"'],
    [['--log_file_max_size=-1'], 'invalid argument "-1" for "--log_file_max_size" flag: strconv.ParseUint: parsing "-1": invalid syntax'],
    [['--log-json-info-buffer-size=1K'], 'invalid argument "1K" for "--log-json-info-buffer-size" flag: quantities must match the regular expression \'^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$\''],
    [['--stderrthreshold=loud'], 'invalid argument "loud" for "--stderrthreshold" flag: strconv.ParseInt: parsing "loud": invalid syntax'],
    [['--vmodule=scraper'], 'invalid argument "scraper" for "--vmodule" flag: syntax error: expect comma-separated list of filename=N'],
    [['--vmodule=a=-1'], 'invalid argument "a=-1" for "--vmodule" flag: syntax error: expect comma-separated list of filename=N'],
    [['--log_backtrace_at=:0'], 'invalid argument ":0" for "--log_backtrace_at" flag: syntax error: expect file.go:234'],
    [['--log_backtrace_at=main.go:0'], 'invalid argument "main.go:0" for "--log_backtrace_at" flag: negative or zero value for level'],
    [['--permit-port-sharing=on'], 'invalid argument "on" for "--permit-port-sharing" flag: strconv.ParseBool: parsing "on": invalid syntax'],
    [['--log_dir'], "option '--log_dir <dir>' argument missing"],
    [['--log-dir=/x'], "unknown option '--log-dir=/x'"],
  ];
  for (const [argv, msg] of bad) t.equal(flagError(argv), msg, argv.join(' '));
});

t.test('audit, SNI and plain-HTTP kubelet flags are refused with the reason', async (t) => {
  const audit = 'audit logging is not supported by metrics-server-ts';
  t.equal(flagError(['--audit-log-path=/var/log/audit.log']), `flag --audit-log-path: ${audit}`);
  t.equal(flagError(['--kubelet-insecure-tls', '--audit-policy-file', '/etc/audit.yaml']), `flag --audit-policy-file: ${audit}`);
  t.equal(flagError(['--audit-log-compress']), `flag --audit-log-compress: ${audit}`);
  t.equal(flagError(['--audit-webhook-batch-max-wait=30s']), `flag --audit-webhook-batch-max-wait: ${audit}`);
  t.equal(flagError(['--tls-sni-cert-key=foo.crt,foo.key:*.foo.com']),
    'flag --tls-sni-cert-key: SNI serving certificates are not supported by metrics-server-ts; use --tls-cert-file and --tls-private-key-file');
  t.equal(flagError(['--deprecated-kubelet-completely-insecure']), 'flag --deprecated-kubelet-completely-insecure: plain-HTTP kubelet scraping is not supported by metrics-server-ts');
  t.equal(flagError(['--', '--audit-log-path=/x']), 'too many arguments. Expected 0 arguments but got 1.', 'after -- it is an argument, not a flag');
});

t.test('--kubelet-preferred-address-types accepts any type, as upstream', async (t) => {
  t.same(parseOptions(['--kubelet-preferred-address-types=internalip,Foo,Hostname']).kubeletPreferredAddressTypes, ['internalip', 'Foo', 'Hostname']);
  t.same(parseOptions(['--kubelet-preferred-address-types=InternalIP', '--kubelet-preferred-address-types=InternalDns']).kubeletPreferredAddressTypes, ['InternalIP', 'InternalDns']);
});
