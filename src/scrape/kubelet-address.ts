// Where a node's kubelet listens: the first node address of the most preferred
// type (--kubelet-preferred-address-types), and --kubelet-port unless
// --kubelet-use-node-status-port and the node reports a port
// (status.daemonEndpoints.kubeletEndpoint.Port). Upstream: pkg/utils/address_resolver.go.

import { isIP, isIPv6 } from 'node:net';
import type { NodeInfo } from '../kube/node-info.js';
import { ScrapeError } from './scrape-error.js';

export interface KubeletEndpointConfig {
  /** --kubelet-port */
  port: number;
  /** --kubelet-use-node-status-port */
  useNodeStatusPort: boolean;
  /** --kubelet-preferred-address-types, most preferred first. */
  preferredAddressTypes: readonly string[];
}

/** The node's address of the first preferred type that it has, or undefined. */
export function preferredAddress(node: Pick<NodeInfo, 'addresses'>, types: readonly string[]): string | undefined {
  for (const type of types) {
    for (const a of node.addresses) if (a.type === type && a.address !== '') return a.address;
  }
  return undefined;
}

export function kubeletPort(node: Pick<NodeInfo, 'kubeletPort'>, cfg: KubeletEndpointConfig): number {
  return cfg.useNodeStatusPort && node.kubeletPort > 0 ? node.kubeletPort : cfg.port;
}

/** "https://host:port" of the node's kubelet (IPv6 bracketed); throws ScrapeError("address") when no address matches. */
export function kubeletOrigin(node: Pick<NodeInfo, 'name' | 'addresses' | 'kubeletPort'>, cfg: KubeletEndpointConfig): string {
  const addr = preferredAddress(node, cfg.preferredAddressTypes);
  if (addr === undefined) {
    throw new ScrapeError('address', `node ${node.name}: no address matched types [${cfg.preferredAddressTypes.join(' ')}]`);
  }
  // A hostile or broken address must not turn into another URL (userinfo, path, port).
  // A DNS name may be absolute (trailing dot, e.g. ip-10-0-0-1.ec2.internal.).
  if (!isIP(addr) && !/^[A-Za-z0-9]([A-Za-z0-9._-]*[A-Za-z0-9])?\.?$/.test(addr)) {
    throw new ScrapeError('address', `node ${node.name}: invalid address ${JSON.stringify(addr.slice(0, 100))}`);
  }
  const host = isIPv6(addr) ? `[${addr}]` : addr;
  return `https://${host}:${kubeletPort(node, cfg)}`;
}

/**
 * The TLS server name (SNI) for a kubelet host: none for an IP address, and a DNS
 * name without its trailing dot, which RFC 6066 forbids and Go's TLS server (the
 * kubelet's) rejects; Go's client strips it the same way.
 */
export function kubeletServerName(host: string): string | undefined {
  if (isIP(host)) return undefined;
  return host.endsWith('.') ? host.slice(0, -1) : host;
}
