import t from 'tap';
import { createLogger, levelForVerbosity, logStartup } from '../src/log.js';
import { FLAGS, VERSION, parseOptions } from '../src/options.js';

function capture(): { lines: string[]; write(s: string): void } {
  const lines: string[] = [];
  return {
    lines,
    write(s: string) {
      lines.push(...s.split('\n').filter((l) => l !== ''));
    },
  };
}

t.test('-v maps onto pino levels', async (t) => {
  t.equal(levelForVerbosity(0), 'info');
  t.equal(levelForVerbosity(1), 'debug');
  t.equal(levelForVerbosity(2), 'trace');
  t.equal(levelForVerbosity(10), 'trace');

  for (const [v, shown] of [[0, ['info', 'warn', 'error']], [1, ['debug', 'info', 'warn', 'error']], [2, ['trace', 'debug', 'info', 'warn', 'error']]] as const) {
    const out = capture();
    const log = createLogger(v, 'json', out);
    log.trace('per-node');
    log.debug('per-tick');
    log.info('start-up');
    log.warn('warning');
    log.error('error');
    t.same(out.lines.map((l) => (JSON.parse(l) as { level: string }).level), shown, `-v=${v}`);
  }
});

t.test('json format: one JSON object per line with level names and fields', async (t) => {
  const out = capture();
  const log = createLogger(0, 'json', out);
  log.error({ node: 'n1', err: new Error('dial tcp: refused') }, 'Failed to scrape node');
  t.equal(out.lines.length, 1);
  const entry = JSON.parse(out.lines[0]!) as Record<string, unknown>;
  t.equal(entry['level'], 'error');
  t.equal(entry['msg'], 'Failed to scrape node');
  t.equal(entry['node'], 'n1');
  t.match(entry['err'], { type: 'Error', message: 'dial tcp: refused' });
  t.type(entry['time'], 'number');
});

t.test('text format: one human-readable line per entry, errors inline', async (t) => {
  const out = capture();
  const log = createLogger(1, 'text', out);
  log.info({ securePort: 4443 }, 'metrics-server starting');
  log.debug('Scrape finished');
  log.error({ node: 'n1', err: new Error('multi\nline') }, 'Failed to scrape node');
  t.equal(out.lines.length, 3, 'exactly one line each, even for an error');
  t.match(out.lines[0], /^\[\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z\] INFO: metrics-server starting \{"securePort":4443\}$/);
  t.match(out.lines[1], /\] DEBUG: Scrape finished$/);
  t.match(out.lines[2], /\] ERROR: Failed to scrape node \{.*"err":"multi\\nline".*"node":"n1".*\}$|\] ERROR: Failed to scrape node \{.*"node":"n1".*"err":"multi\\nline".*\}$/);
  t.notMatch(out.lines.join('\n'), /at .*\(/, 'no stack trace in text format');
});

t.test('start-up summary at -v=0; every flag at -v=1', async (t) => {
  const argv = ['--metric-resolution=30s', '--kubelet-preferred-address-types=InternalIP,Hostname', '--kubelet-insecure-tls'];
  const quiet = capture();
  logStartup(createLogger(0, 'json', quiet), parseOptions(argv));
  t.equal(quiet.lines.length, 1, 'one summary line by default');
  t.match(JSON.parse(quiet.lines[0]!), { level: 'info', msg: 'Starting metrics-server', version: VERSION, metricResolution: '30s', securePort: 10250, shutdownDelay: '0s' });

  const out = capture();
  const options = parseOptions([...argv, '--v=1']);
  logStartup(createLogger(options.verbosity, 'json', out), options);
  const flags = out.lines.map((l) => JSON.parse(l) as { level: string; msg: string }).filter((e) => e.msg.startsWith('FLAG: '));
  t.equal(flags.length, FLAGS.length, 'one line per flag');
  t.ok(flags.every((e) => e.level === 'debug'), 'at -v=1');
  const msgs = flags.map((e) => e.msg);
  t.same(msgs, [...msgs].sort(), 'sorted by name');
  t.ok(msgs.includes('FLAG: --metric-resolution="30s"'), 'durations in Go form');
  t.ok(msgs.includes('FLAG: --kubelet-preferred-address-types="[InternalIP,Hostname]"'), 'slices as pflag prints them');
  t.ok(msgs.includes('FLAG: --kubelet-insecure-tls="true"'));
  t.ok(msgs.includes('FLAG: --kubeconfig=""'), 'unset flags are empty');
});

t.test('start-up warns once about ignored compatibility flags and once about unknown address types', async (t) => {
  const out = capture();
  const options = parseOptions(['--logtostderr=false', '--log_dir=/var/log', '--alsologtostderr', '--kubelet-preferred-address-types=InternalIp']);
  logStartup(createLogger(0, 'json', out), options);
  const entries = out.lines.map((l) => JSON.parse(l) as { level: string; msg: string });
  t.same(entries.map((e) => e.level), ['info', 'warn', 'warn']);
  t.equal(entries[1]!.msg, 'accepted for compatibility with metrics-server and ignored: --alsologtostderr, --log_dir, --logtostderr');
  t.match(entries[1], { flags: ['--alsologtostderr', '--log_dir', '--logtostderr'] });
  t.match(entries[2]!.msg, /^--kubelet-preferred-address-types: no node address has type InternalIp \(did you mean InternalIP\?\)/);

  const text = capture();
  logStartup(createLogger(0, 'text', text), parseOptions(['--log_file=/x']));
  t.match(text.lines[1], /\] WARN: accepted for compatibility with metrics-server and ignored: --log_file \{"flags":\["--log_file"\]\}$/);
});
