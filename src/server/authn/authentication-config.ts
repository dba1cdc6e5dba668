// Where the authenticators' trust comes from: the CA flags (files reloaded on
// change) or, for whatever the flags leave out, ConfigMap
// kube-system/extension-apiserver-authentication re-read periodically so that CA
// rotation in the cluster reaches this server (GAS's dynamic CA controllers).

import { parseAuthConfigMap, type AuthConfigMapReader, type ExtensionApiserverAuthentication } from '../../kube/auth-configmap.js';
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

export class AuthenticationConfig {
  readonly clientCA: CAProvider;
  readonly requestHeader: RequestHeaderConfigProvider;
  /** The header names configured by flags, stripped from every request even without a request-header CA. */
  readonly flagHeaders: Pick<RequestHeaderConfig, 'usernameHeaders' | 'uidHeaders' | 'groupHeaders' | 'extraHeaderPrefixes'>;

  private readonly closers: (() => void)[] = [];
  private readonly cmClientCA = new MutableCAProvider();
  private readonly cmRequestHeaderCA = new MutableCAProvider();
  private cmRequestHeader: ExtensionApiserverAuthentication | undefined;
  private refreshTimer: NodeJS.Timeout | undefined;
  private lastRequestHeader: { ca: CABundle | undefined; cm: ExtensionApiserverAuthentication | undefined; config: RequestHeaderConfig } | undefined;

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
          (data) => {
            try {
              this.apply(data);
            } catch (e) {
              log?.warn({ err: (e as Error).message }, 'ignoring a malformed authentication ConfigMap update');
            }
          },
          (e) => log?.debug({ err: e.message }, 'authentication ConfigMap watch ended'),
        ),
      );
    }
    this.refreshTimer = setInterval(() => {
      this.refresh(false).catch((e: unknown) => log?.warn({ err: (e as Error).message }, 'cannot re-read the authentication ConfigMap, keeping the previous configuration'));
    }, this.deps.configMapRefreshMs ?? 60_000);
    this.refreshTimer.unref();
  }

  /** Re-reads the ConfigMap now and applies it; rejects (keeping the old state) on failure. */
  async refresh(initial = false): Promise<void> {
    this.apply(await this.deps.configMapReader!.read(), initial);
  }

  /** Applies the ConfigMap's data (undefined: no ConfigMap); throws, changing nothing, when it is malformed. */
  private apply(data: Record<string, string> | undefined, initial = false): void {
    const parsed = parseAuthConfigMap(data ?? {});
    // Parse both bundles before replacing either, so a bad update changes nothing; an
    // unchanged PEM keeps its bundle object, and with it the per-connection verification cache.
    const next = (provider: MutableCAProvider, pem: string | undefined, key: string): CABundle | undefined => {
      if (pem === undefined) return undefined;
      const cur = provider.current();
      return cur?.pem === pem ? cur : parseCABundle(pem, `${CM_SOURCE}:${key}`);
    };
    const client = this.opts.clientCaFile ? undefined : next(this.cmClientCA, parsed.clientCA, 'client-ca-file');
    const header = this.opts.requestheaderClientCaFile ? undefined : next(this.cmRequestHeaderCA, parsed.requestHeaderClientCA, 'requestheader-client-ca-file');
    const changed = client !== this.cmClientCA.current() || header !== this.cmRequestHeaderCA.current();
    this.cmClientCA.set(client);
    this.cmRequestHeaderCA.set(header);
    this.cmRequestHeader = parsed;
    if (initial || changed) {
      const log = this.deps.log;
      if (!this.opts.clientCaFile && !parsed.clientCA) log?.info('cluster does not provide client-ca-file; client certificate authentication will not work');
      if (!this.opts.requestheaderClientCaFile && !parsed.requestHeaderClientCA) log?.info('cluster does not provide requestheader-client-ca-file; front-proxy authentication will not work');
      if (changed && !initial) log?.info('authentication CA bundles changed in the ConfigMap');
    }
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
  private stable(ca: CABundle | undefined, cm: ExtensionApiserverAuthentication | undefined): RequestHeaderConfig {
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
