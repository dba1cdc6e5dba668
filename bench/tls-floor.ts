// What any Node.js scraper of many kubelets pays before decoding a byte (not part of
// npm run bench; bench/PERFORMANCE.md, "Floors"). A plain TLS server in one process
// answers every request with a fixed body; each measurement runs in a fresh client
// process holding nothing but the connections (reads through onread, as the kubelet
// client reads):
// - memory: RSS of a process holding N kept-alive TLS connections after one exchange
//   each, with OpenSSL's default key-exchange groups and with X25519 alone;
// - keep-alive: client CPU per tick of N exchanges spread over the tick's first seconds,
//   as the scraper spreads its requests;
// - reconnect: client CPU per exchange on a new connection each time, with a full
//   handshake and with TLS session resumption.
//   node dist/bench/tls-floor.js [--connections=5000] [--bytes=3446] [--ticks=4] [--spread-ms=3000] [--reconnects=2000]
// Writes bench/results/tls-floor.json.
import { fork, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import tls from 'node:tls';
import { fileURLToPath } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { printTable, round, writeResult } from './lib/results.js';

interface Config {
  port: number;
  ca: string;
  connections: number;
  bytes: number;
  ticks: number;
  spreadMs: number;
  reconnects: number;
  groups?: string;
}

type Role = 'server' | 'memory' | 'keepalive' | 'reconnect';

const REQUEST = Buffer.from('GET /metrics/resource HTTP/1.1\r\nHost: 127.0.0.1:10250\r\nUser-Agent: metrics-server\r\nAccept-Encoding: gzip\r\nAuthorization: Bearer 0123456789abcdef0123456789abcdef\r\n\r\n');
/** Connections opened at once while setting up. */
const OPENING = 50;

const ROLES: readonly string[] = ['server', 'memory', 'keepalive', 'reconnect'];
const role = ROLES.includes(process.argv[2] ?? '') ? (process.argv[2] as Role) : undefined;
if (role === undefined) await main();
else process.once('message', (m: Config & { cert?: string; key?: string }) => void runRole(role, m));

async function main(): Promise<void> {
  const arg = (name: string, dflt: number) => Number(process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3) ?? dflt);
  // Imported here, not at the top, so the measured client processes do not load it.
  const { createCA, issueCert } = await import('../src/util/pki.js');
  const ca = await createCA('tls-floor');
  const serving = await issueCert(ca, { cn: 'kubelet', ips: ['127.0.0.1'], serverAuth: true });
  const base = { ca: ca.cert, connections: arg('connections', 5000), bytes: arg('bytes', 3446), ticks: arg('ticks', 4), spreadMs: arg('spread-ms', 3000), reconnects: arg('reconnects', 2000) };
  const server = fork(fileURLToPath(import.meta.url), ['server']);
  try {
    const { port } = await ask<{ port: number }>(server, { ...base, port: 0, cert: serving.cert, key: serving.key });
    const cfg: Config = { ...base, port };
    const memDefault = await inChild<{ rssBefore: number; rssAfter: number; protocol: string }>('memory', cfg);
    const memX25519 = await inChild<{ rssBefore: number; rssAfter: number; protocol: string }>('memory', { ...cfg, groups: 'X25519' });
    const keepalive = await inChild<{ ticks: number[] }>('keepalive', cfg);
    const reconnect = await inChild<{ fullUs: number; resumedUs: number; resumed: number }>('reconnect', cfg);
    const perConn = (m: { rssBefore: number; rssAfter: number }) => ((m.rssAfter - m.rssBefore) * 1024) / cfg.connections;
    const steady = keepalive.ticks.slice(1);
    const tickCpu = steady.reduce((a, b) => a + b, 0) / steady.length;
    const result = {
      connections: cfg.connections,
      body_bytes: cfg.bytes,
      protocol: memDefault.protocol,
      openssl: process.versions.openssl,
      rss_mib_default_groups: round(memDefault.rssAfter, 1),
      kib_per_connection_default_groups: round(perConn(memDefault), 1),
      rss_mib_x25519: round(memX25519.rssAfter, 1),
      kib_per_connection_x25519: round(perConn(memX25519), 1),
      rss_mib_empty_process: round(memDefault.rssBefore, 1),
      keepalive_cpu_s_per_tick: round(tickCpu),
      keepalive_cpu_us_per_exchange: round((tickCpu / cfg.connections) * 1e6, 1),
      reconnect_full_cpu_us_per_exchange: round(reconnect.fullUs, 1),
      reconnect_resumed_cpu_us_per_exchange: round(reconnect.resumedUs, 1),
      reconnect_resumed_share: round(reconnect.resumed),
      reconnect_resumed_cpu_s_per_tick: round((reconnect.resumedUs * cfg.connections) / 1e6),
    };
    printTable(`TLS floors: ${cfg.connections} connections, ${cfg.bytes}-byte answers (${result.protocol}, OpenSSL ${result.openssl})`, Object.entries(result).map(([key, value]) => ({ key, value })));
    writeResult('tls-floor', result);
  } finally {
    server.kill();
  }
}

function ask<T>(child: ChildProcess, msg: object): Promise<T> {
  return new Promise((resolve, reject) => {
    child.once('message', (m) => resolve(m as T));
    child.once('exit', (code) => reject(new Error(`child exited with ${code} before answering`)));
    child.send(msg);
  });
}

async function inChild<T>(r: Role, cfg: Config): Promise<T> {
  const child = fork(fileURLToPath(import.meta.url), [r]);
  try {
    return await ask<T>(child, cfg);
  } finally {
    child.kill();
  }
}

async function runRole(r: Role, m: Config & { cert?: string; key?: string }): Promise<void> {
  const answer =
    r === 'server' ? await serve(m) : r === 'memory' ? await memory(m) : r === 'keepalive' ? await keepalive(m) : await reconnect(m);
  process.send!(answer);
}

async function serve(m: Config & { cert?: string; key?: string }): Promise<{ port: number }> {
  const body = Buffer.alloc(m.bytes, 0x61);
  const server = tls.createServer({ cert: m.cert, key: m.key }, (socket) => {
    socket.on('data', () => socket.write(body));
    socket.on('error', () => {});
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { port: (server.address() as { port: number }).port };
}

/** A client connection that counts the answer's bytes through onread. */
class Exchange {
  readonly socket: tls.TLSSocket;
  private got = 0;
  private done: (() => void) | undefined;

  constructor(cfg: Config, context: tls.SecureContext, buffer: Uint8Array, session?: Buffer) {
    // onread is a documented tls.connect() option that @types/node does not list.
    const options: tls.ConnectionOptions & { onread: object } = {
      host: '127.0.0.1',
      port: cfg.port,
      secureContext: context,
      session,
      onread: {
        buffer,
        callback: (n: number) => {
          this.got += n;
          if (this.got >= cfg.bytes) {
            this.got = 0;
            this.done?.();
          }
        },
      },
    };
    this.socket = tls.connect(options);
    this.socket.on('error', () => {});
  }

  connected(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.socket.once('secureConnect', resolve);
      this.socket.once('error', reject);
    });
  }

  /** Writes the request; resolves when the whole answer was read. */
  exchange(): Promise<void> {
    return new Promise((resolve) => {
      this.done = resolve;
      this.socket.write(REQUEST);
    });
  }
}

function context(cfg: Config): tls.SecureContext {
  return tls.createSecureContext({ ca: cfg.ca, ...(cfg.groups ? { ecdhCurve: cfg.groups } : {}) });
}

async function openAll(cfg: Config, exchangeEach: boolean): Promise<Exchange[]> {
  const ctx = context(cfg);
  const buffer = new Uint8Array(64 * 1024);
  const all: Exchange[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: OPENING }, async () => {
      while (next < cfg.connections) {
        next++;
        const c = new Exchange(cfg, ctx, buffer);
        all.push(c);
        await c.connected();
        if (exchangeEach) await c.exchange();
      }
    }),
  );
  return all;
}

function rssMiB(): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

function collectGarbage(): void {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  gc();
  gc();
}

async function memory(cfg: Config): Promise<{ rssBefore: number; rssAfter: number; protocol: string }> {
  collectGarbage();
  const rssBefore = rssMiB();
  const all = await openAll(cfg, true);
  await new Promise((r) => setTimeout(r, 1000));
  collectGarbage();
  return { rssBefore, rssAfter: rssMiB(), protocol: all[0]?.socket.getProtocol() ?? '' };
}

async function keepalive(cfg: Config): Promise<{ ticks: number[] }> {
  const all = await openAll(cfg, false);
  const ticks: number[] = [];
  const slices = Math.max(1, Math.round(cfg.spreadMs / 10));
  const perSlice = Math.ceil(all.length / slices);
  for (let t = 0; t < cfg.ticks; t++) {
    const before = process.cpuUsage();
    const answers: Promise<void>[] = [];
    for (let i = 0; i < all.length; i += perSlice) {
      for (const c of all.slice(i, i + perSlice)) answers.push(c.exchange());
      await new Promise((r) => setTimeout(r, 10));
    }
    await Promise.all(answers);
    const used = process.cpuUsage(before);
    ticks.push((used.user + used.system) / 1e6);
  }
  return { ticks };
}

async function reconnect(cfg: Config): Promise<{ fullUs: number; resumedUs: number; resumed: number }> {
  const ctx = context(cfg);
  const buffer = new Uint8Array(64 * 1024);
  let session: Buffer | undefined;
  let resumed = 0;
  const run = async (resume: boolean): Promise<number> => {
    const before = process.cpuUsage();
    for (let i = 0; i < cfg.reconnects; i++) {
      const c = new Exchange(cfg, ctx, buffer, resume ? session : undefined);
      c.socket.once('session', (s: Buffer) => (session = s));
      await c.connected();
      await c.exchange();
      if (resume && c.socket.isSessionReused()) resumed++;
      c.socket.destroy();
    }
    const used = process.cpuUsage(before);
    return (used.user + used.system) / cfg.reconnects;
  };
  await run(false); // warm-up, and a session to resume
  const fullUs = await run(false);
  const resumedUs = await run(true);
  return { fullUs, resumedUs, resumed: resumed / cfg.reconnects };
}
