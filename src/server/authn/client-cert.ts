// x509 client-certificate authentication against --client-ca-file (or the
// ConfigMap's client-ca-file): user = subject CN, groups = subject O.

import { createHash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Authenticator } from './authenticator.js';
import type { CAProvider } from './ca-bundle.js';
import { peerChain, verifyPeer } from './peer-certificates.js';
import { subjectNames } from './subject.js';
import type { UserInfo } from './user.js';

/** GAS records which certificate authenticated the user under this extra key. */
export const CREDENTIAL_ID_KEY = 'authentication.kubernetes.io/credential-id';

export class ClientCertAuthenticator implements Authenticator {
  constructor(private readonly ca: CAProvider) {}

  authenticate(req: IncomingMessage): UserInfo | undefined {
    const bundle = this.ca.current();
    if (!bundle) return undefined;
    const peer = peerChain(req);
    if (!peer) return undefined;
    const [leaf] = verifyPeer(peer, bundle);
    const { commonName, organizations } = subjectNames(leaf!);
    if (commonName === '') return undefined;
    const id = createHash('sha256').update(leaf!.raw).digest('hex');
    return { name: commonName, groups: [...organizations], extra: { [CREDENTIAL_ID_KEY]: [`X509SHA256=${id}`] } };
  }
}
