// What node:crypto's X509Certificate does not expose: BasicConstraints path
// length and the set of critical extensions, read with @peculiar/x509 once per
// certificate. Go rejects a chain with an unhandled critical extension (name
// constraints included: we do not enforce them, so such a CA is not trusted).

import 'reflect-metadata';
import type { X509Certificate } from 'node:crypto';
import * as x509 from '@peculiar/x509';
import { LRUCache } from 'lru-cache';

const HANDLED_CRITICAL = new Set([
  '2.5.29.15', // keyUsage
  '2.5.29.19', // basicConstraints
  '2.5.29.37', // extendedKeyUsage
  '2.5.29.17', // subjectAltName
  '2.5.29.14', // subjectKeyIdentifier
  '2.5.29.35', // authorityKeyIdentifier
  '2.5.29.32', // certificatePolicies (Go accepts it as critical)
]);

export interface CertConstraints {
  /** BasicConstraints pathLenConstraint, undefined when absent. */
  pathLength?: number;
  /** A critical extension we do not enforce (e.g. name constraints). */
  unhandledCritical: boolean;
}

const cache = new LRUCache<string, CertConstraints>({ max: 4096 });

export function constraintsOf(cert: X509Certificate): CertConstraints {
  const key = cert.fingerprint256;
  let c = cache.get(key);
  if (!c) {
    c = parse(cert);
    cache.set(key, c);
  }
  return c;
}

function parse(cert: X509Certificate): CertConstraints {
  let parsed: x509.X509Certificate;
  try {
    parsed = new x509.X509Certificate(new Uint8Array(cert.raw));
  } catch {
    return { unhandledCritical: true }; // unparseable here: never trusted
  }
  const bc = parsed.getExtension(x509.BasicConstraintsExtension);
  const unhandledCritical = parsed.extensions.some((e) => e.critical && !HANDLED_CRITICAL.has(e.type));
  return { pathLength: bc?.pathLength, unhandledCritical };
}
