// X.509 issuance with @peculiar/x509 over Node's WebCrypto: a CA, then serving and
// client certificates signed by it. Used for the self-signed serving certificate,
// the simulated cluster and tests. ECDSA P-256 keeps generation fast.

// @peculiar/x509 resolves its services through tsyringe, which needs the Reflect metadata polyfill.
import 'reflect-metadata';
import { webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

type CryptoKeyPair = webcrypto.CryptoKeyPair;

const ALG = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;

export interface IssuedCert {
  /** PEM certificate. */
  cert: string;
  /** PEM PKCS#8 private key. */
  key: string;
  /** For signing further certificates (CAs only). */
  keys: CryptoKeyPair;
  x509: x509.X509Certificate;
}

export interface CertOptions {
  /** Subject common name. */
  cn: string;
  /** Subject organizations (groups for client certificates). */
  o?: string[];
  /** DNS names and IP addresses for serving certificates. */
  dns?: string[];
  ips?: string[];
  serverAuth?: boolean;
  clientAuth?: boolean;
  /** Validity in days (default 365). */
  days?: number;
  notBefore?: Date;
}

function subject(cn: string, o: string[] = []): string {
  const esc = (s: string) => s.replace(/([,+"\\<>;=])/g, '\\$1');
  return [`CN=${esc(cn)}`, ...o.map((g) => `O=${esc(g)}`)].join(', ');
}

async function toPem(cert: x509.X509Certificate, keys: CryptoKeyPair): Promise<IssuedCert> {
  const pkcs8 = await webcrypto.subtle.exportKey('pkcs8', keys.privateKey as webcrypto.CryptoKey);
  const b64 = Buffer.from(pkcs8).toString('base64').replace(/.{64}/g, '$&\n');
  const key = `-----BEGIN PRIVATE KEY-----\n${b64}${b64.endsWith('\n') ? '' : '\n'}-----END PRIVATE KEY-----\n`;
  return { cert: cert.toString('pem') + '\n', key, keys, x509: cert };
}

async function generateKeys(): Promise<CryptoKeyPair> {
  return (await webcrypto.subtle.generateKey(ALG, true, ['sign', 'verify'])) as unknown as CryptoKeyPair;
}

function validity(opts: { days?: number; notBefore?: Date }): { notBefore: Date; notAfter: Date } {
  const notBefore = opts.notBefore ?? new Date(Date.now() - 60_000);
  return { notBefore, notAfter: new Date(notBefore.getTime() + (opts.days ?? 365) * 86_400_000) };
}

/** A self-signed certificate authority. */
export async function createCA(cn: string, days = 3650): Promise<IssuedCert> {
  const keys = await generateKeys();
  const cert = await x509.X509CertificateGenerator.createSelfSigned({

    name: subject(cn),
    keys,
    signingAlgorithm: ALG,
    ...validity({ days }),
    extensions: [
      new x509.BasicConstraintsExtension(true, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign | x509.KeyUsageFlags.digitalSignature, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return toPem(cert, keys);
}

/** A leaf certificate signed by ca. */
export async function issueCert(ca: IssuedCert, opts: CertOptions): Promise<IssuedCert> {
  const keys = await generateKeys();
  const usages: string[] = [];
  if (opts.serverAuth) usages.push(x509.ExtendedKeyUsage.serverAuth);
  if (opts.clientAuth) usages.push(x509.ExtendedKeyUsage.clientAuth);
  const extensions: x509.Extension[] = [
    new x509.BasicConstraintsExtension(false, undefined, true),
    new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment, true),
    await x509.AuthorityKeyIdentifierExtension.create(ca.keys.publicKey),
  ];
  if (usages.length) extensions.push(new x509.ExtendedKeyUsageExtension(usages));
  const names: x509.JsonGeneralName[] = [
    ...(opts.dns ?? []).map((value) => ({ type: 'dns' as const, value })),
    ...(opts.ips ?? []).map((value) => ({ type: 'ip' as const, value })),
  ];
  if (names.length) extensions.push(new x509.SubjectAlternativeNameExtension(names));
  const cert = await x509.X509CertificateGenerator.create({
    subject: subject(opts.cn, opts.o),
    issuer: ca.x509.subject,
    publicKey: keys.publicKey,
    signingKey: ca.keys.privateKey,
    signingAlgorithm: ALG,
    ...validity(opts),
    extensions,
  });
  return toPem(cert, keys);
}
