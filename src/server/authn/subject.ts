// Subject CN and O of a certificate, decoded by @peculiar/x509 from the DER (Node.js
// only offers an escaped display string). Cached per certificate object.

import 'reflect-metadata';
import type { X509Certificate } from 'node:crypto';
import * as pkix from '@peculiar/x509';

export interface SubjectNames {
  commonName: string;
  organizations: string[];
}

const cache = new WeakMap<X509Certificate, SubjectNames>();

export function subjectNames(cert: X509Certificate): SubjectNames {
  let names = cache.get(cert);
  if (!names) {
    const name = new pkix.X509Certificate(cert.raw).subjectName;
    // Go's pkix.Name keeps the last CN of a subject with several; so must we, or a
    // certificate could name a different user here than in kube-apiserver.
    names = { commonName: name.getField('CN').at(-1) ?? '', organizations: name.getField('O') };
    cache.set(cert, names);
  }
  return names;
}
