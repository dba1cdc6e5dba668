// The one TLS SecureContext every kubelet connection shares (CA, client
// certificate), rebuilt when the files it came from change on disk, as
// client-go's transport does for upstream: file-based client certificates are
// re-read every 5 minutes (transport/cert_rotation.go) and, when they changed,
// the connections are closed so new ones present the new certificate; recent
// client-go re-reads CA files alike. Here DynamicFiles (as for the serving
// certificate) re-reads them at once on fs.watch events and every reloadMs.
// A changed set that is not valid (key not matching the certificate, a
// truncated PEM: a rotation caught half-written) is logged and the old context
// kept; the next change or poll tries again.

import tls, { type ConnectionOptions, type SecureContext } from 'node:tls';
import { X509Certificate } from 'node:crypto';
import { DynamicFiles } from '../util/dynamic-file.js';
import type { Logger } from '../log.js';

/** How often the files are re-read besides fs.watch: client-go's CertCallbackRefreshDuration. */
export const KUBELET_TLS_RELOAD_MS = 5 * 60_000;

/** The files the ca, cert and key of the TLS options were read from: these are reloaded. */
export interface KubeletTlsFiles {
  ca?: string;
  /** Reloaded only with key (client-go's rule: both from files). */
  cert?: string;
  key?: string;
}

export interface KubeletTlsContextOptions {
  /** Poll interval, ms (default KUBELET_TLS_RELOAD_MS). */
  reloadMs?: number;
  log?: Logger;
  /** Called once a new context is in place: connections opened with the old one should go. */
  onRotate: () => void;
}

type Part = 'ca' | 'cert' | 'key';

const BEGIN_CERT = '-----BEGIN CERTIFICATE-----';
const CERT_BLOCK = /-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g;

/** Throws unless pem is one or more whole certificates: Node drops a bad or cut-off CA silently, trusting nothing. */
function checkCABundle(pem: string): void {
  const blocks = pem.match(CERT_BLOCK) ?? [];
  if (blocks.length === 0) throw new Error('CA file holds no certificate');
  if (blocks.length !== pem.split(BEGIN_CERT).length - 1) throw new Error('CA file ends in a cut-off certificate');
  for (const b of blocks) new X509Certificate(b);
}

function asBuffer(v: unknown): Buffer | undefined {
  if (Buffer.isBuffer(v)) return v;
  return typeof v === 'string' ? Buffer.from(v) : undefined;
}

export class KubeletTlsContext {
  private options: ConnectionOptions;
  private current: SecureContext | undefined;
  private readonly files: DynamicFiles | undefined;

  constructor(options: ConnectionOptions, files: KubeletTlsFiles | undefined, private readonly opts: KubeletTlsContextOptions) {
    this.options = options;
    const parts: Part[] = [];
    if (files?.ca !== undefined) parts.push('ca');
    if (files?.cert !== undefined && files.key !== undefined) parts.push('cert', 'key');
    // What the options hold is what was read from the files: the first change is against it.
    const initial = parts.map((p) => asBuffer(options[p]));
    if (parts.length === 0 || initial.some((b) => b === undefined)) return;
    this.files = DynamicFiles.watch(
      parts.map((p) => files![p]!),
      initial as Buffer[],
      (contents) => this.rotate(parts, contents),
      { pollMs: opts.reloadMs ?? KUBELET_TLS_RELOAD_MS, log: opts.log },
    );
  }

  /** The current context, built on first use. */
  get context(): SecureContext {
    this.current ??= tls.createSecureContext(this.options);
    return this.current;
  }

  /** Stops watching the files. */
  close(): void {
    this.files?.close();
  }

  /** Throws (DynamicFiles then keeps the old content) unless the new contents make a valid context. */
  private rotate(parts: readonly Part[], contents: readonly Buffer[]): void {
    const next: ConnectionOptions = { ...this.options };
    parts.forEach((p, i) => {
      const b = contents[i]!;
      if (b.length === 0) throw new Error(`the ${p} file is empty`);
      if (p === 'ca') checkCABundle(b.toString('latin1'));
      next[p] = b;
    });
    // Throws on a malformed certificate or key, or a key that does not match the certificate.
    const context = tls.createSecureContext(next);
    this.options = next;
    this.current = context;
    this.opts.log?.info({ files: this.files?.paths }, 'kubelet client TLS files changed: closing kubelet connections so new ones use them');
    this.opts.onRotate();
  }
}
