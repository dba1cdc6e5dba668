// Certificates pki.ts does not issue: intermediate CAs, expired leaves.
import 'reflect-metadata';
import { webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';
import type { IssuedCert } from '../../../src/util/pki.js';

const ALG = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;

async function pem(cert: x509.X509Certificate, keys: webcrypto.CryptoKeyPair): Promise<IssuedCert> {
  const pkcs8 = await webcrypto.subtle.exportKey('pkcs8', keys.privateKey);
  const b64 = Buffer.from(pkcs8).toString('base64').replace(/.{64}/g, '$&\n');
  return { cert: cert.toString('pem') + '\n', key: `-----BEGIN PRIVATE KEY-----\n${b64}${b64.endsWith('\n') ? '' : '\n'}-----END PRIVATE KEY-----\n`, keys, x509: cert };
}

export interface IntermediateOptions {
  /** BasicConstraints pathLenConstraint. */
  pathLength?: number;
  /** Add a critical name-constraints extension (which the verifier does not enforce). */
  nameConstraints?: boolean;
}

/** An intermediate CA signed by parent; isCA false makes a look-alike that must not be accepted as an issuer. */
export async function issueIntermediate(parent: IssuedCert, cn: string, isCA = true, opts: IntermediateOptions = {}): Promise<IssuedCert> {
  const keys = (await webcrypto.subtle.generateKey(ALG, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
  const cert = await x509.X509CertificateGenerator.create({
    subject: `CN=${cn}`,
    issuer: parent.x509.subject,
    publicKey: keys.publicKey,
    signingKey: parent.keys.privateKey,
    signingAlgorithm: ALG,
    notBefore: new Date(Date.now() - 60_000),
    notAfter: new Date(Date.now() + 86_400_000),
    extensions: [
      new x509.BasicConstraintsExtension(isCA, opts.pathLength, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.digitalSignature, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
      await x509.AuthorityKeyIdentifierExtension.create(parent.keys.publicKey),
      // NameConstraints (2.5.29.30) permitting DNS example.com: a SEQUENCE { [0] { SEQUENCE { [2] "example.com" } } }
      ...(opts.nameConstraints ? [new x509.Extension('2.5.29.30', true, Buffer.from('3011a00f300d820b6578616d706c652e636f6d', 'hex'))] : []),
    ],
  });
  return pem(cert, keys);
}

/** n self-signed CA certificates with one name and one key (look-alikes), and a client leaf that key signed. */
export async function lookAlikeChain(n: number): Promise<{ leaf: IssuedCert; cas: IssuedCert[] }> {
  const keys = (await webcrypto.subtle.generateKey(ALG, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
  const cas: IssuedCert[] = [];
  for (let i = 0; i < n; i++) {
    const cert = await x509.X509CertificateGenerator.createSelfSigned({
      name: 'CN=look-alike',
      keys,
      signingAlgorithm: ALG,
      serialNumber: (i + 1).toString(16).padStart(2, '0'),
      notBefore: new Date(Date.now() - 60_000),
      notAfter: new Date(Date.now() + 86_400_000),
      extensions: [new x509.BasicConstraintsExtension(true, undefined, true), new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign, true)],
    });
    cas.push(await pem(cert, keys));
  }
  const leafKeys = (await webcrypto.subtle.generateKey(ALG, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
  const leaf = await x509.X509CertificateGenerator.create({
    subject: 'CN=attacker',
    issuer: 'CN=look-alike',
    publicKey: leafKeys.publicKey,
    signingKey: keys.privateKey,
    signingAlgorithm: ALG,
    notBefore: new Date(Date.now() - 60_000),
    notAfter: new Date(Date.now() + 86_400_000),
    extensions: [new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.clientAuth])],
  });
  return { leaf: await pem(leaf, leafKeys), cas };
}
