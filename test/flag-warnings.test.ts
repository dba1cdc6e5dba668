import t from 'tap';
import { flagWarnings, unknownAddressTypes } from '../src/flag-warnings.js';
import { parseOptions } from '../src/options.js';

t.test('no warning for the defaults or known address types', async (t) => {
  t.same(flagWarnings(parseOptions([])), []);
  t.same(flagWarnings(parseOptions(['--kubelet-preferred-address-types=InternalIP,ExternalIP,Hostname', '--logtostderr', '--profiling=false'])), []);
});

t.test('one warning lists every ignored flag that was set', async (t) => {
  const w = flagWarnings(parseOptions(['--v=2', '--log_dir=/var/log', '--vmodule=a=1', '--profiling', '--http2-max-streams-per-connection=100', '--debug-socket-path=/x']));
  t.same(w, [{
    msg: 'accepted for compatibility with metrics-server and ignored: --log_dir, --vmodule, --profiling, --debug-socket-path',
    fields: { flags: ['--log_dir', '--vmodule', '--profiling', '--debug-socket-path'] },
  }], 'honoured flags (--http2-max-streams-per-connection) are not named');
});

t.test('unknown address types are named, with the known spelling when only the case differs', async (t) => {
  t.same(unknownAddressTypes(['InternalIP', 'internalip', 'Foo', 'Hostname']), ['internalip', 'Foo']);
  const w = flagWarnings(parseOptions(['--kubelet-preferred-address-types=internalip,Foo,Hostname']));
  t.same(w, [{
    msg: '--kubelet-preferred-address-types: no node address has type internalip (did you mean InternalIP?), Foo; known types: Hostname, InternalDNS, InternalIP, ExternalDNS, ExternalIP',
    fields: { unknownAddressTypes: ['internalip', 'Foo'] },
  }]);
});
