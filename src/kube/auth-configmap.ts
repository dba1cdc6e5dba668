// ConfigMap kube-system/extension-apiserver-authentication, written by
// kube-apiserver: the CAs and request-header settings an aggregated server trusts
// when its own flags do not name them.

import { ApiException, CoreV1Api, Watch, type KubeConfig, type V1ConfigMap } from '@kubernetes/client-node';
import { requestTimeout } from './token-review.js';

export const AUTH_CONFIGMAP_NAMESPACE = 'kube-system';
export const AUTH_CONFIGMAP_NAME = 'extension-apiserver-authentication';

export interface AuthConfigMapReader {
  /** The ConfigMap's data, undefined when it does not exist; rejects on other errors. */
  read(): Promise<Record<string, string> | undefined>;
  /**
   * Optional: calls onChange with the ConfigMap's data (undefined once deleted) on
   * every watch event, re-establishing the watch when it ends. Returns a stop function.
   */
  watch?(onChange: (data: Record<string, string> | undefined) => void, onError?: (err: Error) => void): () => void;
}

export const CLIENT_CA_KEY = 'client-ca-file';
export const REQUEST_HEADER_CA_KEY = 'requestheader-client-ca-file';

/**
 * A CA key's PEM, undefined when the key is absent or blank. Each CA key is read
 * on its own (upstream runs one controller per key), so one cannot spoil the other.
 */
export function caBundleKey(data: Record<string, string>, key: typeof CLIENT_CA_KEY | typeof REQUEST_HEADER_CA_KEY): string | undefined {
  const pem = data[key];
  return pem?.trim() ? pem : undefined;
}

/** The request-header names the ConfigMap gives; absent keys read as empty. */
export interface RequestHeaderNames {
  requestHeaderAllowedNames: string[];
  requestHeaderUsernameHeaders: string[];
  requestHeaderGroupHeaders: string[];
  requestHeaderExtraHeadersPrefix: string[];
  requestHeaderUidHeaders: string[];
}

// The list keys hold JSON arrays of strings in a string; "" means unset.
function stringList(data: Record<string, string>, key: string): string[] {
  const raw = data[key];
  if (raw === undefined || raw.trim() === '') return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch (e) {
    throw new Error(`configmap ${AUTH_CONFIGMAP_NAMESPACE}/${AUTH_CONFIGMAP_NAME} key ${key}: ${(e as Error).message}`, { cause: e });
  }
  if (parsed === null) return [];
  if (!Array.isArray(parsed) || !parsed.every((s) => typeof s === 'string')) {
    throw new Error(`configmap ${AUTH_CONFIGMAP_NAMESPACE}/${AUTH_CONFIGMAP_NAME} key ${key}: expected a JSON array of strings`);
  }
  return parsed;
}

/** Parses the request-header list keys, all or none (as upstream's one bundle); throws on a malformed value. */
export function parseRequestHeaderNames(data: Record<string, string>): RequestHeaderNames {
  return {
    requestHeaderAllowedNames: stringList(data, 'requestheader-allowed-names'),
    requestHeaderUsernameHeaders: stringList(data, 'requestheader-username-headers'),
    requestHeaderGroupHeaders: stringList(data, 'requestheader-group-headers'),
    requestHeaderExtraHeadersPrefix: stringList(data, 'requestheader-extra-headers-prefix'),
    requestHeaderUidHeaders: stringList(data, 'requestheader-uid-headers'),
  };
}

/** Below client-node's 30 s inactivity abort. */
const WATCH_TIMEOUT_SECONDS = 25;

export class KubeAuthConfigMapReader implements AuthConfigMapReader {
  private readonly api: CoreV1Api;
  private readonly watcher: Watch;
  constructor(kc: KubeConfig, private readonly timeoutMs = 10_000) {
    this.api = kc.makeApiClient(CoreV1Api);
    this.watcher = new Watch(kc);
  }

  /**
   * Watches the one ConfigMap; restarts after retryMs whenever the watch fails.
   * client-node's Watch aborts a stream idle for 30 s, so the server is asked to end
   * each watch before that (timeoutSeconds) and the next one resumes from the last
   * resourceVersion: no error, no replayed ADDED event, no log line every 30 s.
   */
  watch(onChange: (data: Record<string, string> | undefined) => void, onError?: (err: Error) => void, retryMs = 5_000): () => void {
    let stopped = false;
    let controller: AbortController | undefined;
    let timer: NodeJS.Timeout | undefined;
    let resourceVersion: string | undefined;
    const restart = (err: unknown) => {
      if (stopped) return;
      if (err) onError?.(err instanceof Error ? err : new Error(String(err)));
      // Even a clean end waits a moment, so a watch that keeps closing cannot spin.
      timer = setTimeout(start, err ? retryMs : 200);
      timer.unref();
    };
    const start = () => {
      if (stopped) return;
      this.watcher
        .watch(
          `/api/v1/namespaces/${AUTH_CONFIGMAP_NAMESPACE}/configmaps`,
          { fieldSelector: `metadata.name=${AUTH_CONFIGMAP_NAME}`, timeoutSeconds: WATCH_TIMEOUT_SECONDS, allowWatchBookmarks: true, resourceVersion },
          (phase: string, obj: V1ConfigMap & { code?: number }) => {
            if (phase === 'ERROR') {
              if (obj.code === 410) resourceVersion = undefined; // too old: start from the current state
              return;
            }
            resourceVersion = obj.metadata?.resourceVersion ?? resourceVersion;
            if (phase === 'ADDED' || phase === 'MODIFIED') onChange(obj.data ?? {});
            else if (phase === 'DELETED') onChange(undefined);
          },
          restart,
        )
        .then((c) => {
          controller = c;
          if (stopped) c.abort();
        }, restart);
    };
    start();
    return () => {
      stopped = true;
      clearTimeout(timer);
      controller?.abort();
    };
  }

  async read(): Promise<Record<string, string> | undefined> {
    try {
      const cm = await this.api.readNamespacedConfigMap({ name: AUTH_CONFIGMAP_NAME, namespace: AUTH_CONFIGMAP_NAMESPACE }, requestTimeout(this.timeoutMs));
      return cm.data ?? {};
    } catch (e) {
      if (e instanceof ApiException && e.code === 404) return undefined;
      if (e instanceof ApiException && e.code === 403) {
        throw new Error(
          `unable to get configmap/${AUTH_CONFIGMAP_NAME} in ${AUTH_CONFIGMAP_NAMESPACE} (forbidden); usually fixed by ` +
            `'kubectl create rolebinding -n ${AUTH_CONFIGMAP_NAMESPACE} ROLEBINDING_NAME --role=extension-apiserver-authentication-reader --serviceaccount=YOUR_NS:YOUR_SA'`,
          { cause: e },
        );
      }
      throw e;
    }
  }
}
