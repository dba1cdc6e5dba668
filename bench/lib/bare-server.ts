// The baseline: a bare node:https server (or node:http2 with HTTP/1.1 fallback,
// for HTTP/2 loads) that answers every request with fixed bytes. Serving
// benchmarks report our server's throughput as a ratio of this.
import { createSecureServer, type ServerHttp2Session } from 'node:http2';
import { createServer, type Server } from 'node:https';
import type { OutgoingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

export async function startBareServer(tls: { cert: string; key: string }, body: Buffer, contentType: string, h2 = false): Promise<{ url: string; close(): Promise<void> }> {
  const answer = (_req: unknown, res: { writeHead(status: number, headers: OutgoingHttpHeaders): unknown; end(body: Buffer): unknown }) => {
    res.writeHead(200, { 'Content-Type': contentType, 'Content-Length': body.length });
    res.end(body);
  };
  const sessions = new Set<ServerHttp2Session>();
  let server: Server | ReturnType<typeof createSecureServer>;
  if (h2) {
    const s = createSecureServer({ cert: tls.cert, key: tls.key, allowHTTP1: true, settings: { maxConcurrentStreams: 250 } }, answer);
    s.on('session', (session) => {
      sessions.add(session);
      session.once('close', () => sessions.delete(session));
    });
    server = s;
  } else {
    server = createServer({ cert: tls.cert, key: tls.key }, answer);
  }
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `https://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        if ('closeAllConnections' in server) server.closeAllConnections();
        for (const s of sessions) s.destroy();
        server.close(() => resolve());
      }),
  };
}
