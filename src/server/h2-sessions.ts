// The HTTP/2 connections of the serving listener. Each new session gets the
// connection receive window (SETTINGS cannot carry it) and is closed with
// GOAWAY once it has had no open stream for the idle timeout (x/net/http2's
// IdleTimeout, which GAS sets to 90 s; PINGs do not count as activity there
// either). The open ones are kept so that shutdown can cut those still busy
// when draining runs out of time.

import type { Http2SecureServer, ServerHttp2Session } from 'node:http2';

/** GAS's http2.Server IdleTimeout. */
export const HTTP2_IDLE_TIMEOUT_MS = 90_000;

export class Http2Sessions {
  private readonly open = new Set<ServerHttp2Session>();

  constructor(server: Http2SecureServer, connectionWindow: number, private readonly idleMs = HTTP2_IDLE_TIMEOUT_MS) {
    server.on('session', (session) => this.add(session, connectionWindow));
  }

  get size(): number {
    return this.open.size;
  }

  /** Ends every session at once (open streams are reset). */
  destroyAll(): void {
    for (const s of this.open) s.destroy();
  }

  private add(session: ServerHttp2Session, connectionWindow: number): void {
    this.open.add(session);
    let streams = 0;
    let idle: NodeJS.Timeout | undefined;
    const arm = () => {
      idle = setTimeout(() => session.close(), this.idleMs);
      idle.unref();
    };
    session.on('stream', (stream) => {
      streams++;
      clearTimeout(idle);
      stream.once('close', () => {
        if (--streams === 0 && !session.closed) arm();
      });
    });
    session.once('close', () => {
      clearTimeout(idle);
      this.open.delete(session);
    });
    arm();
    try {
      session.setLocalWindowSize(connectionWindow);
    } catch {
      // the session ended before it began: nothing to size
    }
  }
}
