// Values the row writers format once and reuse: a list's items mostly share a
// sample second and a window, so the last two of each are kept.

import { formatGoDuration } from '../../util/go-duration.js';
import { formatTime } from '../objects.js';

/** Something in a row the writers leave to the object encoders. */
export class RowUnsupported extends Error {}

/** A two-entry memo from a number to what it encodes as. */
export class Memo<T> {
  private k1 = Number.NaN;
  private v1: T | undefined;
  private k2 = Number.NaN;
  private v2: T | undefined;

  constructor(private readonly encode: (v: number) => T) {}

  get(v: number): T {
    if (v === this.k1) return this.v1!;
    if (v === this.k2) return this.v2!;
    const t = this.encode(v);
    this.k2 = this.k1;
    this.v2 = this.v1;
    this.k1 = v;
    this.v1 = t;
    return t;
  }
}

/** metav1.Time text of a sample time in ms (RFC 3339, whole seconds). */
export const timeTexts = (): Memo<string> => new Memo((ms) => formatTime(ms));

/** metav1.Duration text of a window in ns. */
export const windowTexts = (): Memo<string> => new Memo(formatGoDuration);
