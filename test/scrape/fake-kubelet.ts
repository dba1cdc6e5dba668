// HTTPS kubelets on 127.0.0.1 for scraper tests: real TLS from a test CA, a
// bearer token check, and a per-kubelet behaviour (healthy, slow, 500, garbage,
// endless body...). Records request paths and counts TLS connections (opened,
// and open now) so tests can check keep-alive.

import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { IssuedCert } from '../../src/util/pki.js';

export type Behaviour = (req: IncomingMessage, res: ServerResponse) => void;

export interface KubeletOptions {
  serving: IssuedCert;
  token: string;
  behaviour: Behaviour;
  /** Require a client certificate signed by this CA. */
  clientCa?: string;
}

export class FakeKubelet {
  readonly paths: string[] = [];
  connections = 0;
  port = 0;
  private server?: Server;
  private readonly sockets = new Set<Socket>();

  constructor(private readonly opts: KubeletOptions) {}

  /** TLS connections open now. */
  get open(): number {
    return this.sockets.size;
  }

  async listen(): Promise<this> {
    const { serving, clientCa } = this.opts;
    this.server = createServer(
      { cert: serving.cert, key: serving.key, ...(clientCa ? { ca: clientCa, requestCert: true, rejectUnauthorized: true } : {}) },
      (req, res) => {
        this.paths.push(req.url ?? '');
        if (req.headers.authorization !== `Bearer ${this.opts.token}`) {
          res.writeHead(401).end('Unauthorized');
          return;
        }
        this.opts.behaviour(req, res);
      },
    );
    this.server.on('secureConnection', (s: Socket) => {
      this.connections++;
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
    this.server.on('tlsClientError', () => {});
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as { port: number }).port;
    return this;
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve());
  }
}

export const serve =
  (body: string | Buffer, contentType = 'application/json'): Behaviour =>
  (_req, res) => {
    res.writeHead(200, { 'content-type': contentType });
    res.end(body);
  };

/** Accepts the request and never answers. */
export const hang: Behaviour = () => {};

export const status =
  (code: number): Behaviour =>
  (_req, res) => {
    res.writeHead(code, { 'content-type': 'text/plain' });
    res.end('internal error');
  };

/** Streams 64 KiB chunks as fast as the client reads, until the client goes away. */
export const endless: Behaviour = (_req, res) => {
  res.writeHead(200, { 'content-type': 'application/json' });
  const chunk = Buffer.alloc(64 * 1024, 0x20);
  const pump = () => {
    while (!res.destroyed && res.write(chunk));
    if (!res.destroyed) res.once('drain', pump);
  };
  res.on('close', () => res.removeAllListeners('drain'));
  pump();
};

/** Declares a large Content-Length (and sends only a little). */
export const hugeDeclared =
  (bytes: number): Behaviour =>
  (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(bytes) });
    res.write('{');
  };
