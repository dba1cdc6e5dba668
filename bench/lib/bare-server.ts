// The baseline: a bare node:https server that answers every request with fixed
// bytes. Serving benchmarks report our server's throughput as a ratio of this.
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';

export async function startBareServer(tls: { cert: string; key: string }, body: Buffer, contentType: string): Promise<{ url: string; close(): Promise<void> }> {
  const server: Server = createServer({ cert: tls.cert, key: tls.key }, (_req, res) => {
    res.writeHead(200, { 'Content-Type': contentType, 'Content-Length': body.length });
    res.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `https://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}
