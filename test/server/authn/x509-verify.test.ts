// Client chain verification against a CA bundle, as Go's x509.Verify with ClientAuth.
import t from 'tap';
import { X509Certificate } from 'node:crypto';
import { parseCABundle } from '../../../src/server/authn/ca-bundle.js';
import { verifyClientChain } from '../../../src/server/authn/x509-verify.js';
import { AuthenticationError } from '../../../src/server/authn/user.js';
import { createCA, issueCert } from '../../../src/util/pki.js';
import { issueIntermediate } from './x509-helpers.js';

const x = (pem: string) => new X509Certificate(pem);

t.test('chain building', async (t) => {
  const root = await createCA('root');
  const other = await createCA('other');
  const inter = await issueIntermediate(root, 'intermediate');
  const notCA = await issueIntermediate(root, 'not-a-ca', false);
  const direct = await issueCert(root, { cn: 'direct', clientAuth: true });
  const viaInter = await issueCert(inter, { cn: 'via', clientAuth: true });
  const viaNotCA = await issueCert(notCA, { cn: 'via-not-ca', clientAuth: true });
  const serverOnly = await issueCert(root, { cn: 'server', serverAuth: true });
  const noEku = await issueCert(root, { cn: 'no-eku' });
  const expired = await issueCert(root, { cn: 'old', clientAuth: true, notBefore: new Date(Date.now() - 10 * 86_400_000), days: 1 });
  const future = await issueCert(root, { cn: 'future', clientAuth: true, notBefore: new Date(Date.now() + 86_400_000) });
  const bundle = parseCABundle(other.cert + root.cert, 'test');

  t.equal(verifyClientChain(x(direct.cert), [], bundle).length, 2, 'leaf → root');
  t.same(verifyClientChain(x(viaInter.cert), [x(inter.cert)], bundle).map((c) => c.subject), ['CN=via', 'CN=intermediate', 'CN=root'], 'leaf → sent intermediate → root');
  t.equal(verifyClientChain(x(noEku.cert), [], bundle).length, 2, 'no extended key usage means any usage');
  const unknown = { message: 'x509: certificate signed by unknown authority' };
  t.throws(() => verifyClientChain(x(viaInter.cert), [], bundle), unknown, 'intermediate missing');
  t.throws(() => verifyClientChain(x(viaNotCA.cert), [x(notCA.cert)], bundle), unknown, 'an intermediate without the CA flag cannot issue');
  t.throws(() => verifyClientChain(x(direct.cert), [], parseCABundle(other.cert, 'other')), unknown, 'wrong CA');
  t.throws(() => verifyClientChain(x(direct.cert), [x(root.cert)], parseCABundle(other.cert, 'other')), unknown, 'a root sent by the client is never trusted');
  t.throws(() => verifyClientChain(x(serverOnly.cert), [], bundle), { message: 'x509: certificate specifies an incompatible key usage' });
  t.throws(() => verifyClientChain(x(expired.cert), [], bundle), /^x509: certificate has expired or is not yet valid/);
  t.throws(() => verifyClientChain(x(future.cert), [], bundle), AuthenticationError);
  const rogueRoot = await createCA('root'); // same name, different key
  const rogueLeaf = await issueCert(rogueRoot, { cn: 'direct', clientAuth: true });
  t.throws(() => verifyClientChain(x(rogueLeaf.cert), [], bundle), unknown, 'same issuer name, different key');
});

t.test('CA bundle parsing', async (t) => {
  const a = await createCA('a');
  const b = await createCA('b');
  t.equal(parseCABundle(`# comment\n${a.cert}\n${b.cert}`, 'f').certs.length, 2);
  t.throws(() => parseCABundle('', 'f.crt'), { message: 'f.crt: no certificates found in CA bundle' });
  t.throws(() => parseCABundle(a.key, 'f.crt'), /no certificates found/, 'a key is not a CA');
  t.throws(() => parseCABundle('-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n', 'f.crt'), /f.crt: invalid certificate in CA bundle/);
});
