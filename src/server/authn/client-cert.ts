// x509 client-certificate authentication against --client-ca-file (or the
// ConfigMap's client-ca-file): user = subject CN, groups = subject O.

import { createHash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Authenticator } from './authenticator.js';
import type { CAProvider } from './ca-bundle.js';
import { checkPeer, peerChain } from './peer-certificates.js';
import { subjectNames } from './subject.js';
import type { UserInfo } from './user.js';

/** GAS records which certificate authenticated the user under this extra key. */
export const CREDENTIAL_ID_KEY = 'authentication.kubernetes.io/credential-id';

interface CertIdentity {
  name: string;
  groups: readonly string[];
  credentialId: string;
}

// Per verified leaf certificate (one object per TLS connection): keep-alive clients
// such as Prometheus or the HPA's direct callers pay the subject decoding and the
// SHA-256 once per connection, not once per request.
const identities = new WeakMap<object, CertIdentity | null>();

function identityOf(leaf: Parameters<typeof subjectNames>[0]): CertIdentity | null {
  let id = identities.get(leaf);
  if (id === undefined) {
    const { commonName, organizations } = subjectNames(leaf);
    id = commonName === '' ? null : { name: commonName, groups: organizations, credentialId: `X509SHA256=${createHash('sha256').update(leaf.raw).digest('hex')}` };
    identities.set(leaf, id);
  }
  return id;
}

export class ClientCertAuthenticator implements Authenticator {
  constructor(private readonly ca: CAProvider) {}

  authenticate(req: IncomingMessage): UserInfo | Error | undefined {
    const bundle = this.ca.current();
    if (!bundle) return undefined;
    const peer = peerChain(req);
    if (!peer) return undefined;
    const chain = checkPeer(peer, bundle);
    if (chain instanceof Error) return chain;
    const id = identityOf(chain[0]!);
    if (!id) return undefined;
    return { name: id.name, groups: [...id.groups], extra: { [CREDENTIAL_ID_KEY]: [id.credentialId] } };
  }
}
