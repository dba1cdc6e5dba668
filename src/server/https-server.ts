// The HTTPS listener: serving certificate from flags or self-signed, TLS version and
// cipher flags, client certificates requested but verified later by the
// authenticators (GAS uses tls.RequestClientCert). The serving cert/key are
// swapped in with setSecureContext when they change on disk: new connections get
// the new certificate, open connections keep going.

import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createSecureContext } from 'node:tls';
import { DynamicFiles } from '../util/dynamic-file.js';
import { ensureServingCert } from './serving-cert.js';
import { tlsSettings } from './tls.js';
import type { Logger } from '../log.js';
import type { Options } from '../options.js';

export type ServingOptions = Pick<Options, 'tlsCertFile' | 'tlsPrivateKeyFile' | 'certDir' | 'advertiseAddress' | 'tlsMinVersion' | 'tlsCipherSuites'>;

export interface SecureServerDeps {
  log?: Logger;
  /** How often the certificate files are re-checked besides fs.watch, ms. */
  pollMs?: number;
}

type RequestListener = (req: IncomingMessage, res: ServerResponse) => void;

/**
 * Creates (does not listen) the HTTPS server. Throws on unknown TLS settings or
 * unreadable/mismatched certificate files, so start-up fails with a clear error.
 * The file watchers stop when the server closes.
 */
export async function createSecureServer(opts: ServingOptions, requestListener: RequestListener, deps: SecureServerDeps = {}): Promise<Server> {
  const settings = tlsSettings(opts);
  const files = await ensureServingCert(opts, deps.log);
  const context = (cert: Buffer, key: Buffer) => ({ cert, key, ...settings });

  const dynamic = await DynamicFiles.open(
    [files.certFile, files.keyFile],
    ([cert, key]) => {
      const ctx = context(cert!, key!);
      createSecureContext(ctx); // throws on a bad or mismatched pair, keeping the old one
      server.setSecureContext(ctx);
    },
    { log: deps.log, pollMs: deps.pollMs },
  );
  const [cert, key] = dynamic.current;
  let server: Server;
  try {
    server = createServer({ ...context(cert!, key!), requestCert: true, rejectUnauthorized: false }, requestListener);
  } catch (e) {
    dynamic.close();
    throw new Error(`invalid serving certificate ${files.certFile} / ${files.keyFile}: ${(e as Error).message}`, { cause: e });
  }
  server.on('close', () => dynamic.close());
  return server;
}
