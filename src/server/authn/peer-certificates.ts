// The client certificate chain presented on a request's TLS connection, parsed
// once per connection, and verification results cached per connection and CA
// bundle (front-proxy connections are long-lived and carry many requests, over
// HTTP/2 all of the aggregator's at once), and
// across connections by the certificates' digests: a client that reconnects
// presents the same bytes, whose verification gives the same answer until the
// same time.

import { X509Certificate } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { LRUCache } from 'lru-cache';
import type { TLSSocket, DetailedPeerCertificate } from 'node:tls';
import { connectionOf } from '../h2-request.js';
import type { CABundle } from './ca-bundle.js';
import { AuthenticationError } from './user.js';
import { verifyClientChain } from './x509-verify.js';

type Verification = { chain?: X509Certificate[]; error?: Error; until: number };

export interface PeerChain {
  leaf: X509Certificate;
  /** SHA-256 fingerprints of the leaf and the intermediates, in order. */
  digest: string;
  /** Further certificates the client sent (candidates for intermediates, never trusted by themselves). */
  intermediates: X509Certificate[];
  verified: WeakMap<CABundle, Verification>;
}

const bySocket = new WeakMap<object, PeerChain | null>();

/** Verifications per CA bundle by chain digest (a new bundle starts empty). */
const byDigest = new WeakMap<CABundle, LRUCache<string, Verification>>();

/** Certificates beyond the leaf taken from a client; real chains have one or two. */
const MAX_INTERMEDIATES = 8;

// On a resumed TLS session the client sends no certificates: OpenSSL still knows the
// leaf but not the intermediates. Remember the intermediates last sent with each leaf
// (they are untrusted candidates either way, so reusing them is safe).
const intermediatesByLeaf = new LRUCache<string, X509Certificate[]>({ max: 1024 });

function readChain(socket: TLSSocket): PeerChain | null {
  if (typeof socket.getPeerCertificate !== 'function') return null;
  const pc = socket.getPeerCertificate(true) as DetailedPeerCertificate | undefined;
  if (!pc?.raw) return null;
  const leaf = new X509Certificate(pc.raw);
  const intermediates: X509Certificate[] = [];
  const seen = new Set<string>([leaf.fingerprint256]);
  // The issuer links end in a self-reference at a self-signed certificate.
  for (let c = pc.issuerCertificate; c?.raw && intermediates.length < MAX_INTERMEDIATES; c = c.issuerCertificate) {
    const x = new X509Certificate(c.raw);
    if (seen.has(x.fingerprint256)) break;
    seen.add(x.fingerprint256);
    intermediates.push(x);
  }
  if (intermediates.length > 0) intermediatesByLeaf.set(leaf.fingerprint256, intermediates);
  else if (socket.isSessionReused()) intermediates.push(...(intermediatesByLeaf.get(leaf.fingerprint256) ?? []));
  const digest = [leaf, ...intermediates].map((c) => c.fingerprint256).join('/');
  return { leaf, digest, intermediates, verified: new WeakMap() };
}

/** The peer chain of the request's connection, or undefined without a client certificate. */
export function peerChain(req: IncomingMessage): PeerChain | undefined {
  const socket = connectionOf(req);
  let chain = bySocket.get(socket);
  if (chain === undefined) {
    try {
      chain = readChain(socket);
    } catch {
      chain = null; // an unparseable certificate is no certificate
    }
    bySocket.set(socket, chain);
  }
  return chain ?? undefined;
}

/**
 * A failure as the caches keep it: its message, without a stack trace. An Error holds
 * the frames it was thrown from (their receivers and closures) until its stack is
 * read, so a cached one kept the first failing request's context, and the response
 * body later set on it, for as long as the entry lived.
 */
function cachedFailure(e: unknown): AuthenticationError {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    return new AuthenticationError(e instanceof Error ? e.message : String(e));
  } finally {
    Error.stackTraceLimit = limit;
  }
}

/**
 * verifyClientChain, remembered until the chain's earliest expiry (or a new
 * bundle); a failure is returned, not thrown: a certificate from another CA is
 * the common case on the front-proxy link, and unwinding for it per request costs.
 */
export function checkPeer(peer: PeerChain, roots: CABundle, now = Date.now()): X509Certificate[] | Error {
  const hit = peer.verified.get(roots);
  if (hit && now <= hit.until) return hit.error ?? hit.chain!;
  let shared = byDigest.get(roots);
  if (!shared) byDigest.set(roots, (shared = new LRUCache({ max: 1024 })));
  let v = shared.get(peer.digest);
  if (!v || now > v.until) {
    try {
      const chain = verifyClientChain(peer.leaf, peer.intermediates, roots, now);
      v = { chain, until: Math.min(...chain.map((c) => Date.parse(c.validTo))) };
    } catch (e) {
      // Failures are re-checked after a minute: a not-yet-valid certificate may become valid.
      v = { error: cachedFailure(e), until: now + 60_000 };
    }
    shared.set(peer.digest, v);
  }
  peer.verified.set(roots, v);
  return v.error ?? v.chain!;
}

/** checkPeer, throwing the failure. */
export function verifyPeer(peer: PeerChain, roots: CABundle, now = Date.now()): X509Certificate[] {
  const chain = checkPeer(peer, roots, now);
  if (chain instanceof Error) throw chain;
  return chain;
}
