// Where the authenticators' trust comes from: the CA flags (files reloaded on
// change) or, for whatever the flags leave out, ConfigMap
// kube-system/extension-apiserver-authentication re-read periodically so that CA
// rotation in the cluster reaches this server (GAS's dynamic CA controllers).

import {
  caBundleKey,
  CLIENT_CA_KEY,
  parseRequestHeaderNames,
  REQUEST_HEADER_CA_KEY,
  type AuthConfigMapReader,
  type RequestHeaderNames,
} from '../../kube/auth-configmap.js';
import type { Logger } from '../../log.js';
import type { Options } from '../../options.js';
import { FileCAProvider, MutableCAProvider, parseCABundle, type CABundle, type CAProvider } from './ca-bundle.js';
import type { RequestHeaderConfig, RequestHeaderConfigProvider } from './request-header.js';

export type AuthenticationOptions = Pick<
  Options,
  | 'clientCaFile'
  | 'requestheaderClientCaFile'
  | 'requestheaderAllowedNames'
  | 'requestheaderUsernameHeaders'
  | 'requestheaderGroupHeaders'
  | 'requestheaderExtraHeadersPrefix'
  | 'requestheaderUidHeaders'
  | 'authenticationSkipLookup'
  | 'authenticationTolerateLookupFailure'
>;

export interface AuthenticationConfigDeps {
  /** Reads the ConfigMap; required unless both CA flags are given or lookup is skipped. */
  configMapReader?: AuthConfigMapReader;
  log?: Logger;
  /** ConfigMap re-read interval besides the watch, ms (default 60s). */
  configMapRefreshMs?: number;
  /** CA file poll interval besides fs.watch, ms (default 60s). */
  filePollMs?: number;
}

const CM_SOURCE = 'configmap:kube-system/extension-apiserver-authentication';

/** A problem worth one log line until it changes or goes away (the ConfigMap is re-read every minute). */
interface Problem {
  level: 'info' | 'warn';
  msg: string;
  err?: string;
}

export class AuthenticationConfig {
  readonly clientCA: CAProvider;
  readonly requestHeader: RequestHeaderConfigProvider;
  /** The header names configured by flags, stripped from every request even without a request-header CA. */
  readonly flagHeaders: Pick<RequestHeaderConfig, 'usernameHeaders' | 'uidHeaders' | 'groupHeaders' | 'extraHeaderPrefixes'>;

  private readonly closers: (() => void)[] = [];
  private readonly cmClientCA = new MutableCAProvider();
  private readonly cmRequestHeaderCA = new MutableCAProvider();
  private cmRequestHeader: RequestHeaderNames | undefined;
  /** The problem last logged per source (the ConfigMap, a key), as msg + err. */
  private readonly reported = new Map<string, string>();
  private refreshTimer: NodeJS.Timeout | undefined;
  private lastRequestHeader: { ca: CABundle | undefined; cm: RequestHeaderNames | undefined; config: RequestHeaderConfig } | undefined;

  private constructor(
    private readonly opts: AuthenticationOptions,
    private readonly deps: AuthenticationConfigDeps,
    clientFile: FileCAProvider | undefined,
    requestHeaderFile: FileCAProvider | undefined,
  ) {
    this.flagHeaders = {
      usernameHeaders: opts.requestheaderUsernameHeaders,
      uidHeaders: opts.requestheaderUidHeaders,
      groupHeaders: opts.requestheaderGroupHeaders,
      extraHeaderPrefixes: opts.requestheaderExtraHeadersPrefix,
    };
    if (clientFile) this.closers.push(() => clientFile.close());
    if (requestHeaderFile) this.closers.push(() => requestHeaderFile.close());
    this.clientCA = clientFile ?? this.cmClientCA;
    this.requestHeader = requestHeaderFile
      ? { current: () => this.stable(requestHeaderFile.current(), undefined) }
      : { current: () => this.configMapRequestHeader() };
  }

  /** Loads the CA files and, when needed, the ConfigMap. Throws as upstream when the lookup fails and is not tolerated. */
  static async create(opts: AuthenticationOptions, deps: AuthenticationConfigDeps = {}): Promise<AuthenticationConfig> {
    const fileOpts = { log: deps.log, pollMs: deps.filePollMs };
    const clientFile = opts.clientCaFile ? await FileCAProvider.open(opts.clientCaFile, fileOpts) : undefined;
    let requestHeaderFile: FileCAProvider | undefined;
    try {
      requestHeaderFile = opts.requestheaderClientCaFile ? await FileCAProvider.open(opts.requestheaderClientCaFile, fileOpts) : undefined;
    } catch (e) {
      clientFile?.close();
      throw e;
    }
    const cfg = new AuthenticationConfig(opts, deps, clientFile, requestHeaderFile);
    try {
      await cfg.startLookup();
    } catch (e) {
      cfg.close();
      throw e;
    }
    return cfg;
  }

  private get lookupNeeded(): boolean {
    return !this.opts.authenticationSkipLookup && (!this.opts.clientCaFile || !this.opts.requestheaderClientCaFile);
  }

  private async startLookup(): Promise<void> {
    if (!this.lookupNeeded) return;
    const log = this.deps.log;
    if (!this.deps.configMapReader) {
      const msg = 'no authentication kubeconfig to look up the missing authentication configuration in the cluster';
      if (!this.opts.authenticationTolerateLookupFailure) throw new Error(`unable to load configmap based request-header-client-ca-file: ${msg}`);
      log?.warn(msg + '; continuing without it, requests may be treated as anonymous');
      return;
    }
    try {
      await this.refresh(true);
    } catch (e) {
      if (!this.opts.authenticationTolerateLookupFailure) {
        throw new Error(`unable to load configmap based request-header-client-ca-file: ${(e as Error).message}`, { cause: e });
      }
      log?.warn({ err: (e as Error).message }, 'error looking up in-cluster authentication configuration; continuing without it, requests may be treated as anonymous (set --authentication-tolerate-lookup-failure=false to require it)');
    }
    const reader = this.deps.configMapReader;
    if (reader.watch) {
      // The watch brings changes within moments; the periodic re-read below is the safety net.
      this.closers.push(
        reader.watch(
          (data) => this.apply(data),
          (e) => log?.debug({ err: e.message }, 'authentication ConfigMap watch ended'),
        ),
      );
    }
    this.refreshTimer = setInterval(() => {
      this.refresh(false).catch((e: unknown) => log?.warn({ err: (e as Error).message }, 'cannot re-read the authentication ConfigMap, keeping the previous configuration'));
    }, this.deps.configMapRefreshMs ?? 60_000);
    this.refreshTimer.unref();
  }

  /**
   * Re-reads the ConfigMap now and applies it; rejects when it cannot be read, or on
   * the initial read when its request-header names are malformed (fatal unless tolerated, as upstream).
   */
  async refresh(initial = false): Promise<void> {
    this.apply(await this.deps.configMapReader!.read(), initial);
  }

  /**
   * Applies the ConfigMap's data (undefined: no ConfigMap) as upstream's controllers
   * do: each CA key on its own, so a malformed or missing one keeps its previous bundle
   * without holding back the other; a deleted ConfigMap keeps what was loaded from it,
   * so front-proxy and client-certificate requests do not all get 401 until
   * kube-apiserver writes it again.
   */
  private apply(data: Record<string, string> | undefined, initial = false): void {
    if (data === undefined && (this.cmClientCA.current() || this.cmRequestHeaderCA.current() || this.cmRequestHeader)) {
      this.report('configmap', { level: 'warn', msg: `${CM_SOURCE} not found; keeping the CA bundles and request-header names last loaded from it` });
      return;
    }
    this.report('configmap', undefined);
    const cm = data ?? {};
    let changed = false;
    if (!this.opts.clientCaFile) changed = this.applyCA(this.cmClientCA, cm, CLIENT_CA_KEY, 'client certificate authentication') || changed;
    if (!this.opts.requestheaderClientCaFile) changed = this.applyCA(this.cmRequestHeaderCA, cm, REQUEST_HEADER_CA_KEY, 'front-proxy authentication') || changed;
    if (changed && !initial) this.deps.log?.info('authentication CA bundles changed in the ConfigMap');
    if (data === undefined) return;
    let names: RequestHeaderNames;
    try {
      names = parseRequestHeaderNames(data);
    } catch (e) {
      if (initial) throw e;
      this.report('requestheader-names', { level: 'warn', msg: 'ignoring malformed request-header names in the authentication ConfigMap; keeping the previous ones', err: (e as Error).message });
      return;
    }
    this.report('requestheader-names', undefined);
    this.cmRequestHeader = names;
  }

  /** Applies one CA key of the ConfigMap; returns whether its bundle changed. */
  private applyCA(provider: MutableCAProvider, data: Record<string, string>, key: typeof CLIENT_CA_KEY | typeof REQUEST_HEADER_CA_KEY, use: string): boolean {
    const pem = caBundleKey(data, key);
    const cur = provider.current();
    const keeping = cur ? 'keeping the CA bundle last loaded from it' : `${use} will not work`;
    if (pem === undefined) {
      this.report(key, cur ? { level: 'warn', msg: `${CM_SOURCE} has no ${key}; ${keeping}` } : { level: 'info', msg: `cluster does not provide ${key}; ${keeping}` });
      return false;
    }
    // An unchanged PEM keeps its bundle object, and with it the per-connection verification cache.
    if (cur?.pem === pem) {
      this.report(key, undefined);
      return false;
    }
    try {
      provider.set(parseCABundle(pem, `${CM_SOURCE}:${key}`));
    } catch (e) {
      this.report(key, { level: 'warn', msg: `ignoring ${key} in ${CM_SOURCE}; ${keeping}`, err: (e as Error).message });
      return false;
    }
    this.report(key, undefined);
    return true;
  }

  /** Logs a source's problem once, until it changes; undefined: the source is fine again. */
  private report(source: string, problem: Problem | undefined): void {
    const seen = problem && `${problem.msg}\0${problem.err ?? ''}`;
    if (this.reported.get(source) === seen) return;
    if (!problem) {
      this.reported.delete(source);
      return;
    }
    this.reported.set(source, seen!);
    if (problem.err === undefined) this.deps.log?.[problem.level](problem.msg);
    else this.deps.log?.[problem.level]({ err: problem.err }, problem.msg);
  }

  private configMapRequestHeader(): RequestHeaderConfig | undefined {
    const ca = this.cmRequestHeaderCA.current();
    const cm = this.cmRequestHeader;
    if (!ca || !cm) return undefined;
    return this.stable(ca, cm);
  }

  /**
   * One configuration object per CA bundle and ConfigMap content, so that what
   * is derived from it per object (lowercased header names) is derived once.
   */
  private stable(ca: CABundle | undefined, cm: RequestHeaderNames | undefined): RequestHeaderConfig {
    const last = this.lastRequestHeader;
    if (last && last.ca === ca && last.cm === cm) return last.config;
    const config: RequestHeaderConfig = cm
      ? {
          ca,
          allowedNames: cm.requestHeaderAllowedNames,
          usernameHeaders: cm.requestHeaderUsernameHeaders,
          groupHeaders: cm.requestHeaderGroupHeaders,
          extraHeaderPrefixes: cm.requestHeaderExtraHeadersPrefix,
          uidHeaders: cm.requestHeaderUidHeaders,
        }
      : { ca, allowedNames: this.opts.requestheaderAllowedNames, ...this.flagHeaders };
    this.lastRequestHeader = { ca, cm, config };
    return config;
  }

  close(): void {
    clearInterval(this.refreshTimer);
    for (const c of this.closers.splice(0)) c();
  }
}
