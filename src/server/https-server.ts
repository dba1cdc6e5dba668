// The HTTPS listener: serving certificate from flags or self-signed, TLS version and
// cipher flags, client certificates requested but verified later by the
// authenticators (GAS uses tls.RequestClientCert). As GAS, it offers HTTP/2 and
// HTTP/1.1 by ALPN (h2 with the limits of h2-settings.ts), or only HTTP/1.1 with
// --disable-http2-serving. The serving cert/key are swapped in with
// setSecureContext when they change on disk: new connections get the new
// certificate, open connections keep going.

import { Server as HttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createSecureServer as createHttp2Server, type Http2SecureServer } from 'node:http2';
import { createServer as createHttpsServer } from 'node:https';
import { createSecureContext, type Server as TlsServer } from 'node:tls';
import { DynamicFiles } from '../util/dynamic-file.js';
import { http2Limits } from './h2-settings.js';
import { HTTP1_MAX_HEADER_SIZE, HTTP2_MAX_HEADER_LIST_PAIRS, HTTP2_MAX_HEADER_LIST_SIZE } from './header-limits.js';
import { Http2Sessions } from './h2-sessions.js';
import { MAX_REQUESTS_IN_FLIGHT } from './max-in-flight.js';
import { ensureServingCert } from './serving-cert.js';
import { tlsSettings } from './tls.js';
import type { Logger } from '../log.js';
import type { Options } from '../options.js';

export type ServingOptions = Pick<Options, 'tlsCertFile' | 'tlsPrivateKeyFile' | 'certDir' | 'advertiseAddress' | 'tlsMinVersion' | 'tlsCipherSuites'> &
  Partial<Pick<Options, 'disableHttp2Serving' | 'http2MaxStreamsPerConnection'>>;

export interface SecureServerDeps {
  log?: Logger;
  /** How often the certificate files are re-checked besides fs.watch, ms. */
  pollMs?: number;
}

type RequestListener = (req: IncomingMessage, res: ServerResponse) => void;

/** Either listener, with the connection handling lifecycle.ts drains by. */
export interface SecureServer extends TlsServer {
  keepAliveTimeout: number;
  headersTimeout: number;
  maxHeadersCount: number | null;
  /** Closes connections (HTTP/1.1) and sessions without a request in flight. */
  closeIdleConnections(): void;
  /** Ends every connection and session at once. */
  closeAllConnections(): void;
}

/**
 * GAS's http.Server: an HTTP/1.1 connection stays open 90 s between requests
 * (IdleTimeout, as long as Go's client transports keep theirs, so the server is
 * not the one to drop a connection a client is about to reuse), and a request's
 * headers must arrive within 32 s (ReadHeaderTimeout). Node checks the latter
 * every 30 s (connectionsCheckingInterval), so a slow client lasts 32–62 s.
 */
export const HTTP1_IDLE_TIMEOUT_MS = 90_000;
export const HTTP1_READ_HEADER_TIMEOUT_MS = 32_000;

/**
 * nghttp2 refuses new streams of a session whose queued response data passes
 * this (Node's default 10 MB: ten 1 MiB slices of large lists). The in-flight
 * limit is what bounds the data here, so the cap sits above what it lets through.
 */
function maxSessionMemoryMB(streams: number): number {
  return Math.max(10, Math.min(streams, MAX_REQUESTS_IN_FLIGHT) * 8);
}

/**
 * Creates (does not listen) the HTTPS server. Throws on unknown TLS settings or
 * unreadable/mismatched certificate files, so start-up fails with a clear error.
 * The file watchers stop when the server closes.
 */
export async function createSecureServer(opts: ServingOptions, requestListener: RequestListener, deps: SecureServerDeps = {}): Promise<SecureServer> {
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
  const tls = { ...context(cert!, key!), requestCert: true, rejectUnauthorized: false, maxHeaderSize: HTTP1_MAX_HEADER_SIZE };
  let server: SecureServer;
  try {
    server = opts.disableHttp2Serving ? createHttpsServer(tls, requestListener) : http2Server(tls, opts, requestListener);
  } catch (e) {
    dynamic.close();
    throw new Error(`invalid serving certificate ${files.certFile} / ${files.keyFile}: ${(e as Error).message}`, { cause: e });
  }
  if (opts.disableHttp2Serving) deps.log?.info('Forcing use of http/1.1 only'); // GAS's words
  server.keepAliveTimeout = HTTP1_IDLE_TIMEOUT_MS;
  server.headersTimeout = HTTP1_READ_HEADER_TIMEOUT_MS;
  server.maxHeadersCount = 0; // no limit on HTTP/1.1 fields: header-limits.ts
  server.on('close', () => dynamic.close());
  return server;
}

function http2Server(tls: object, opts: ServingOptions, requestListener: RequestListener): SecureServer {
  const limits = http2Limits(opts.http2MaxStreamsPerConnection ?? 0n);
  const h2 = createHttp2Server(
    {
      ...tls,
      allowHTTP1: true,
      settings: { maxConcurrentStreams: limits.maxConcurrentStreams, initialWindowSize: limits.streamWindow, maxFrameSize: limits.maxFrameSize, maxHeaderListSize: HTTP2_MAX_HEADER_LIST_SIZE },
      maxHeaderListPairs: HTTP2_MAX_HEADER_LIST_PAIRS,
      maxSessionMemory: maxSessionMemoryMB(limits.maxConcurrentStreams),
    },
    // The handlers use only what both request kinds share; h2-request.ts covers the rest.
    requestListener as unknown as Parameters<typeof createHttp2Server>[1],
  );
  const sessions = new Http2Sessions(h2, limits.connectionWindow);
  return Object.assign(h2 as Http2SecureServer & Pick<SecureServer, 'keepAliveTimeout' | 'headersTimeout' | 'maxHeadersCount' | 'closeIdleConnections'>, {
    closeAllConnections() {
      // HTTP/1.1 connections of an allowHTTP1 server are tracked as http.Server's (the
      // closeIdleConnections it has); http2's class only lacks this method.
      HttpServer.prototype.closeAllConnections.call(h2);
      sessions.destroyAll();
    },
  });
}
