// A PEM bundle of trusted CA certificates, and providers whose bundle can change
// at run time (a watched file, or a ConfigMap key), as GAS's dynamic CA content.

import { X509Certificate } from 'node:crypto';
import { DynamicFiles, type DynamicFilesOptions } from '../../util/dynamic-file.js';

export interface CABundle {
  /** Name for logs: the file path or "configmap:<key>". */
  readonly source: string;
  readonly pem: string;
  readonly certs: readonly X509Certificate[];
}

export interface CAProvider {
  /** The current bundle, undefined when none is configured (the authenticator abstains). */
  current(): CABundle | undefined;
}

const PEM_BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----[\s\S]*?-----END \1-----/g;

/** Parses a PEM bundle; throws when it holds no certificate or a malformed one. */
export function parseCABundle(pem: string, source: string): CABundle {
  const certs: X509Certificate[] = [];
  for (const m of pem.matchAll(PEM_BLOCK)) {
    if (m[1] !== 'CERTIFICATE') continue;
    try {
      certs.push(new X509Certificate(m[0]));
    } catch (e) {
      throw new Error(`${source}: invalid certificate in CA bundle: ${(e as Error).message}`, { cause: e });
    }
  }
  if (certs.length === 0) throw new Error(`${source}: no certificates found in CA bundle`);
  return { source, pem, certs };
}

/** A provider set from outside (ConfigMap content, tests). */
export class MutableCAProvider implements CAProvider {
  private bundle: CABundle | undefined;
  constructor(bundle?: CABundle) {
    this.bundle = bundle;
  }
  current(): CABundle | undefined {
    return this.bundle;
  }
  set(bundle: CABundle | undefined): void {
    this.bundle = bundle;
  }
}

/** A CA bundle file reloaded when it changes on disk. Close it on shutdown. */
export class FileCAProvider implements CAProvider {
  private bundle: CABundle | undefined;
  private files: DynamicFiles | undefined;

  private constructor(readonly path: string) {}

  /** Reads and parses the file (throwing when it is missing or not a CA bundle), then watches it. */
  static async open(path: string, opts: DynamicFilesOptions = {}): Promise<FileCAProvider> {
    const provider = new FileCAProvider(path);
    // A changed file that does not parse throws here, and DynamicFiles keeps the old bundle.
    provider.files = await DynamicFiles.open([path], ([b]) => provider.update(b!), opts);
    try {
      provider.update(provider.files.current[0]!);
    } catch (e) {
      provider.close();
      throw e;
    }
    return provider;
  }

  private update(content: Buffer): void {
    this.bundle = parseCABundle(content.toString('utf8'), this.path);
  }

  current(): CABundle | undefined {
    return this.bundle;
  }

  /** Re-reads the file now (tests, SIGHUP). */
  reload(): Promise<void> {
    return this.files?.reload() ?? Promise.resolve();
  }

  close(): void {
    this.files?.close();
  }
}
