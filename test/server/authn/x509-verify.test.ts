// Client chain verification against a CA bundle, as Go's x509.Verify with ClientAuth.
import t from 'tap';
import 'reflect-metadata';
import { X509Certificate, webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';
import { parseCABundle } from '../../../src/server/authn/ca-bundle.js';
import { verifyClientChain } from '../../../src/server/authn/x509-verify.js';
import { AuthenticationError } from '../../../src/server/authn/user.js';
import { createCA, issueCert } from '../../../src/util/pki.js';
import { issueIntermediate, lookAlikeChain } from './x509-helpers.js';
import { subjectNames } from '../../../src/server/authn/subject.js';

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

t.test('look-alike CA certificates from the client cannot make verification explode', { timeout: 20_000 }, async (t) => {
  const root = await createCA('root');
  const bundle = parseCABundle(root.cert, 'test');
  const { leaf, cas } = await lookAlikeChain(8);
  const started = performance.now();
  // Every ordering of 8 mutually-issuing certificates is ~10^5 chains; the signature budget ends the search.
  t.throws(() => verifyClientChain(x(leaf.cert), cas.map((c) => x(c.cert)), bundle), AuthenticationError);
  t.ok(performance.now() - started < 5_000, 'bounded (unbounded search takes many seconds)');
});

t.test('path length constraints and unhandled critical extensions', async (t) => {
  const root = await createCA('root');
  const bundle = parseCABundle(root.cert, 'test');
  const capped = await issueIntermediate(root, 'capped', true, { pathLength: 0 });
  const sub = await issueIntermediate(capped, 'rogue-sub-ca');
  const leafUnderSub = await issueCert(sub, { cn: 'admin', o: ['system:masters'], clientAuth: true });
  const leafUnderCapped = await issueCert(capped, { cn: 'fine', clientAuth: true });
  const unknown = { message: 'x509: certificate signed by unknown authority' };
  t.equal(verifyClientChain(x(leafUnderCapped.cert), [x(capped.cert)], bundle).length, 3, 'pathlen 0 may issue leaves');
  t.throws(() => verifyClientChain(x(leafUnderSub.cert), [x(sub.cert), x(capped.cert)], bundle), unknown, 'pathlen 0 may not issue a CA');
  const constrained = await issueIntermediate(root, 'constrained', true, { nameConstraints: true });
  const leafUnderConstrained = await issueCert(constrained, { cn: 'x', clientAuth: true });
  t.throws(() => verifyClientChain(x(leafUnderConstrained.cert), [x(constrained.cert)], bundle), unknown, 'critical name constraints are not enforced here, so not trusted');
});

t.test('the user name is the last CN, as Go reads it', async (t) => {
  const root = await createCA('root');
  const cert = await issueCert(root, { cn: 'placeholder', clientAuth: true });
  t.equal(subjectNames(x(cert.cert)).commonName, 'placeholder');
  // A subject with two CNs: build one with @peculiar/x509 directly.
  const alg = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
  const keys = (await webcrypto.subtle.generateKey(alg, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
  const two = await x509.X509CertificateGenerator.createSelfSigned({ name: 'CN=first, CN=system:node:worker1, O=system:nodes', keys, signingAlgorithm: alg });
  t.equal(subjectNames(x(two.toString('pem'))).commonName, 'system:node:worker1');
});
