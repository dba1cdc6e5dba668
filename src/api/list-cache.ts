// Encode once per tick and selector: list responses are cached by path, query and
// negotiated encoding, and stay valid while the store and both caches keep their
// revisions. The one thing that changes within a tick is creationTimestamp (the
// response time, whole seconds, as upstream): it is patched (same length,
// offsets found once) unless the count of values found is not the count of
// items, and then the body is cached for its second. A new second's body is the
// last second's but one, patched in place when nothing reads it any more
// (body-use.ts), else a patched copy: under repeated lists a 48 MB body is not
// copied, nor left to the collector, every second. Entries of an older revision
// are dropped within a second of it moving on (a tick ending, a pod changing), so
// a list asked for once does not hold its body until the next list.

import type { ApiObserver } from '../observers.js';
import { bodyInUse } from './codec/body-use.js';
import { formatTime } from './objects.js';
import type { Encoded, Negotiated } from './codec/index.js';
import type { TimeSlicer } from '../util/time-slice.js';

/** Distinct sample timestamps of a list's items and how many items had each (for freshness on cache hits). */
export class TimestampTally {
  readonly counts = new Map<number, number>();
  add(timestampMs: number): void {
    this.counts.set(timestampMs, (this.counts.get(timestampMs) ?? 0) + 1);
  }
  /** Observes freshness for every item, as a fresh list would: one call per distinct sample time. */
  replay(observer: ApiObserver, nowMs: number): void {
    for (const [ts, n] of this.counts) observer.freshness((nowMs - ts) / 1000, n);
  }
}

/** Where the creationTimestamp values sit in an encoded body, and how to rewrite them. */
export interface Patch {
  offsets: Int32Array;
  /** Bytes of the value for a given second (same length for every second it accepts). */
  bytes(second: number): Buffer | undefined;
}

interface Entry {
  revision: string;
  second: number;
  enc: Encoded;
  patch?: Patch;
  tally: TimestampTally;
  /** The body of an earlier second, to be patched in place once nothing reads it. */
  spare?: Buffer;
}

export interface ListCacheOptions {
  /** Total body bytes kept (default 96 MiB); a larger single body is not cached. */
  maxBytes?: number;
  /** Entries kept (default 16). */
  maxEntries?: number;
  /**
   * How long an earlier second's body is kept for rewriting (default 2 s): long
   * enough for the next second's request under steady load, short enough that a
   * list asked for in two consecutive seconds does not hold a second body while idle.
   */
  spareMs?: number;
  /**
   * The revision lists are built at now. While entries are held they are checked against
   * it every pruneMs, and those of another revision are dropped then, not only at the next
   * list: at 150k pods one body is tens of MB, and a list asked for once would otherwise
   * hold it until the next.
   */
  currentRevision?: () => string;
  /** How often held entries are checked against currentRevision (default 1 s). */
  pruneMs?: number;
}

/** creationTimestamp's text for a second, as the encoders write it. */
const rfc3339Second = (second: number): string => formatTime(second * 1000);

function varint(v: number): number[] {
  const out: number[] = [];
  while (v > 0x7f) {
    out.push((v % 0x80) | 0x80);
    v = Math.floor(v / 0x80);
  }
  out.push(v);
  return out;
}

/** Occurrences found between two looks at the slicer's clock (one per item: a 150k-pod body takes ~150). */
const FOUND_PER_CHECK = 1024;

/**
 * Offsets just past every occurrence of needle; undefined unless there are
 * exactly `expected`. A Table or YAML list of every pod is 40-50 MB: searched
 * a time slice at a time (the body is not served or cached before).
 */
async function findAll(body: Buffer, needle: Buffer, expected: number, slicer?: TimeSlicer): Promise<Int32Array | undefined> {
  const offsets = new Int32Array(expected);
  let n = 0;
  let at = body.indexOf(needle);
  while (at >= 0) {
    if (n === expected) return undefined;
    offsets[n++] = at + needle.length;
    if (slicer && n % FOUND_PER_CHECK === 0 && slicer.due) await slicer.next();
    at = body.indexOf(needle, at + needle.length);
  }
  return n === expected ? offsets : undefined;
}

/** How a body holds creationTimestamp: quoted RFC 3339 text (compact or pretty JSON, YAML) or protobuf. */
export type PatchMedia = 'json' | 'json-pretty' | 'yaml' | 'protobuf';

/** The body's form for patching, from what was negotiated (a Table asked for as protobuf is JSON). */
export function patchMedia(n: Negotiated): PatchMedia {
  const name = n.serializer.name === 'protobuf' && n.transform?.kind === 'Table' ? 'json' : n.serializer.name;
  if (name === 'json') return n.pretty ? 'json-pretty' : 'json';
  return name;
}

/** The bytes of creationTimestamp's value for a second: RFC 3339 text (JSON, YAML) or the seconds' varint (protobuf). */
function valueBytes(media: PatchMedia, second: number): Buffer {
  return media === 'protobuf' ? Buffer.from(varint(second)) : Buffer.from(rfc3339Second(second), 'latin1');
}

/**
 * The patch for a body whose creationTimestamp values for `second` start at
 * `offsets` (a row writer records them as it writes). Other seconds are
 * accepted while their value has the same length: the JSON text for years
 * 1970-9999, the varint of the seconds for centuries around now.
 */
export function patchAt(media: PatchMedia, second: number, offsets: Int32Array): Patch {
  const length = valueBytes(media, second).length;
  return {
    offsets,
    bytes: (s) => {
      const v = valueBytes(media, s);
      return v.length === length ? v : undefined;
    },
  };
}

/** How creationTimestamp's quoted value is introduced in each text form. */
const TEXT_KEYS = { json: '"creationTimestamp":"', 'json-pretty': '"creationTimestamp": "', yaml: 'creationTimestamp: "' } as const;

/**
 * JSON (`"creationTimestamp":"<20 bytes>"`, pretty with a space after the colon)
 * or YAML (`creationTimestamp: "<20 bytes>"`: a time is quoted, as
 * sigs.k8s.io/yaml quotes it). Item names and namespaces come first in each
 * item's metadata and cannot hold quotes; a label key spelled
 * "creationTimestamp" would make the count differ, and then nothing is patched.
 */
async function textPatch(media: keyof typeof TEXT_KEYS, body: Buffer, second: number, items: number, slicer?: TimeSlicer): Promise<Patch | undefined> {
  const text = rfc3339Second(second);
  const offsets = await findAll(body, Buffer.from(`${TEXT_KEYS[media]}${text}"`), items, slicer);
  if (!offsets) return undefined;
  for (let i = 0; i < offsets.length; i++) offsets[i]! -= text.length + 1;
  return patchAt(media, second, offsets);
}

/**
 * Protobuf ObjectMeta as written for metrics items: ... generation (0x38 0x00),
 * creationTimestamp (0x42 len 0x08 <varint seconds> 0x10 0x00).
 */
async function protobufPatch(body: Buffer, second: number, items: number, slicer?: TimeSlicer): Promise<Patch | undefined> {
  const secs = varint(second);
  const head = [0x38, 0x00, 0x42, secs.length + 3, 0x08];
  const offsets = await findAll(body, Buffer.from([...head, ...secs, 0x10, 0x00]), items, slicer);
  if (!offsets) return undefined;
  for (let i = 0; i < offsets.length; i++) offsets[i]! -= secs.length + 2;
  return patchAt('protobuf', second, offsets);
}

/** The patch recipe for a body the object encoders wrote, found by searching it. */
export async function patchFor(enc: Encoded, media: PatchMedia, second: number, items: number, slicer?: TimeSlicer): Promise<Patch | undefined> {
  if (enc.status !== 200 || items === 0) return undefined;
  return media === 'protobuf' ? protobufPatch(enc.body, second, items, slicer) : textPatch(media, enc.body, second, items, slicer);
}

export class ListCache {
  private readonly entries = new Map<string, Entry>();
  private bytes = 0;
  private readonly maxBytes: number;
  private readonly maxEntries: number;
  private readonly spareMs: number;
  private readonly currentRevision: (() => string) | undefined;
  private readonly pruneMs: number;
  /** Runs only while entries are held. */
  private pruneTimer: NodeJS.Timeout | undefined;

  constructor(opts: ListCacheOptions = {}) {
    this.maxBytes = opts.maxBytes ?? 96 * 1024 * 1024;
    this.maxEntries = opts.maxEntries ?? 16;
    this.spareMs = opts.spareMs ?? 2000;
    this.currentRevision = opts.currentRevision;
    this.pruneMs = opts.pruneMs ?? 1000;
  }

  /** The cached response for key at this revision and second, patching creationTimestamp when the second moved on. */
  get(key: string, revision: string, second: number): { enc: Encoded; tally: TimestampTally } | undefined {
    const e = this.entries.get(key);
    if (!e) return undefined;
    if (e.revision !== revision) {
      this.delete(key, e);
      return undefined;
    }
    if (e.second === second) return e;
    const value = e.patch?.bytes(second);
    if (!e.patch || !value) {
      this.delete(key, e);
      return undefined;
    }
    const last = e.enc.body;
    const spare = e.spare;
    let body: Buffer;
    if (spare !== undefined && !bodyInUse(spare)) {
      // Same bytes but the timestamps: rewrite those only. A new Buffer object over
      // the same memory, so that nothing keyed by the old one (its gzip form) applies.
      body = Buffer.from(spare.buffer, spare.byteOffset, spare.length);
    } else {
      // The earlier bodies may still be queued on sockets: a copy.
      body = Buffer.allocUnsafe(last.length);
      last.copy(body);
    }
    e.spare = last;
    setTimeout(() => {
      if (e.spare === last) e.spare = undefined;
    }, this.spareMs).unref();
    const { offsets } = e.patch;
    const n = value.length;
    for (let i = 0; i < offsets.length; i++) {
      const at = offsets[i]!;
      for (let j = 0; j < n; j++) body[at + j] = value[j]!;
    }
    e.enc = { ...e.enc, body };
    e.second = second;
    return e;
  }

  set(key: string, revision: string, second: number, enc: Encoded, patch: Patch | undefined, tally: TimestampTally): void {
    const old = this.entries.get(key);
    if (old) this.delete(key, old);
    if (enc.body.length > this.maxBytes) return;
    // Entries of older revisions can never be served again.
    this.dropOtherThan(revision);
    while (this.entries.size > 0 && (this.entries.size >= this.maxEntries || this.bytes + enc.body.length > this.maxBytes)) {
      const [k, e] = this.entries.entries().next().value as [string, Entry];
      this.delete(k, e);
    }
    this.entries.set(key, { revision, second, enc, patch, tally });
    this.bytes += enc.body.length;
    if (this.currentRevision && !this.pruneTimer) this.pruneTimer = setInterval(() => this.prune(), this.pruneMs).unref();
  }

  /** Drops entries of a revision other than the current one; stops checking once none is held. */
  private prune(): void {
    this.dropOtherThan(this.currentRevision!());
    if (this.entries.size === 0) {
      clearInterval(this.pruneTimer);
      this.pruneTimer = undefined;
    }
  }

  private dropOtherThan(revision: string): void {
    for (const [k, e] of this.entries) if (e.revision !== revision) this.delete(k, e);
  }

  get size(): number {
    return this.entries.size;
  }

  private delete(key: string, e: Entry): void {
    this.entries.delete(key);
    this.bytes -= e.enc.body.length;
  }
}
