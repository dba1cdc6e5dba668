// A stable sort that lets the event loop in while it runs. Sorting 150k pod
// names in one go holds the only thread 100-150 ms, and every request behind it
// (an HPA's single-pod GET included) waits that long. Here runs of SORT_RUN
// items are sorted natively, then merged pairwise, bottom-up, between two
// arrays; the slicer is asked every run and every MERGE_PER_CHECK items merged.

import type { TimeSlicer } from './time-slice.js';

/** Items sorted natively at once; an input this small is sorted in one go. */
export const SORT_RUN = 4096;

/** Items merged between two looks at the slicer's clock. */
const MERGE_PER_CHECK = 4096;

/** items sorted by cmp into a new array, stably (equal items keep their order), yielding whenever the slicer's slice is spent. */
export async function sortSliced<T>(items: readonly T[], cmp: (a: T, b: T) => number, slicer: TimeSlicer): Promise<T[]> {
  const n = items.length;
  if (n <= SORT_RUN) return items.slice().sort(cmp);
  let src: T[] = [];
  for (let lo = 0; lo < n; lo += SORT_RUN) {
    for (const item of items.slice(lo, lo + SORT_RUN).sort(cmp)) src.push(item);
    if (slicer.due) await slicer.next();
  }
  let dst = src.slice();
  for (let width = SORT_RUN; width < n; width *= 2) {
    for (let lo = 0; lo < n; lo += 2 * width) {
      const mid = Math.min(lo + width, n);
      const hi = Math.min(lo + 2 * width, n);
      // A lone run, or two already in order (common in a list that is mostly sorted): copied.
      if (mid === hi || cmp(src[mid - 1]!, src[mid]!) <= 0) {
        for (let k = lo; k < hi; k++) dst[k] = src[k]!;
        if (slicer.due) await slicer.next();
        continue;
      }
      let i = lo;
      let j = mid;
      let k = lo;
      while (i < mid && j < hi) {
        const stop = Math.min(hi, k + MERGE_PER_CHECK);
        // Left first on ties: stable.
        while (k < stop && i < mid && j < hi) dst[k++] = cmp(src[i]!, src[j]!) <= 0 ? src[i++]! : src[j++]!;
        if (slicer.due) await slicer.next();
      }
      while (i < mid) dst[k++] = src[i++]!;
      while (j < hi) dst[k++] = src[j++]!;
    }
    [src, dst] = [dst, src];
  }
  return src;
}
