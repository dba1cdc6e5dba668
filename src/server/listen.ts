// Binds the secure port. --permit-port-sharing is SO_REUSEPORT (Node's reusePort,
// from Node.js 22.12 / 23.1): several instances may then listen on one address
// and port. SO_REUSEADDR needs no flag: libuv sets it on every listening socket.

import type { Server } from 'node:net';
import type { Options } from '../options.js';

export type ListenFlags = Pick<Options, 'securePort' | 'bindAddress' | 'permitPortSharing'>;

/** True when this Node.js honours listen({ reusePort }); older ones ignore the option silently. */
export function supportsReusePort(version: string = process.versions.node): boolean {
  const [major = 0, minor = 0] = version.split('.').map(Number);
  return major > 23 || (major === 23 && minor >= 1) || (major === 22 && minor >= 12);
}

/** Resolves once the server listens; rejects with the bind error (EADDRINUSE...). */
export function listen(server: Server, o: ListenFlags): Promise<void> {
  if (o.permitPortSharing && !supportsReusePort()) {
    return Promise.reject(new Error(`--permit-port-sharing needs Node.js 22.12 or later, this is ${process.versions.node}`));
  }
  return new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ port: o.securePort, host: o.bindAddress, reusePort: o.permitPortSharing }, () => {
      server.off('error', reject);
      resolve();
    });
  });
}
