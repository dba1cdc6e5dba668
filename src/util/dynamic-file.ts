// Files whose content is reloaded when it changes on disk (GAS dynamiccertificates):
// the serving certificate/key, the client CA bundles, and the kubelet client's
// certificate, key and CA. fs.watch on the parent directories catches atomic
// renames and Kubernetes Secret symlink swaps; a poll catches what fs.watch misses
// (network filesystems, some container runtimes).

import { watch, type FSWatcher } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Logger } from '../log.js';

export interface DynamicFilesOptions {
  /** Poll interval in milliseconds (upstream re-checks every minute). */
  pollMs?: number;
  /** Quiet period after a watch event before re-reading, so half-written files are skipped. */
  debounceMs?: number;
  log?: Logger;
}

/**
 * Watches a set of files read together (a cert and its key). onChange receives the
 * new contents when any of them changed; when it throws (e.g. key does not match
 * cert) the old content is kept and the error logged, and the next change retries.
 */
export class DynamicFiles {
  private contents: Buffer[];
  private watchers: FSWatcher[] = [];
  private poll: NodeJS.Timeout | undefined;
  private debounce: NodeJS.Timeout | undefined;
  private reloading = false;
  private closed = false;

  private constructor(
    readonly paths: readonly string[],
    initial: Buffer[],
    private readonly onChange: (contents: Buffer[]) => void,
    private readonly opts: DynamicFilesOptions,
  ) {
    this.contents = initial;
  }

  /** Reads the files once (throwing if unreadable), then watches them. */
  static async open(paths: readonly string[], onChange: (contents: Buffer[]) => void, opts: DynamicFilesOptions = {}): Promise<DynamicFiles> {
    return DynamicFiles.watch(paths, await Promise.all(paths.map((p) => readFile(p))), onChange, opts);
  }

  /** Watches files whose contents the caller already read (initial, in the order of paths). */
  static watch(paths: readonly string[], initial: Buffer[], onChange: (contents: Buffer[]) => void, opts: DynamicFilesOptions = {}): DynamicFiles {
    const df = new DynamicFiles(paths, initial, onChange, opts);
    df.start();
    return df;
  }

  get current(): readonly Buffer[] {
    return this.contents;
  }

  private start(): void {
    for (const dir of new Set(this.paths.map((p) => dirname(p)))) {
      try {
        const w = watch(dir, { persistent: false }, () => this.schedule());
        w.on('error', () => w.close());
        this.watchers.push(w);
      } catch {
        // No fs.watch here: the poll below still notices changes.
      }
    }
    this.poll = setInterval(() => void this.reload(), this.opts.pollMs ?? 60_000);
    this.poll.unref();
  }

  private schedule(): void {
    if (this.closed) return;
    clearTimeout(this.debounce);
    this.debounce = setTimeout(() => void this.reload(), this.opts.debounceMs ?? 100);
    this.debounce.unref();
  }

  /** Re-reads the files now; resolves once any change was applied. */
  async reload(): Promise<void> {
    if (this.reloading || this.closed) return;
    this.reloading = true;
    try {
      let next: Buffer[];
      try {
        next = await Promise.all(this.paths.map((p) => readFile(p)));
      } catch (e) {
        this.opts.log?.warn({ err: (e as Error).message, files: this.paths }, 'cannot re-read files, keeping the previous content');
        return;
      }
      if (next.every((b, i) => b.equals(this.contents[i]!))) return;
      try {
        this.onChange(next);
        this.contents = next;
        this.opts.log?.info({ files: this.paths }, 'reloaded files changed on disk');
      } catch (e) {
        this.opts.log?.warn({ err: (e as Error).message, files: this.paths }, 'rejected changed files, keeping the previous content');
      }
    } finally {
      this.reloading = false;
    }
  }

  close(): void {
    this.closed = true;
    clearInterval(this.poll);
    clearTimeout(this.debounce);
    for (const w of this.watchers) w.close();
    this.watchers = [];
  }
}
