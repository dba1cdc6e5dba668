// Every certificate and token of the simulated cluster, generated at start: the
// cluster CA (apiserver, kubelet and metrics-server serving certs, admin client
// cert), the front-proxy CA with its front-proxy-client cert, and bearer tokens.

import { randomBytes } from 'node:crypto';
import { createCA, issueCert, type IssuedCert } from '../util/pki.js';

export interface ClusterPki {
  clusterCa: IssuedCert;
  apiserverServing: IssuedCert;
  kubeletServing: IssuedCert;
  /** For a metrics server that should present a cluster-signed certificate. */
  metricsServerServing: IssuedCert;
  adminClient: IssuedCert;
  frontProxyCa: IssuedCert;
  frontProxyClient: IssuedCert;
  tokens: { admin: string; viewer: string; metricsServer: string };
}

const LOOPBACK = { dns: ['localhost'], ips: ['127.0.0.1', '::1'] };

export async function createClusterPki(): Promise<ClusterPki> {
  const [clusterCa, frontProxyCa] = await Promise.all([createCA('kubernetes'), createCA('front-proxy-ca')]);
  const [apiserverServing, kubeletServing, metricsServerServing, adminClient, frontProxyClient] = await Promise.all([
    issueCert(clusterCa, { cn: 'kube-apiserver', dns: [...LOOPBACK.dns, 'kubernetes', 'kubernetes.default', 'kubernetes.default.svc'], ips: LOOPBACK.ips, serverAuth: true }),
    issueCert(clusterCa, { cn: 'sim-kubelet', dns: LOOPBACK.dns, ips: LOOPBACK.ips, serverAuth: true }),
    issueCert(clusterCa, { cn: 'metrics-server', dns: [...LOOPBACK.dns, 'metrics-server.kube-system.svc'], ips: LOOPBACK.ips, serverAuth: true }),
    issueCert(clusterCa, { cn: 'kubernetes-admin', o: ['system:masters'], clientAuth: true }),
    issueCert(frontProxyCa, { cn: 'front-proxy-client', clientAuth: true }),
  ]);
  const token = (): string => randomBytes(24).toString('base64url');
  return {
    clusterCa,
    apiserverServing,
    kubeletServing,
    metricsServerServing,
    adminClient,
    frontProxyCa,
    frontProxyClient,
    tokens: { admin: token(), viewer: token(), metricsServer: token() },
  };
}
