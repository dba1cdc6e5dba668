// kube-aggregator's connection to an APIService backend: client-go configures
// HTTP/2 on its transports (apimachinery's SetTransportDefaults), so the
// aggregator offers h2 and http/1.1 by ALPN and, when the backend picks h2,
// sends every proxied request as a stream of one connection. This keeps that
// connection per backend (dialled once, dropped when it ends or gets GOAWAY)
// and remembers backends that picked http/1.1, whose requests go the HTTP/1.1 way.

import http2, { type ClientHttp2Session } from 'node:http2';
import { connect, type ConnectionOptions } from 'node:tls';

export interface BackendDial {
  /** Identifies the backend and its TLS settings: a new key is a new backend. */
  key: string;
  /** https://host:port, for the :authority of the streams. */
  origin: string;
  tls: ConnectionOptions;
}

export class Http2Backends {
  private readonly sessions = new Map<string, Promise<ClientHttp2Session | undefined>>();
  private readonly http1 = new Set<string>();

  /** The backend's HTTP/2 session, or undefined when it speaks HTTP/1.1 only. Rejects when the dial fails. */
  session(dial: BackendDial): Promise<ClientHttp2Session | undefined> {
    if (this.http1.has(dial.key)) return Promise.resolve(undefined);
    let s = this.sessions.get(dial.key);
    if (!s) {
      s = this.dial(dial);
      this.sessions.set(dial.key, s);
      s.catch(() => this.sessions.delete(dial.key));
    }
    return s;
  }

  close(): void {
    for (const s of this.sessions.values()) void s.then((x) => x?.destroy(), () => {});
    this.sessions.clear();
    this.http1.clear();
  }

  private dial(dial: BackendDial): Promise<ClientHttp2Session | undefined> {
    return new Promise((resolve, reject) => {
      const socket = connect({ ...dial.tls, ALPNProtocols: ['h2', 'http/1.1'] });
      socket.once('error', reject);
      socket.once('secureConnect', () => {
        socket.off('error', reject);
        if (socket.alpnProtocol !== 'h2') {
          // An HTTP/1.1 backend: its requests take the HTTP/1.1 agent from now on.
          socket.destroy();
          this.sessions.delete(dial.key);
          this.http1.add(dial.key);
          resolve(undefined);
          return;
        }
        const session = http2.connect(dial.origin, { createConnection: () => socket });
        const forget = () => {
          if (this.sessions.get(dial.key) === current) this.sessions.delete(dial.key);
        };
        const current = Promise.resolve(session);
        this.sessions.set(dial.key, current);
        session.on('error', forget);
        session.on('goaway', forget);
        session.on('close', forget);
        resolve(session);
      });
    });
  }
}
