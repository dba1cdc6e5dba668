import t from 'tap';
import { X509Certificate } from 'node:crypto';
import { createCA, issueCert } from '../../src/util/pki.js';

t.test('issues a chain Node.js verifies', async (t) => {
  const ca = await createCA('test-ca');
  const leaf = await issueCert(ca, { cn: 'alice', o: ['devs', 'ops'], clientAuth: true, serverAuth: true, dns: ['localhost'], ips: ['127.0.0.1'] });
  const caX = new X509Certificate(ca.cert);
  const leafX = new X509Certificate(leaf.cert);
  t.ok(caX.ca, 'CA flag set');
  t.ok(leafX.verify(caX.publicKey), 'leaf signed by CA');
  t.ok(leafX.checkIssued(caX), 'issuer matches');
  t.match(leafX.subject, /CN=alice/);
  t.match(leafX.subject, /O=devs/);
  t.equal(leafX.checkHost('localhost'), 'localhost');
  t.equal(leafX.checkIP('127.0.0.1'), '127.0.0.1');
  t.match(leaf.key, /^-----BEGIN PRIVATE KEY-----\n/);
  const rogue = await createCA('test-ca');
  t.notOk(leafX.verify(new X509Certificate(rogue.cert).publicKey), 'a rogue CA with the same CN does not verify');
});
