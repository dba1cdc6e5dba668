// What a KubeConfig says about how to reach and authenticate to a server: TLS
// material for the connection and headers for each request. Both the API
// client and the kubelet client start from here (upstream reuses its rest.Config
// for kubelets too). Headers are re-read per call so that rotating service
// account tokens and exec plugins keep working.

import type { ConnectionOptions } from 'node:tls';
import type { RequestOptions } from 'node:https';
import type { KubeConfig } from '@kubernetes/client-node';

export interface ClientCredentials {
  /** TLS options for undici's `connect` (ca, cert, key, rejectUnauthorized, servername). */
  tls: ConnectionOptions;
  /** Request headers: Authorization (bearer or basic) and impersonation, when configured. */
  headers: Record<string, string>;
}

/** Resolves the current context's credentials (reads token, CA and key files as configured). */
export async function clientCredentials(kc: KubeConfig): Promise<ClientCredentials> {
  const opts: RequestOptions = {};
  await kc.applyToHTTPSOptions(opts);
  const tls: ConnectionOptions = {};
  if (opts.ca) tls.ca = opts.ca;
  if (opts.cert) tls.cert = opts.cert;
  if (opts.key) tls.key = opts.key;
  if (opts.rejectUnauthorized === false) tls.rejectUnauthorized = false;
  if (opts.servername) tls.servername = opts.servername;
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(opts.headers ?? {})) {
    if (v !== undefined) headers[k] = Array.isArray(v) ? v.join(', ') : String(v);
  }
  if (typeof opts.auth === 'string' && opts.auth !== ':' && !headers.Authorization) {
    headers.Authorization = `Basic ${Buffer.from(opts.auth).toString('base64')}`;
  }
  return { tls, headers };
}
