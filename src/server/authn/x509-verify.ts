// Client certificate chain verification, done per request against the right CA
// bundle instead of at the handshake (like Go's x509.Verify with
// ExtKeyUsageClientAuth): signatures, issuer names, CA flags on intermediates,
// validity dates, extended key usage, path length constraints and critical
// extensions. Intermediates come from the client, so the search is bounded like
// Go's (maxChainSignatureChecks): a client sending many look-alike CA
// certificates cannot make us try every ordering of them.

import type { X509Certificate } from 'node:crypto';
import { constraintsOf } from './x509-constraints.js';
import { AuthenticationError } from './user.js';
import type { CABundle } from './ca-bundle.js';

const EKU_CLIENT_AUTH = '1.3.6.1.5.5.7.3.2';
const EKU_ANY = '2.5.29.37.0';
const MAX_DEPTH = 8;
/** Go's crypto/x509 maxChainSignatureChecks. */
export const MAX_SIGNATURE_CHECKS = 100;

function validAt(c: X509Certificate, now: number): boolean {
  return Date.parse(c.validFrom) <= now && now <= Date.parse(c.validTo);
}

/** Every CA in the chain allows the number of intermediates below it, and no certificate carries a critical extension we do not enforce. */
function constraintsHold(chain: readonly X509Certificate[]): boolean {
  for (let i = 0; i < chain.length; i++) {
    const c = constraintsOf(chain[i]!);
    if (c.unhandledCritical) return false;
    // Below chain[i] (i ≥ 1) sit chain[1..i-1]: i - 1 intermediates.
    if (i >= 1 && c.pathLength !== undefined && i - 1 > c.pathLength) return false;
  }
  return true;
}

function usableForClientAuth(c: X509Certificate): boolean {
  const eku = c.keyUsage; // Node.js reports the extended key usage OIDs here; undefined = any
  return eku === undefined || eku.includes(EKU_CLIENT_AUTH) || eku.includes(EKU_ANY);
}

/**
 * Returns the verified chain, leaf first and trusted root last, or throws
 * AuthenticationError with Go's x509 error wording.
 */
export function verifyClientChain(leaf: X509Certificate, intermediates: readonly X509Certificate[], roots: CABundle, now = Date.now()): X509Certificate[] {
  if (!validAt(leaf, now)) {
    throw new AuthenticationError(`x509: certificate has expired or is not yet valid: current time ${new Date(now).toISOString()} is outside ${new Date(leaf.validFrom).toISOString()} - ${new Date(leaf.validTo).toISOString()}`);
  }
  let incompatibleUsage = false;
  let signatureChecks = 0;
  // Results per (child, parent) pair: a dead end is never checked twice.
  const memo = new Map<string, boolean>();
  const issuedBy = (child: X509Certificate, parent: X509Certificate): boolean => {
    // checkIssued compares names, key identifiers and the parent's keyCertSign usage (cheap).
    if (!child.checkIssued(parent)) return false;
    const key = `${child.fingerprint256}>${parent.fingerprint256}`;
    let ok = memo.get(key);
    if (ok === undefined) {
      if (++signatureChecks > MAX_SIGNATURE_CHECKS) throw new AuthenticationError('x509: signature check attempts limit reached while verifying certificate chain');
      ok = child.verify(parent.publicKey);
      memo.set(key, ok);
    }
    return ok;
  };
  const build = (cert: X509Certificate, chain: X509Certificate[]): X509Certificate[] | undefined => {
    for (const root of roots.certs) {
      const isRoot = cert.fingerprint256 === root.fingerprint256;
      if (!isRoot && !(validAt(root, now) && issuedBy(cert, root))) continue;
      const full = isRoot ? chain : [...chain, root];
      if (!constraintsHold(full)) continue;
      if (full.every(usableForClientAuth)) return full;
      incompatibleUsage = true;
    }
    if (chain.length >= MAX_DEPTH) return undefined;
    for (const inter of intermediates) {
      if (!inter.ca || chain.some((c) => c.fingerprint256 === inter.fingerprint256)) continue;
      if (!validAt(inter, now) || !issuedBy(cert, inter)) continue;
      const found = build(inter, [...chain, inter]);
      if (found) return found;
    }
    return undefined;
  };
  const chain = build(leaf, [leaf]);
  if (chain) return chain;
  if (incompatibleUsage) throw new AuthenticationError('x509: certificate specifies an incompatible key usage');
  throw new AuthenticationError('x509: certificate signed by unknown authority');
}
