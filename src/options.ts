// Command-line flags, named as metrics-server's (and the generic API server's) flags.
// parseOptions never exits: it returns Options or throws FlagError, and main.ts
// turns a FlagError into exit code 2 with one line naming the flag. Upstream flags
// accepted but ignored are in compat-flags.ts, refused ones in unsupported-flags.ts.

import { Command, CommanderError, Option } from 'commander';
import { COMPAT_FLAGS } from './compat-flags.js';
import { bool, bytes, duration, FlagError, goInt64, int, type ValueParser } from './flag-values.js';
import { rejectUnsupportedFlags } from './unsupported-flags.js';

export { FlagError };

/** Thrown for --help and --version: the text to print, exit code 0. */
export class FlagExit extends Error {
  constructor(readonly output: string) {
    super(output);
  }
}

export type KubeletSource = 'summary' | 'resource';
export type LoggingFormat = 'text' | 'json';
export type AddressType = 'Hostname' | 'InternalDNS' | 'InternalIP' | 'ExternalDNS' | 'ExternalIP';

/** The node address types Kubernetes defines, in upstream's default priority. */
export const ADDRESS_TYPES: readonly AddressType[] = ['Hostname', 'InternalDNS', 'InternalIP', 'ExternalDNS', 'ExternalIP'];

export interface Options {
  // Serving
  securePort: number;
  bindAddress: string;
  advertiseAddress?: string;
  tlsCertFile?: string;
  tlsPrivateKeyFile?: string;
  certDir: string;
  tlsMinVersion: string;
  tlsCipherSuites: string[];
  shutdownDelayNs: number;
  permitPortSharing: boolean;
  disableHttp2Serving: boolean;
  /** As upstream's Go int; 0 or less means the default (h2-settings.ts). */
  http2MaxStreamsPerConnection: bigint;

  // Cluster access
  kubeconfig?: string;

  // Scraping
  metricResolutionNs: number;
  kubeletSource: KubeletSource;
  kubeletPort: number;
  kubeletUseNodeStatusPort: boolean;
  /** As upstream, any type is accepted; one that is not an AddressType never matches (flag-warnings.ts names it). */
  kubeletPreferredAddressTypes: string[];
  kubeletInsecureTls: boolean;
  kubeletCertificateAuthority?: string;
  kubeletClientCertificate?: string;
  kubeletClientKey?: string;
  kubeletRequestTimeoutNs: number;
  kubeletMaxResponseBytes: number;
  kubeletConcurrency: number;
  nodeSelector: string;

  // Store
  storageMaxSeries: number;

  // Authentication
  clientCaFile?: string;
  requestheaderClientCaFile?: string;
  requestheaderAllowedNames: string[];
  requestheaderUsernameHeaders: string[];
  requestheaderGroupHeaders: string[];
  requestheaderExtraHeadersPrefix: string[];
  requestheaderUidHeaders: string[];
  authenticationKubeconfig?: string;
  authenticationTokenWebhookCacheTtlNs: number;
  authenticationSkipLookup: boolean;
  authenticationTolerateLookupFailure: boolean;

  // Authorization
  authorizationKubeconfig?: string;
  authorizationAlwaysAllowPaths: string[];
  authorizationWebhookCacheAuthorizedTtlNs: number;
  authorizationWebhookCacheUnauthorizedTtlNs: number;

  // Logging
  verbosity: number;
  loggingFormat: LoggingFormat;

  /** Flags explicitly given on the command line (long names), for "set vs default" decisions. */
  explicit: ReadonlySet<string>;
  /** COMPAT_FLAGS given on the command line whose value changes nothing here ("--name"), for the start-up warning. */
  ignoredFlags: readonly string[];
}

export const VERSION = '0.1.0';

/** A flag's name, help and value syntax; FLAGS and COMPAT_FLAGS share it. */
export interface FlagSyntax {
  flags: string;
  help: string;
  parse?: ValueParser;
  default?: unknown;
  defaultText?: string;
  /** Go-style bool: --flag, --flag=true, --flag=false. */
  bool?: boolean;
  /** String slice: comma-separated and repeatable. */
  list?: boolean;
  choices?: readonly string[];
}

interface FlagSpec extends FlagSyntax {
  key: keyof Options;
}

export const FLAGS: readonly FlagSpec[] = [
  // Serving
  { flags: '--secure-port <port>', key: 'securePort', help: 'The port on which to serve HTTPS with authentication and authorization.', parse: int(1, 65535), default: 10250 },
  { flags: '--bind-address <ip>', key: 'bindAddress', help: 'The IP address on which to listen for the --secure-port port.', default: '0.0.0.0' },
  { flags: '--advertise-address <ip>', key: 'advertiseAddress', help: 'Address (IP or DNS name) added to the self-signed serving certificate generated in --cert-dir.' },
  { flags: '--tls-cert-file <file>', key: 'tlsCertFile', help: 'File containing the default x509 certificate for HTTPS (CA cert, if any, concatenated after server cert). Reloaded when it changes.' },
  { flags: '--tls-private-key-file <file>', key: 'tlsPrivateKeyFile', help: 'File containing the default x509 private key matching --tls-cert-file.' },
  { flags: '--cert-dir <dir>', key: 'certDir', help: 'Directory for the self-signed certificate when --tls-cert-file/--tls-private-key-file are not given.', default: 'apiserver.local.config/certificates' },
  { flags: '--tls-min-version <version>', key: 'tlsMinVersion', help: 'Minimum TLS version supported. Possible values: VersionTLS10, VersionTLS11, VersionTLS12, VersionTLS13.', default: 'VersionTLS12', choices: ['VersionTLS10', 'VersionTLS11', 'VersionTLS12', 'VersionTLS13'] },
  { flags: '--tls-cipher-suites <suites>', key: 'tlsCipherSuites', help: 'Comma-separated list of cipher suites (IANA names, as upstream). Default: Node.js defaults.', list: true, default: [] },
  { flags: '--shutdown-delay-duration <duration>', key: 'shutdownDelayNs', help: 'Time to keep serving after SIGTERM while /readyz reports failure.', parse: duration, default: 0, defaultText: '0s' },
  { flags: '--permit-port-sharing [bool]', key: 'permitPortSharing', help: 'If true, SO_REUSEPORT will be used when binding the port, which allows more than one instance to bind on the same address and port.', bool: true, default: false },
  { flags: '--disable-http2-serving [bool]', key: 'disableHttp2Serving', help: 'If true, HTTP2 serving will be disabled.', bool: true, default: false },
  { flags: '--http2-max-streams-per-connection <n>', key: 'http2MaxStreamsPerConnection', help: 'The limit that the server gives to clients for the maximum number of streams in an HTTP/2 connection. Zero means the default, 250.', parse: goInt64, default: 0n, defaultText: '0' },

  // Cluster access
  { flags: '--kubeconfig <file>', key: 'kubeconfig', help: 'Kubeconfig for the Kubernetes API server; in-cluster configuration when empty.' },

  // Scraping
  { flags: '--metric-resolution <duration>', key: 'metricResolutionNs', help: 'The resolution at which metrics-server will retain metrics; must be at least 1s (10s or more recommended).', parse: duration, default: 15e9, defaultText: '15s' },
  { flags: '--kubelet-source <source>', key: 'kubeletSource', help: 'Kubelet endpoint to scrape: summary (/stats/summary) or resource (/metrics/resource).', default: 'summary', choices: ['summary', 'resource'] },
  { flags: '--kubelet-port <port>', key: 'kubeletPort', help: 'The port to use to connect to Kubelets.', parse: int(1, 65535), default: 10250 },
  { flags: '--kubelet-use-node-status-port [bool]', key: 'kubeletUseNodeStatusPort', help: 'Use the port in the node status. Takes precedence over --kubelet-port flag.', bool: true, default: false },
  { flags: '--kubelet-preferred-address-types <types>', key: 'kubeletPreferredAddressTypes', help: 'The priority of node address types to use when determining which address to use to connect to a particular node.', list: true, default: [...ADDRESS_TYPES] },
  { flags: '--kubelet-insecure-tls [bool]', key: 'kubeletInsecureTls', help: 'Do not verify CA of serving certificates presented by Kubelets. For testing purposes only.', bool: true, default: false },
  { flags: '--kubelet-certificate-authority <file>', key: 'kubeletCertificateAuthority', help: 'Path to the CA to use to validate the Kubelet\'s serving certificates. Reloaded when it changes.' },
  { flags: '--kubelet-client-certificate <file>', key: 'kubeletClientCertificate', help: 'Path to a client cert file for TLS. Reloaded when it changes.' },
  { flags: '--kubelet-client-key <file>', key: 'kubeletClientKey', help: 'Path to a client key file for TLS. Reloaded when it changes.' },
  { flags: '--kubelet-request-timeout <duration>', key: 'kubeletRequestTimeoutNs', help: 'The length of time to wait before giving up on a single request to Kubelet.', parse: duration, default: 10e9, defaultText: '10s' },
  { flags: '--kubelet-max-response-bytes <bytes>', key: 'kubeletMaxResponseBytes', help: 'Largest kubelet response body accepted, as sent and once inflated (gzip); larger responses are cut off and counted.', parse: bytes, default: 64 * 1024 * 1024, defaultText: '64Mi' },
  { flags: '--kubelet-concurrency <n>', key: 'kubeletConcurrency', help: 'Maximum number of kubelets scraped at once (a request unanswered after a second stops counting, so hanging kubelets cannot hold back the others).', parse: int(1, 100000), default: 256 },
  { flags: '-l, --node-selector <selector>', key: 'nodeSelector', help: 'Selector (label query) to filter on, not including uninitialized ones, supports \'=\', \'==\', and \'!=\'.(e.g. -l key1=value1,key2=value2).', default: '' },

  // Store
  { flags: '--storage-max-series <n>', key: 'storageMaxSeries', help: 'Hard cap on stored series (nodes + containers); beyond it the least recently answered nodes are evicted with their pods.', parse: int(1, 1e9), default: 5000 + 5000 * 110 * 2 },

  // Authentication
  { flags: '--client-ca-file <file>', key: 'clientCaFile', help: 'If set, any request presenting a client certificate signed by one of the authorities in the client-ca-file is authenticated with an identity corresponding to the CommonName of the client certificate.' },
  { flags: '--requestheader-client-ca-file <file>', key: 'requestheaderClientCaFile', help: 'Root certificate bundle to use to verify client certificates on incoming requests before trusting usernames in headers specified by --requestheader-username-headers.' },
  { flags: '--requestheader-allowed-names <names>', key: 'requestheaderAllowedNames', help: 'List of client certificate common names to allow to provide usernames in headers specified by --requestheader-username-headers. If empty, any client certificate validated by the authorities in --requestheader-client-ca-file is allowed.', list: true, default: [] },
  { flags: '--requestheader-username-headers <headers>', key: 'requestheaderUsernameHeaders', help: 'List of request headers to inspect for usernames. X-Remote-User is common.', list: true, default: ['x-remote-user'] },
  { flags: '--requestheader-group-headers <headers>', key: 'requestheaderGroupHeaders', help: 'List of request headers to inspect for groups. X-Remote-Group is suggested.', list: true, default: ['x-remote-group'] },
  { flags: '--requestheader-extra-headers-prefix <prefixes>', key: 'requestheaderExtraHeadersPrefix', help: 'List of request header prefixes to inspect. X-Remote-Extra- is suggested.', list: true, default: ['x-remote-extra-'] },
  { flags: '--requestheader-uid-headers <headers>', key: 'requestheaderUidHeaders', help: 'List of request headers to inspect for UIDs. X-Remote-Uid is suggested.', list: true, default: [] },
  { flags: '--authentication-kubeconfig <file>', key: 'authenticationKubeconfig', help: 'Kubeconfig pointing at the core kubernetes server with enough rights to create tokenreviews.authentication.k8s.io. Defaults to --kubeconfig.' },
  { flags: '--authentication-token-webhook-cache-ttl <duration>', key: 'authenticationTokenWebhookCacheTtlNs', help: 'The duration to cache responses from the webhook token authenticator.', parse: duration, default: 10e9, defaultText: '10s' },
  { flags: '--authentication-skip-lookup [bool]', key: 'authenticationSkipLookup', help: 'If false, the authentication-kubeconfig will be used to lookup missing authentication configuration from the cluster.', bool: true, default: false },
  { flags: '--authentication-tolerate-lookup-failure [bool]', key: 'authenticationTolerateLookupFailure', help: 'If true, failures to look up missing authentication configuration from the cluster are not considered fatal.', bool: true, default: false },

  // Authorization
  { flags: '--authorization-kubeconfig <file>', key: 'authorizationKubeconfig', help: 'Kubeconfig pointing at the core kubernetes server with enough rights to create subjectaccessreviews.authorization.k8s.io. Defaults to --kubeconfig.' },
  { flags: '--authorization-always-allow-paths <paths>', key: 'authorizationAlwaysAllowPaths', help: 'A list of HTTP paths to skip during authorization, i.e. these are authorized without contacting the \'core\' kubernetes server.', list: true, default: ['/healthz', '/readyz', '/livez'] },
  { flags: '--authorization-webhook-cache-authorized-ttl <duration>', key: 'authorizationWebhookCacheAuthorizedTtlNs', help: 'The duration to cache \'authorized\' responses from the webhook authorizer.', parse: duration, default: 10e9, defaultText: '10s' },
  { flags: '--authorization-webhook-cache-unauthorized-ttl <duration>', key: 'authorizationWebhookCacheUnauthorizedTtlNs', help: 'The duration to cache \'unauthorized\' responses from the webhook authorizer.', parse: duration, default: 10e9, defaultText: '10s' },

  // Logging
  { flags: '-v, --v <level>', key: 'verbosity', help: 'Number for the log level verbosity: 0 errors, warnings and start-up; 1 per-tick summary; 2+ per-node detail.', parse: int(0, 10), default: 0 },
  { flags: '--logging-format <format>', key: 'loggingFormat', help: 'Sets the log format: text (human-readable) or json.', default: 'text', choices: ['text', 'json'] },
];

export function longName(flags: string): string {
  return /--([a-z0-9_-]+)/.exec(flags)![1]!;
}

function flagOption(spec: FlagSyntax): Option {
  const name = longName(spec.flags);
  const opt = new Option(spec.flags, spec.help);
  if (spec.bool) {
    opt.argParser((v: string) => bool(v, name));
    opt.preset('true');
  } else if (spec.list) {
    opt.argParser((v: string, prev: unknown) => {
      const items = v.split(',').map((s) => s.trim()).filter((s) => s !== '');
      // Repeated flags append, but the first use replaces the default.
      return Array.isArray(prev) && prev !== spec.default ? [...(prev as string[]), ...items] : items;
    });
  } else if (spec.parse) {
    const p = spec.parse;
    opt.argParser((v: string) => p(v, name));
  } else if (spec.choices) {
    const choices = spec.choices;
    opt.argParser((v: string) => {
      if (!choices.includes(v)) throw new FlagError(`invalid argument "${v}" for "--${name}" flag: must be one of ${choices.join(', ')}`);
      return v;
    });
  }
  if (spec.default !== undefined) opt.default(spec.default, spec.defaultText ?? (Array.isArray(spec.default) ? spec.default.join(',') : String(spec.default)));
  return opt;
}

function buildCommand(): Command {
  const cmd = new Command('metrics-server')
    .description('Kubernetes metrics-server (metrics.k8s.io/v1beta1) in TypeScript')
    .version(VERSION, '--version', 'Print version information and quit.')
    .helpOption('-h, --help', 'Help for metrics-server.')
    .allowExcessArguments(false)
    .exitOverride()
    .configureOutput({ writeOut: () => {}, writeErr: () => {} });
  for (const spec of FLAGS) cmd.addOption(flagOption(spec));
  // Parsed so that a malformed value still fails, but kept out of --help: the README lists them.
  for (const spec of COMPAT_FLAGS) cmd.addOption(flagOption(spec).hideHelp());
  return cmd;
}

/** The full --help text. */
export function helpText(): string {
  return buildCommand().helpInformation();
}

// Go's pflag accepts "-v=2" and single-dash long flags are not used by metrics-server;
// normalise the shorthand form so commander sees "--v=2".
function normalizeArgs(argv: readonly string[]): string[] {
  return argv.map((a) => (/^-v=/.test(a) ? `--v=${a.slice(3)}` : a));
}

/** Parses argv (without node and script) into Options. */
export function parseOptions(argv: readonly string[]): Options {
  rejectUnsupportedFlags(argv);
  const cmd = buildCommand();
  try {
    cmd.parse(normalizeArgs(argv), { from: 'user' });
  } catch (e) {
    if (e instanceof FlagError) throw e;
    if (e instanceof CommanderError) {
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.help') throw new FlagExit(cmd.helpInformation());
      if (e.code === 'commander.version') throw new FlagExit(`${VERSION}\n`);
      throw new FlagError(e.message.replace(/^error: /, ''));
    }
    throw e;
  }
  const raw = cmd.opts() as Record<string, unknown>;
  const explicit = new Set<string>();
  const out: Record<string, unknown> = {};
  for (const spec of FLAGS) {
    const attr = cmd.options.find((o) => o.long === `--${longName(spec.flags)}`)!.attributeName();
    out[spec.key] = raw[attr];
    if (cmd.getOptionValueSource(attr) === 'cli') explicit.add(longName(spec.flags));
  }
  const ignored: string[] = [];
  for (const spec of COMPAT_FLAGS) {
    const attr = cmd.options.find((o) => o.long === `--${longName(spec.flags)}`)!.attributeName();
    if (cmd.getOptionValueSource(attr) !== 'cli') continue;
    if (!spec.inEffect?.(raw[attr])) ignored.push(`--${longName(spec.flags)}`);
  }
  const o = out as unknown as Options;
  o.explicit = explicit;
  o.ignoredFlags = ignored;
  validate(o);
  return o;
}

function validate(o: Options): void {
  if (o.metricResolutionNs < 1e9) throw new FlagError(`invalid argument for "--metric-resolution" flag: must be at least 1s, got ${o.metricResolutionNs / 1e9}s`);
  if (o.kubeletRequestTimeoutNs <= 0) throw new FlagError('invalid argument for "--kubelet-request-timeout" flag: must be positive');
  if ((o.tlsCertFile === undefined) !== (o.tlsPrivateKeyFile === undefined)) {
    throw new FlagError('--tls-cert-file and --tls-private-key-file must be given together');
  }
  if ((o.kubeletClientCertificate === undefined) !== (o.kubeletClientKey === undefined)) {
    throw new FlagError('--kubelet-client-certificate and --kubelet-client-key must be given together');
  }
  if (o.kubeletInsecureTls && o.kubeletCertificateAuthority !== undefined) {
    throw new FlagError('--kubelet-insecure-tls and --kubelet-certificate-authority cannot be used together');
  }
}
