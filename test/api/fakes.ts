// In-memory stand-ins for the store and the informer caches, and a server
// harness that mounts the API the way app.ts does, on 127.0.0.1:0.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Koa from 'koa';
import { createMetricsApi, type MetricsApiDeps } from '../../src/api/routes.js';
import { errorHandler } from '../../src/api/error-handler.js';
import type { MetricsReader, NodeLister, NodeMeta, NodeUsage, PodKey, PodLister, PodMeta, PodUsage } from '../../src/api/sources.js';
import { silentLogger, type Logger } from '../../src/log.js';

export class FakeNodes implements NodeLister {
  revision = 1;
  constructor(public nodes: NodeMeta[]) {}
  list(): readonly NodeMeta[] {
    return this.nodes;
  }
  get(name: string): NodeMeta | undefined {
    return this.nodes.find((n) => n.name === name);
  }
}

export class FakePods implements PodLister {
  revision = 1;
  constructor(public pods: PodMeta[]) {}
  list(namespace?: string): readonly PodMeta[] {
    return namespace === undefined ? this.pods : this.pods.filter((p) => p.namespace === namespace);
  }
  get(namespace: string, name: string): PodMeta | undefined {
    return this.pods.find((p) => p.namespace === namespace && p.name === name);
  }
}

export class FakeMetrics implements MetricsReader {
  revision = 1;
  nodeCalls: string[][] = [];
  constructor(
    public nodeUsage: Map<string, NodeUsage>,
    public podUsage: Map<string, PodUsage>,
  ) {}
  getNodeUsage(names: readonly string[]): (NodeUsage | undefined)[] {
    this.nodeCalls.push([...names]);
    return names.map((n) => this.nodeUsage.get(n));
  }
  getPodUsage(pods: readonly PodKey[]): (PodUsage | undefined)[] {
    return pods.map((p) => this.podUsage.get(`${p.namespace}/${p.name}`));
  }
}

export interface Harness {
  url: string;
  server: Server;
  close(): Promise<void>;
}

/** Koa app: errorHandler, the metrics API, then a marker for requests that fall through. */
export async function startApi(deps: MetricsApiDeps, log: Logger = silentLogger()): Promise<Harness> {
  const app = new Koa();
  app.use(errorHandler(log));
  app.use(createMetricsApi(deps));
  app.use((ctx) => {
    ctx.status = 418;
    ctx.body = 'fell through';
  });
  const server = createServer(app.callback());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    server,
    close: () => new Promise<void>((resolve, reject) => server.close((err) => (err ? reject(err) : resolve()))),
  };
}
