import t from 'tap';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { listen, supportsReusePort } from '../../src/server/listen.js';

function server(t: { teardown(fn: () => unknown): void }): Server {
  const s = createServer();
  t.teardown(() => new Promise<void>((resolve) => s.close(() => resolve())));
  return s;
}

t.test('--permit-port-sharing lets a second instance bind the same address and port', async (t) => {
  const first = server(t);
  await listen(first, { securePort: 0, bindAddress: '127.0.0.1', permitPortSharing: true });
  const { port } = first.address() as AddressInfo;
  const second = server(t);
  await listen(second, { securePort: port, bindAddress: '127.0.0.1', permitPortSharing: true });
  t.equal((second.address() as AddressInfo).port, port);
});

t.test('without it the port stays exclusive', async (t) => {
  const first = server(t);
  await listen(first, { securePort: 0, bindAddress: '127.0.0.1', permitPortSharing: false });
  const { port } = first.address() as AddressInfo;
  // Even a sharing second instance is refused: both sockets must opt in.
  await t.rejects(listen(server(t), { securePort: port, bindAddress: '127.0.0.1', permitPortSharing: false }), { code: 'EADDRINUSE' });
  await t.rejects(listen(server(t), { securePort: port, bindAddress: '127.0.0.1', permitPortSharing: true }), { code: 'EADDRINUSE' });
});

t.test('reusePort needs Node.js 22.12 / 23.1 or later', async (t) => {
  t.equal(supportsReusePort('22.11.0'), false);
  t.equal(supportsReusePort('22.12.0'), true);
  t.equal(supportsReusePort('23.0.0'), false);
  t.equal(supportsReusePort('23.1.0'), true);
  t.equal(supportsReusePort('24.0.0'), true);
  t.equal(supportsReusePort(), true, 'this Node.js');
});
