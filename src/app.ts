// Composition root: builds every part from the options and wires them, in the
// data-flow order of architecture.md. No other module constructs its collaborators.
//
//   kube/ caches ─► scrape/ Scraper ─► store/ MetricsStore ─► api/ ─► server/ (https, authn, authz)

import type { AddressInfo } from 'node:net';
import Koa from 'koa';
import type { KubeConfig } from '@kubernetes/client-node';
import { createMetricsApi, errorHandler, parseLabelSelector } from './api/index.js';
import { aggregatedDiscoveryMiddleware } from './api/discovery-aggregated.js';
import { ObjectResponses } from './api/object-responses.js';
import { openapiMiddleware } from './api/openapi.js';
import { KubeAuthConfigMapReader } from './kube/auth-configmap.js';
import { loadKubeConfig } from './kube/kubeconfig.js';
import { NodeCache } from './kube/node-cache.js';
import { PodCache } from './kube/pod-cache.js';
import { RestClient } from './kube/rest-client.js';
import { KubeSubjectAccessReviewer } from './kube/subject-access-review.js';
import { KubeTokenReviewer } from './kube/token-review.js';
import { createLogger, logStartup, type Logger } from './log.js';
import type { Options } from './options.js';
import { KubeletClient } from './scrape/kubelet-client.js';
import { kubeletClientConfig } from './scrape/kubelet-client-config.js';
import { Scraper } from './scrape/scraper.js';
import { authenticationMiddleware, createAuthenticator } from './server/authn/index.js';
import { authorizationMiddleware, createAuthorizer } from './server/authz/index.js';
import { healthMiddleware } from './server/health.js';
import {
  logCheck,
  metadataInformerSyncCheck,
  metricCollectionTimelyCheck,
  metricInformerSyncCheck,
  metricStorageReadyCheck,
  metricsServerHealthEndpoints,
  pingCheck,
} from './server/health-checks.js';
import { createSecureServer, type SecureServer } from './server/https-server.js';
import { withMaxInFlight } from './server/max-in-flight.js';
import { withResourceGet } from './server/resource-get.js';
import { requestDeadlineMiddleware } from './server/request-deadline.js';
import { withRequestTimeout } from './server/request-timeout.js';
import { indexMiddleware } from './server/index-lister.js';
import { createLifecycle, type Lifecycle } from './server/lifecycle.js';
import { listen } from './server/listen.js';
import { createSelfMetrics, metricsMiddleware } from './server/self-metrics.js';
import { versionMiddleware } from './server/version.js';
import { MetricsStore } from './store/index.js';

export interface App {
  server: SecureServer;
  lifecycle: Lifecycle;
  log: Logger;
  /** The bound address (useful with --secure-port=0 in tests). */
  address(): AddressInfo;
}

function loadConfig(path: string | undefined, flag: string): KubeConfig {
  try {
    return loadKubeConfig(path);
  } catch (e) {
    throw new Error(`${flag}: cannot load ${path ?? 'in-cluster configuration'}: ${(e as Error).message}`, { cause: e });
  }
}

/** Builds and starts every part; resolves once the HTTPS server listens. */
export async function startApp(options: Options, log: Logger = createLogger(options.verbosity, options.loggingFormat)): Promise<App> {
  logStartup(log, options);
  const resolutionMs = options.metricResolutionNs / 1e6;
  const selfMetrics = createSelfMetrics({ resolutionSec: resolutionMs / 1000 });
  const nodeSelector = options.nodeSelector ? parseLabelSelector(options.nodeSelector) : undefined;

  // Cluster access: one kubeconfig for the caches and kubelets, optionally others for authn/authz.
  const kc = loadConfig(options.kubeconfig, '--kubeconfig');
  const authnKc = options.authenticationKubeconfig ? loadConfig(options.authenticationKubeconfig, '--authentication-kubeconfig') : kc;
  const authzKc = options.authorizationKubeconfig ? loadConfig(options.authorizationKubeconfig, '--authorization-kubeconfig') : kc;

  const rest = new RestClient(kc, `metrics-server-ts/${process.version}`);
  const nodes = new NodeCache({ client: rest, log, observer: selfMetrics.watch });
  const pods = new PodCache({ client: rest, log, observer: selfMetrics.watch });
  const store = new MetricsStore({ metricResolutionNs: options.metricResolutionNs, maxSeries: options.storageMaxSeries, observer: selfMetrics.store });
  const kubelet = new KubeletClient(await kubeletClientConfig(options, kc), { log });
  const scraper = new Scraper({
    nodes,
    client: kubelet,
    resolutionMs,
    timeoutMs: options.kubeletRequestTimeoutNs / 1e6,
    concurrency: options.kubeletConcurrency,
    nodeSelector,
    sink: store,
    log,
    observer: selfMetrics.scrape,
  });

  // Serving security: the authenticator reads CA bundles (flags or the ConfigMap) before we listen.
  const authenticator = await createAuthenticator(options, {
    tokenReviewer: new KubeTokenReviewer(authnKc),
    configMapReader: options.authenticationSkipLookup ? undefined : new KubeAuthConfigMapReader(authnKc),
    observer: selfMetrics.auth,
    log,
  });
  const authorizer = createAuthorizer(options, { subjectAccessReviewer: new KubeSubjectAccessReviewer(authzKc), observer: selfMetrics.auth });

  const lifecycle = createLifecycle({ log, shutdownDelayMs: options.shutdownDelayNs / 1e6 });
  const logHealth = logCheck(log);
  const health = metricsServerHealthEndpoints({
    ping: pingCheck(),
    log: logHealth,
    metricStorageReady: metricStorageReadyCheck(() => store.ready(), log),
    metricInformerSync: metricInformerSyncCheck(() => nodes.synced && pods.synced),
    metadataInformerSync: metadataInformerSyncCheck(() => {
      const pending: string[] = [];
      if (!nodes.synced) pending.push('nodes');
      if (!pods.synced) pending.push('pods');
      return pending.length === 0 ? true : pending;
    }),
    shutdown: lifecycle.check,
    metricCollectionTimely: metricCollectionTimelyCheck({ lastTickStartMs: () => scraper.lastTickStartMs, resolutionMs, log }),
  });

  // Middleware order: errors → identity → permission → handlers (health, /metrics, OpenAPI, discovery, API, index).
  const koa = new Koa();
  koa.proxy = false;
  koa.silent = true;
  koa.use(errorHandler(log));
  koa.use(requestDeadlineMiddleware());
  koa.use(authenticationMiddleware(authenticator, options.authorizationAlwaysAllowPaths, log));
  koa.use(authorizationMiddleware(authorizer, log));
  koa.use(healthMiddleware(health, { log }));
  koa.use(metricsMiddleware(selfMetrics.registry));
  koa.use(versionMiddleware());
  koa.use(openapiMiddleware());
  koa.use(aggregatedDiscoveryMiddleware());
  const apiDeps = { metrics: store, nodes, pods, nodeSelector, securePort: options.securePort, observer: selfMetrics.api };
  koa.use(createMetricsApi(apiDeps));
  koa.use(indexMiddleware());
  // Single-object GETs skip Koa; the same authentication, authorization and encoding apply.
  // Beyond GAS's 400 requests in flight, requests are answered 429 at once; each has GAS's 60 s (or ?timeout=).
  const listener = withMaxInFlight(
    withRequestTimeout(
      withResourceGet({ authenticator, allowPaths: options.authorizationAlwaysAllowPaths, authorizer, responses: new ObjectResponses(apiDeps), log }, koa.callback()),
      { onTimeout: (req, timeoutMs, cut) => log.warn({ method: req.method, path: req.url, timeoutMs }, cut ? 'Request timed out while its response was being written; connection (HTTP/2: stream) closed' : 'Request timed out; answered 504') },
    ),
  );

  const server = await createSecureServer(options, listener, { log }).catch((e: unknown) => {
    throw new Error(`serving certificate: ${(e as Error).message}`, { cause: e });
  });
  await listen(server, options);
  const address = server.address() as AddressInfo;
  log.info({ address: address.address, port: address.port }, 'Serving securely');

  // Caches first; the scraper starts once they synced so its first tick sees every node.
  nodes.start();
  pods.start();
  Promise.all([nodes.waitForSync(), pods.waitForSync()]).then(
    () => {
      if (lifecycle.shuttingDown()) return; // synced after the scraper's stop hook ran: stay stopped
      log.info({ nodes: nodes.size, pods: pods.size }, 'Caches synced; starting the scraper');
      scraper.start();
    },
    (e: unknown) => log.debug({ err: (e as Error).message }, 'caches stopped before they synced'),
  );

  lifecycle.addServer(server);
  lifecycle.addStopHook({ name: 'scraper', stop: () => scraper.stop() });
  lifecycle.addStopHook({ name: 'kubelet-client', stop: () => kubelet.close() });
  lifecycle.addStopHook({ name: 'informers', stop: async () => void (await Promise.all([nodes.stop(), pods.stop()])) });
  lifecycle.addStopHook({ name: 'apiserver-client', stop: () => rest.close() });
  lifecycle.addStopHook({ name: 'authentication', stop: () => authenticator.close() });
  lifecycle.addStopHook({ name: 'log-check', stop: () => logHealth.stop() });

  return { server, lifecycle, log, address: () => address };
}

/** main.ts: start, then stay up until SIGTERM/SIGINT. */
export async function runApp(options: Options): Promise<void> {
  const app = await startApp(options);
  app.lifecycle.installSignalHandlers((code) => {
    app.log.flush?.();
    process.exit(code);
  });
}
