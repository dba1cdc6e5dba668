// TLS settings from the serving flags: --tls-min-version and --tls-cipher-suites
// (upstream's IANA names, mapped to the OpenSSL names Node.js understands).

import { getCiphers, type SecureVersion } from 'node:tls';

export class TlsConfigError extends Error {
  override name = 'TlsConfigError';
}

const MIN_VERSIONS: Record<string, SecureVersion> = {
  VersionTLS10: 'TLSv1',
  VersionTLS11: 'TLSv1.1',
  VersionTLS12: 'TLSv1.2',
  VersionTLS13: 'TLSv1.3',
};

// The names k8s.io/component-base's cipher suite flag accepts (Go's crypto/tls names).
const IANA_TO_OPENSSL: Record<string, string> = {
  TLS_RSA_WITH_RC4_128_SHA: 'RC4-SHA',
  TLS_RSA_WITH_3DES_EDE_CBC_SHA: 'DES-CBC3-SHA',
  TLS_RSA_WITH_AES_128_CBC_SHA: 'AES128-SHA',
  TLS_RSA_WITH_AES_256_CBC_SHA: 'AES256-SHA',
  TLS_RSA_WITH_AES_128_CBC_SHA256: 'AES128-SHA256',
  TLS_RSA_WITH_AES_128_GCM_SHA256: 'AES128-GCM-SHA256',
  TLS_RSA_WITH_AES_256_GCM_SHA384: 'AES256-GCM-SHA384',
  TLS_ECDHE_ECDSA_WITH_RC4_128_SHA: 'ECDHE-ECDSA-RC4-SHA',
  TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA: 'ECDHE-ECDSA-AES128-SHA',
  TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA: 'ECDHE-ECDSA-AES256-SHA',
  TLS_ECDHE_RSA_WITH_RC4_128_SHA: 'ECDHE-RSA-RC4-SHA',
  TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA: 'ECDHE-RSA-DES-CBC3-SHA',
  TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA: 'ECDHE-RSA-AES128-SHA',
  TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA: 'ECDHE-RSA-AES256-SHA',
  TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256: 'ECDHE-ECDSA-AES128-SHA256',
  TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256: 'ECDHE-RSA-AES128-SHA256',
  TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256: 'ECDHE-RSA-AES128-GCM-SHA256',
  TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256: 'ECDHE-ECDSA-AES128-GCM-SHA256',
  TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384: 'ECDHE-RSA-AES256-GCM-SHA384',
  TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384: 'ECDHE-ECDSA-AES256-GCM-SHA384',
  TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305: 'ECDHE-RSA-CHACHA20-POLY1305',
  TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256: 'ECDHE-RSA-CHACHA20-POLY1305',
  TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305: 'ECDHE-ECDSA-CHACHA20-POLY1305',
  TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256: 'ECDHE-ECDSA-CHACHA20-POLY1305',
  TLS_AES_128_GCM_SHA256: 'TLS_AES_128_GCM_SHA256',
  TLS_AES_256_GCM_SHA384: 'TLS_AES_256_GCM_SHA384',
  TLS_CHACHA20_POLY1305_SHA256: 'TLS_CHACHA20_POLY1305_SHA256',
};

// Go never lets TLS 1.3 suites be configured, so they stay enabled whatever the flag says.
const TLS13_SUITES = ['TLS_AES_128_GCM_SHA256', 'TLS_AES_256_GCM_SHA384', 'TLS_CHACHA20_POLY1305_SHA256'];

export interface TlsSettings {
  minVersion: SecureVersion;
  /** OpenSSL cipher string; undefined keeps Node.js defaults. */
  ciphers?: string;
}

export function tlsMinVersion(name: string): SecureVersion {
  const v = MIN_VERSIONS[name];
  if (!v) throw new TlsConfigError(`unknown tls version "${name}": allowed values are ${Object.keys(MIN_VERSIONS).join(', ')}`);
  return v;
}

/** Maps IANA cipher suite names to an OpenSSL cipher string; unknown or unsupported names throw. */
export function tlsCipherString(names: readonly string[]): string | undefined {
  if (names.length === 0) return undefined;
  const available = new Set(getCiphers().map((c) => c.toUpperCase()));
  const out: string[] = [];
  for (const name of names) {
    const openssl = IANA_TO_OPENSSL[name];
    if (!openssl) throw new TlsConfigError(`Cipher suite ${name} not supported or doesn't exist`);
    if (!available.has(openssl.toUpperCase())) {
      throw new TlsConfigError(`cipher suite ${name} (${openssl}) is not available in this Node.js build's OpenSSL`);
    }
    if (!out.includes(openssl)) out.push(openssl);
  }
  for (const s of TLS13_SUITES) if (!out.includes(s)) out.push(s);
  return out.join(':');
}

export function tlsSettings(opts: { tlsMinVersion: string; tlsCipherSuites: readonly string[] }): TlsSettings {
  const settings: TlsSettings = { minVersion: tlsMinVersion(opts.tlsMinVersion) };
  const ciphers = tlsCipherString(opts.tlsCipherSuites);
  if (ciphers !== undefined) settings.ciphers = ciphers;
  return settings;
}
