// A large body's middle, kept as the parts it was serialized in (a slice of a
// list's elements each), then joined between its head and tail a few MB at a
// time, so that the copy of tens of MB does not hold other requests either.

import type { TimeSlicer } from '../../util/time-slice.js';

/** Bytes copied into the body between two looks at the slicer's clock. */
const COPY_PER_CHECK = 4 * 1024 * 1024;

export class BodyParts {
  private readonly parts: Buffer[] = [];
  private length = 0;

  push(b: Buffer): void {
    this.parts.push(b);
    this.length += b.length;
  }

  /** head, the parts in order, tail: one buffer. */
  async join(head: string, tail: string, slicer: TimeSlicer): Promise<Buffer> {
    const h = Buffer.from(head);
    const t = Buffer.from(tail);
    const body = Buffer.allocUnsafe(h.length + this.length + t.length);
    let pos = h.copy(body, 0);
    let sinceCheck = 0;
    for (const part of this.parts) {
      pos += part.copy(body, pos);
      sinceCheck += part.length;
      if (sinceCheck >= COPY_PER_CHECK && slicer.due) {
        sinceCheck = 0;
        await slicer.next();
      }
    }
    t.copy(body, pos);
    return body;
  }
}
