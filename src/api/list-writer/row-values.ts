// Values the row writers derive from numbers: metav1.Time and metav1.Duration
// texts (JSON) and their protobuf numbers. A list's items share few sample
// seconds, so their texts are cached per list; windows repeat less, but often.

import { formatGoDuration } from '../../util/go-duration.js';
import { formatTime } from '../objects.js';

/** Something in a row the writers leave to the object encoders. */
export class RowUnsupported extends Error {}

/** Texts of numbers, cached for one list (cleared when it holds many: windows can all differ). */
export class TextCache {
  private readonly texts = new Map<number, string>();

  constructor(private readonly format: (v: number) => string) {}

  get(v: number): string {
    let t = this.texts.get(v);
    if (t === undefined) {
      t = this.format(v);
      if (this.texts.size >= 256) this.texts.clear();
      this.texts.set(v, t);
    }
    return t;
  }
}

/** metav1.Time texts of sample times in ms (RFC 3339, whole seconds). */
export const timeTexts = (): TextCache => new TextCache((ms) => formatTime(ms));

/** metav1.Duration texts of windows in ns. */
export const windowTexts = (): TextCache => new TextCache(formatGoDuration);

/** Milliseconds a Date can hold; formatTime() throws beyond them. */
const MAX_DATE_MS = 8.64e15;

/**
 * metav1.Time's protobuf seconds for a time in ms: the whole seconds its JSON
 * text carries (floor). Before 1970 is left to the object path (protobufjs).
 */
export function protoSeconds(ms: number): number {
  if (!(ms >= 0 && ms <= MAX_DATE_MS)) throw new RowUnsupported();
  return Math.floor(ms / 1000);
}

/**
 * metav1.Duration's protobuf nanoseconds for a window: what parsing its JSON
 * text gives back, which for a whole number of ns is the number itself (Go's
 * duration text is exact to the nanosecond). Negative windows are left to the
 * object path.
 */
export function protoNanos(ns: number): number {
  const n = Math.trunc(ns);
  if (!(n >= 0 && Number.isSafeInteger(n))) throw new RowUnsupported();
  return n;
}
