// A list body written a range of rows at a time, so that the caller can let
// other requests in between ranges (a list of every pod at 150k pods is tens of
// MB). Rows a writer leaves to the object encoders (RowUnsupported, or a time
// that does not format: RangeError) end the write with undefined.

import type { TimeSlicer } from '../../util/time-slice.js';
import type { ByteSink } from './byte-sink.js';
import { RowUnsupported } from './row-values.js';

export interface WrittenList {
  body: Buffer;
  /** Where each item's creationTimestamp value starts in body (the list cache rewrites them as seconds pass). */
  creationAt: Int32Array;
}

/** A body written into a sink from `start` on (the bytes are copied out only when the sink has much room left over). */
export interface Unfinished {
  sink: ByteSink;
  start: number;
  creationAt: Int32Array;
}

export interface ListBodyWriter {
  /** Writes rows [from, to), in order, after those written before. */
  write(from: number, to: number): void;
  /** Ends the body, once every row is written. */
  finish(): Unfinished;
}

/** Rows written between two looks at the slicer's clock. */
const ROWS_PER_CHECK = 256;

function leftToObjects(err: unknown): boolean {
  return err instanceof RowUnsupported || err instanceof RangeError;
}

/** Every row at once; undefined when the rows need the object encoder. */
export function writeWhole(start: () => ListBodyWriter, rows: number): WrittenList | undefined {
  try {
    const w = start();
    w.write(0, rows);
    const u = w.finish();
    return { body: u.sink.finish(u.start), creationAt: u.creationAt };
  } catch (err) {
    if (leftToObjects(err)) return undefined;
    throw err;
  }
}

/** As writeWhole(), yielding to the event loop whenever the slicer's slice is spent. */
export async function writeSliced(start: () => ListBodyWriter, rows: number, slicer: TimeSlicer): Promise<WrittenList | undefined> {
  try {
    const w = start();
    for (let i = 0; i < rows; i += ROWS_PER_CHECK) {
      w.write(i, Math.min(rows, i + ROWS_PER_CHECK));
      if (slicer.due) await slicer.next();
    }
    const u = w.finish();
    return { body: await u.sink.finishSliced(slicer, u.start), creationAt: u.creationAt };
  } catch (err) {
    if (leftToObjects(err)) return undefined;
    throw err;
  }
}
