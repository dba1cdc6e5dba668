// A tiny kube-apiserver for one collection, for informer tests: HTTPS with a
// bearer token, paged lists with resourceVersions, watches that replay events
// after a resourceVersion, bookmarks, compaction (410 Gone as an HTTP status or
// an ERROR event), and controls to end or break open watches.

import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { KubeConfig } from '@kubernetes/client-node';
import { createCA, issueCert, type IssuedCert } from '../../src/util/pki.js';

export interface RecordedRequest {
  path: string;
  query: URLSearchParams;
  accept: string | undefined;
  authorization: string | undefined;
}

type Obj = { metadata: { name: string; namespace?: string; resourceVersion?: string; [k: string]: unknown }; [k: string]: unknown };
interface WatchEvent {
  rv: number;
  type: 'ADDED' | 'MODIFIED' | 'DELETED';
  object: Obj;
}

export class FakeApiServer {
  readonly token = 'informer-test-token';
  rv = 1000;
  readonly objects = new Map<string, Obj>();
  private events: WatchEvent[] = [];
  private compactedRv = 0;
  /** How a watch from a compacted resourceVersion is refused. */
  goneAs: 'event' | 'http' = 'event';
  readonly requests: RecordedRequest[] = [];
  private readonly watches = new Set<ServerResponse>();
  private readonly sockets = new Set<Socket>();
  private readonly snapshots = new Map<string, { items: Obj[]; rv: number }>();
  private server?: Server;
  ca?: IssuedCert;
  url = '';

  constructor(readonly collectionPath: string) {}

  async listen(): Promise<void> {
    this.ca = await createCA('fake-apiserver-ca');
    const serving = await issueCert(this.ca, { cn: 'kube-apiserver', ips: ['127.0.0.1'], serverAuth: true });
    this.server = createServer({ cert: serving.cert, key: serving.key }, (req, res) => this.handle(req, res));
    this.server.on('secureConnection', (s: Socket) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    const addr = this.server.address() as { port: number };
    this.url = `https://127.0.0.1:${addr.port}`;
  }

  kubeConfig(token = this.token): KubeConfig {
    const kc = new KubeConfig();
    kc.loadFromOptions({
      clusters: [{ name: 'fake', server: this.url, caData: Buffer.from(this.ca!.cert).toString('base64'), skipTLSVerify: false }],
      users: [{ name: 'tester', token }],
      contexts: [{ name: 'fake', cluster: 'fake', user: 'tester' }],
      currentContext: 'fake',
    });
    return kc;
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  // ---- state changes ----

  private key(o: Obj): string {
    return o.metadata.namespace ? `${o.metadata.namespace}/${o.metadata.name}` : o.metadata.name;
  }

  private emit(type: WatchEvent['type'], obj: Obj): void {
    const ev: WatchEvent = { rv: this.rv, type, object: obj };
    this.events.push(ev);
    for (const w of this.watches) w.write(JSON.stringify({ type: ev.type, object: ev.object }) + '\n');
  }

  /** Adds or modifies an object. */
  put(obj: Obj): void {
    const k = this.key(obj);
    const type = this.objects.has(k) ? 'MODIFIED' : 'ADDED';
    this.rv++;
    const stored = { ...obj, metadata: { ...obj.metadata, resourceVersion: String(this.rv) } };
    this.objects.set(k, stored);
    this.emit(type, stored);
  }

  delete(key: string): void {
    const old = this.objects.get(key);
    if (!old) return;
    this.objects.delete(key);
    this.rv++;
    this.emit('DELETED', { ...old, metadata: { ...old.metadata, resourceVersion: String(this.rv) } });
  }

  /** Writes raw bytes to every open watch (split events, blank lines, odd encodings). */
  writeWatches(data: string | Buffer): void {
    for (const w of this.watches) w.write(data);
  }

  /** Sends a BOOKMARK at the current resourceVersion to every open watch. */
  bookmark(): void {
    for (const w of this.watches) w.write(JSON.stringify({ type: 'BOOKMARK', object: { metadata: { resourceVersion: String(this.rv) } } }) + '\n');
  }

  /** Forgets history: watches from older resourceVersions get 410 Gone. */
  compact(): void {
    this.compactedRv = this.rv;
    this.events = [];
  }

  /** Ends open watches cleanly (as a server-side timeout does). */
  endWatches(): void {
    for (const w of this.watches) w.end();
    this.watches.clear();
  }

  /** Breaks open watches mid-stream (connection reset). */
  breakWatches(): void {
    for (const w of this.watches) {
      w.write('{"type":"MODIFIED","object":{"metadata":'); // half an event, then the connection dies
      w.socket?.destroy();
    }
    this.watches.clear();
  }

  get openWatches(): number {
    return this.watches.size;
  }

  // ---- HTTP ----

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const u = new URL(req.url ?? '/', 'https://x');
    this.requests.push({ path: u.pathname, query: u.searchParams, accept: req.headers.accept, authorization: req.headers.authorization });
    if (req.headers.authorization !== `Bearer ${this.token}`) return status(res, 401, 'Unauthorized', 'Unauthorized');
    if (u.pathname !== this.collectionPath) return status(res, 404, 'NotFound', 'the server could not find the requested resource');
    if (u.searchParams.get('watch') === 'true') return this.watch(u.searchParams, res);
    return this.list(u.searchParams, res);
  }

  private list(q: URLSearchParams, res: ServerResponse): void {
    let snap: { items: Obj[]; rv: number };
    let offset = 0;
    const cont = q.get('continue');
    if (cont) {
      const [id, off] = cont.split(':');
      const s = this.snapshots.get(id!);
      if (!s) return status(res, 410, 'Expired', 'continue token expired');
      snap = s;
      offset = Number(off);
    } else {
      const rv = q.get('resourceVersion');
      if (rv && rv !== '0' && Number(rv) < this.compactedRv && q.get('resourceVersionMatch') === 'Exact') {
        return status(res, 410, 'Expired', 'too old resource version');
      }
      snap = { items: [...this.objects.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([, o]) => o), rv: this.rv };
    }
    const limit = Number(q.get('limit') ?? 0) || snap.items.length;
    const page = snap.items.slice(offset, offset + limit);
    const metadata: Record<string, string> = { resourceVersion: String(snap.rv) };
    if (offset + limit < snap.items.length) {
      const id = String(this.snapshots.size + 1);
      this.snapshots.set(id, snap);
      metadata.continue = `${id}:${offset + limit}`;
    }
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ kind: 'List', apiVersion: 'v1', metadata, items: page }));
  }

  private watch(q: URLSearchParams, res: ServerResponse): void {
    const from = Number(q.get('resourceVersion') ?? '0');
    if (from < this.compactedRv) {
      if (this.goneAs === 'http') return status(res, 410, 'Expired', `too old resource version: ${from} (${this.compactedRv})`);
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          type: 'ERROR',
          object: { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: `too old resource version: ${from} (${this.compactedRv})`, reason: 'Expired', code: 410 },
        }) + '\n',
      );
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json', 'transfer-encoding': 'chunked' });
    for (const ev of this.events) if (ev.rv > from) res.write(JSON.stringify({ type: ev.type, object: ev.object }) + '\n');
    this.watches.add(res);
    res.on('close', () => this.watches.delete(res));
  }
}

function status(res: ServerResponse, code: number, reason: string, message: string): void {
  res.writeHead(code, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code }));
}

/** Polls cond every 10 ms until true; fails after timeoutMs. */
export async function waitFor(cond: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
