import t from 'tap';
import { kubeletOrigin, kubeletServerName, preferredAddress, kubeletPort } from '../../src/scrape/kubelet-address.js';
import { kubeletPath, RESOURCE_PATH, SUMMARY_PATH } from '../../src/scrape/kubelet-path.js';
import { ScrapeError } from '../../src/scrape/scrape-error.js';

/** The ScrapeError reason fn throws, or 'none'. */
function reasonOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    return e instanceof ScrapeError ? e.reason : `not a ScrapeError: ${String(e)}`;
  }
  return 'none';
}

const DEFAULT_TYPES = ['Hostname', 'InternalDNS', 'InternalIP', 'ExternalDNS', 'ExternalIP'];

const node = (addresses: [string, string][], kubeletPort = 0) => ({
  name: 'n1',
  addresses: addresses.map(([type, address]) => ({ type, address })),
  kubeletPort,
});

t.test('the first address of the most preferred type wins', async (t) => {
  const n = node([
    ['ExternalIP', '203.0.113.5'],
    ['InternalIP', '10.0.0.7'],
    ['InternalIP', '10.0.0.8'],
    ['Hostname', 'worker-1'],
  ]);
  t.equal(preferredAddress(n, DEFAULT_TYPES), 'worker-1', 'default order prefers Hostname');
  t.equal(preferredAddress(n, ['InternalIP', 'ExternalIP', 'Hostname']), '10.0.0.7', 'stock manifest order; first of its type');
  t.equal(preferredAddress(n, ['ExternalIP']), '203.0.113.5');
  t.equal(preferredAddress(n, ['InternalDNS', 'ExternalDNS']), undefined, 'no type matches');
  t.equal(preferredAddress(node([['InternalIP', '']]), ['InternalIP']), undefined, 'empty address ignored');
});

t.test('port: --kubelet-port unless --kubelet-use-node-status-port and the node reports one', async (t) => {
  const cfg = { port: 10250, useNodeStatusPort: false, preferredAddressTypes: ['InternalIP'] };
  t.equal(kubeletPort({ kubeletPort: 10255 }, cfg), 10250);
  t.equal(kubeletPort({ kubeletPort: 10255 }, { ...cfg, useNodeStatusPort: true }), 10255);
  t.equal(kubeletPort({ kubeletPort: 0 }, { ...cfg, useNodeStatusPort: true }), 10250, 'zero status port falls back');
});

t.test('origin: https, IPv6 bracketed, bad or missing address is an address error', async (t) => {
  const cfg = { port: 10250, useNodeStatusPort: true, preferredAddressTypes: ['InternalIP', 'Hostname'] };
  t.equal(kubeletOrigin({ ...node([['InternalIP', '10.1.2.3']], 4443) }, cfg), 'https://10.1.2.3:4443');
  t.equal(kubeletOrigin(node([['InternalIP', 'fd00::1']]), cfg), 'https://[fd00::1]:10250');
  t.equal(kubeletOrigin(node([['Hostname', 'ip-10-0-0-1.ec2.internal']]), cfg), 'https://ip-10-0-0-1.ec2.internal:10250');
  t.throws(() => kubeletOrigin(node([['ExternalIP', '1.2.3.4']]), cfg), new ScrapeError('address', 'node n1: no address matched types [InternalIP Hostname]'));
  for (const bad of ['evil.com/x?', 'user@host', 'host:99', 'a b', '[fd00::1]']) {
    t.equal(reasonOf(() => kubeletOrigin(node([['InternalIP', bad]]), cfg)), 'address', `rejects ${JSON.stringify(bad)}`);
  }
});

t.test('an absolute DNS name (trailing dot) is scraped; SNI drops the dot', async (t) => {
  const cfg = { port: 10250, useNodeStatusPort: false, preferredAddressTypes: ['InternalIP', 'InternalDNS'] };
  const n = node([['InternalDNS', 'ip-10-0-0-1.ec2.internal.'], ['ExternalIP', '203.0.113.5']]);
  t.equal(preferredAddress(n, cfg.preferredAddressTypes), 'ip-10-0-0-1.ec2.internal.');
  t.equal(kubeletOrigin(n, cfg), 'https://ip-10-0-0-1.ec2.internal.:10250');
  t.equal(new URL(kubeletOrigin(n, cfg)).hostname, 'ip-10-0-0-1.ec2.internal.', 'the URL keeps the name whole');
  t.equal(kubeletOrigin(node([['Hostname', 'worker-1.']]), { ...cfg, preferredAddressTypes: ['Hostname'] }), 'https://worker-1.:10250');
  for (const bad of ['.', 'a..', '.a.', 'fd00::1.', '[fd00::1].', 'a./x', 'host.:99', 'a.\n']) {
    t.equal(reasonOf(() => kubeletOrigin(node([['InternalDNS', bad]]), cfg)), 'address', `rejects ${JSON.stringify(bad)}`);
  }

  t.equal(kubeletServerName('ip-10-0-0-1.ec2.internal.'), 'ip-10-0-0-1.ec2.internal', 'RFC 6066: no trailing dot in SNI');
  t.equal(kubeletServerName('worker-1'), 'worker-1');
  t.equal(kubeletServerName('10.0.0.1'), undefined, 'no SNI for an IP');
  t.equal(kubeletServerName('fd00::1'), undefined);
});

t.test('path: summary or resource, annotation overrides resource only', async (t) => {
  t.equal(kubeletPath({ name: 'n' }, 'summary'), SUMMARY_PATH);
  t.equal(SUMMARY_PATH, '/stats/summary?only_cpu_and_memory=true');
  t.equal(kubeletPath({ name: 'n' }, 'resource'), RESOURCE_PATH);
  t.equal(RESOURCE_PATH, '/metrics/resource');
  t.equal(kubeletPath({ name: 'n', resourceMetricsPath: '/metrics/resource/v1alpha1' }, 'resource'), '/metrics/resource/v1alpha1');
  t.equal(kubeletPath({ name: 'n', resourceMetricsPath: 'custom/path' }, 'resource'), '/custom/path', 'leading slash added');
  t.equal(kubeletPath({ name: 'n', resourceMetricsPath: '/x' }, 'summary'), SUMMARY_PATH, 'annotation ignored for summary');
  t.equal(reasonOf(() => kubeletPath({ name: 'n', resourceMetricsPath: '/a\r\nX-Injected: 1' }, 'resource')), 'address', 'no header injection');
  t.equal(reasonOf(() => kubeletPath({ name: 'n', resourceMetricsPath: '/a b' }, 'resource')), 'address');
});
