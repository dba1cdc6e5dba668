import t from 'tap';
import { FlagError, FlagExit, parseOptions, helpText, FLAGS } from '../src/options.js';

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
    [['--kubelet-preferred-address-types=Foo'], /kubelet-preferred-address-types/],
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
