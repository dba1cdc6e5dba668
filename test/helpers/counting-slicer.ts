// A TimeSlicer for tests of sliced loops: always due (or never), counting its
// yields and running a callback at each, so that a test can change things
// between slices exactly where a real event would land.
import { TimeSlicer } from '../../src/util/time-slice.js';

export class CountingSlicer extends TimeSlicer {
  yields = 0;

  constructor(
    private readonly onYield: (yields: number) => void = () => {},
    always = true,
  ) {
    super(always ? 0 : Infinity, () => 0);
  }

  override async next(): Promise<void> {
    this.yields++;
    this.onYield(this.yields);
    await super.next();
  }
}
