// Subject CN and O of a certificate, decoded by @peculiar/x509 from the DER (Node.js
// only offers an escaped display string). Cached per certificate.

import 'reflect-metadata';
import type { X509Certificate } from 'node:crypto';
import * as pkix from '@peculiar/x509';
import { LRUCache } from 'lru-cache';

export interface SubjectNames {
  commonName: string;
  organizations: string[];
}

// Per certificate object, and by DER digest: every new TLS connection brings its
// own object for the same client certificate, and the decoding costs milliseconds.
const byObject = new WeakMap<X509Certificate, SubjectNames>();
const byFingerprint = new LRUCache<string, SubjectNames>({ max: 1024 });

export function subjectNames(cert: X509Certificate): SubjectNames {
  let names = byObject.get(cert);
  if (!names) {
    const fingerprint = cert.fingerprint256;
    names = byFingerprint.get(fingerprint);
    if (!names) {
      const name = new pkix.X509Certificate(cert.raw).subjectName;
      // Go's pkix.Name keeps the last CN of a subject with several; so must we, or a
      // certificate could name a different user here than in kube-apiserver.
      names = { commonName: name.getField('CN').at(-1) ?? '', organizations: name.getField('O') };
      byFingerprint.set(fingerprint, names);
    }
    byObject.set(cert, names);
  }
  return names;
}
