// KubeletClientConfig from the flags and the cluster KubeConfig, as upstream's
// options/kubelet_client.go: start from the apiserver credentials, then
// --kubelet-insecure-tls drops verification, --kubelet-certificate-authority
// replaces the CA, --kubelet-client-certificate/--kubelet-client-key replace
// the client certificate. The bearer token is kept in every case. The files the
// CA and the client certificate/key were read from are named in tlsFiles, so
// the client re-reads them as they rotate (client-go reloads a certificate and
// key only when both come from files, not inline data).

import { readFileSync } from 'node:fs';
import type { ConnectionOptions } from 'node:tls';
import type { KubeConfig } from '@kubernetes/client-node';
import type { Options } from '../options.js';
import { clientCredentials } from '../kube/credentials.js';
import type { KubeletClientConfig } from './kubelet-client.js';
import type { KubeletTlsFiles } from './kubelet-tls-context.js';

type KubeletFlags = Pick<
  Options,
  | 'kubeletSource'
  | 'kubeletPort'
  | 'kubeletUseNodeStatusPort'
  | 'kubeletPreferredAddressTypes'
  | 'kubeletInsecureTls'
  | 'kubeletCertificateAuthority'
  | 'kubeletClientCertificate'
  | 'kubeletClientKey'
  | 'kubeletRequestTimeoutNs'
  | 'kubeletMaxResponseBytes'
  | 'metricResolutionNs'
>;

function readFlagFile(flag: string, path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (e) {
    throw new Error(`--${flag}: cannot read ${path}: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
  }
}

export async function kubeletClientConfig(o: KubeletFlags, kc: KubeConfig): Promise<KubeletClientConfig> {
  const base = await clientCredentials(kc);
  // client-node reads a kubeconfig's file in preference to its inline data: a path set is where the bytes came from.
  const cluster = kc.getCurrentCluster();
  const user = kc.getCurrentUser();
  const tls: ConnectionOptions = {};
  const files: KubeletTlsFiles = {};
  if (o.kubeletInsecureTls) tls.rejectUnauthorized = false;
  else if (o.kubeletCertificateAuthority !== undefined) {
    tls.ca = readFlagFile('kubelet-certificate-authority', o.kubeletCertificateAuthority);
    files.ca = o.kubeletCertificateAuthority;
  } else if (base.tls.ca) {
    tls.ca = base.tls.ca;
    if (cluster?.caFile) files.ca = cluster.caFile;
  } else if (base.tls.rejectUnauthorized === false) tls.rejectUnauthorized = false; // kubeconfig insecure-skip-tls-verify carries over
  // The kubeconfig's tls-server-name is the apiserver's name, never a kubelet's: not carried over.

  if (o.kubeletClientCertificate !== undefined && o.kubeletClientKey !== undefined) {
    tls.cert = readFlagFile('kubelet-client-certificate', o.kubeletClientCertificate);
    tls.key = readFlagFile('kubelet-client-key', o.kubeletClientKey);
    files.cert = o.kubeletClientCertificate;
    files.key = o.kubeletClientKey;
  } else if (base.tls.cert && base.tls.key) {
    tls.cert = base.tls.cert;
    tls.key = base.tls.key;
    if (user?.certFile && user.keyFile) {
      files.cert = user.certFile;
      files.key = user.keyFile;
    }
  }

  return {
    source: o.kubeletSource,
    port: o.kubeletPort,
    useNodeStatusPort: o.kubeletUseNodeStatusPort,
    preferredAddressTypes: o.kubeletPreferredAddressTypes,
    tls,
    ...(Object.keys(files).length > 0 ? { tlsFiles: files } : {}),
    // Kubelets take the bearer token (or basic auth) only; impersonation headers are for the apiserver.
    credentials: async (): Promise<Record<string, string>> => {
      const { headers } = await clientCredentials(kc);
      return headers.Authorization ? { Authorization: headers.Authorization } : {};
    },
    requestTimeoutMs: o.kubeletRequestTimeoutNs / 1e6,
    maxResponseBytes: o.kubeletMaxResponseBytes,
    keepAliveMs: Math.max(60_000, (2 * o.metricResolutionNs) / 1e6),
  };
}
