// JSON of an object with one large array member (a list's items, a Table's
// rows), the array's elements serialized a slice at a time as they are made,
// so that other requests are served in between and no slice's objects outlive
// it: byte for byte what encodeJson(obj, pretty) writes of the whole. The rest
// of the object is serialized last, around a marker element whose line gives
// the elements' indentation in pretty output.

import type { TimeSlicer } from '../../util/time-slice.js';
import { BodyParts } from './body-parts.js';
import { encodeJson, escapeAsGo } from './json.js';

/** A string no server-made field holds (NUL is escaped in JSON, so it cannot occur raw either). */
const MARK = '\u0000elements\u0000';
const MARK_TEXT = JSON.stringify(MARK);

function frameOf(obj: object, key: string, pretty: boolean): { text: string; at: number; indent: string } {
  const text = encodeJson({ ...obj, [key]: [MARK] }, pretty);
  const at = text.indexOf(MARK_TEXT);
  // Pretty: elements sit on their own lines at the marker's indentation.
  const indent = pretty ? text.slice(text.lastIndexOf('\n', at) + 1, at) : '';
  return { text, at, indent };
}

export class JsonArrayParts {
  private readonly parts = new BodyParts();
  private count = 0;
  /** Indentation added to each line of an element serialized one level (2 spaces) deep. */
  private readonly extra: string;

  /** shape: the object as it will be (its member `key` an array), for the elements' depth. */
  constructor(
    shape: object,
    private readonly key: string,
    private readonly pretty: boolean,
  ) {
    this.extra = frameOf(shape, key, pretty).indent.slice(2);
  }

  /** Serializes elements after those added before. */
  add(elements: readonly unknown[]): void {
    if (elements.length === 0) return;
    let text: string;
    if (this.pretty) {
      // "[\n  a,\n  b\n]": each line one level deep, re-indented to the array's depth.
      const inner = JSON.stringify(elements, null, 2).slice(2, -2);
      text = this.extra + inner.replaceAll('\n', '\n' + this.extra);
    } else {
      text = JSON.stringify(elements).slice(1, -1);
    }
    if (this.count > 0) this.parts.push(Buffer.from(this.pretty ? ',\n' : ','));
    this.parts.push(Buffer.from(escapeAsGo(text)));
    this.count += elements.length;
  }

  /** The JSON of obj with member `key` holding the elements added; obj as it is when none were. */
  async finish(obj: object, slicer: TimeSlicer): Promise<Buffer> {
    if (this.count === 0) return Buffer.from(encodeJson(obj, this.pretty));
    const frame = frameOf(obj, this.key, this.pretty);
    // Everything before the marker bar its indentation (the elements bring their own), and after it.
    return this.parts.join(frame.text.slice(0, frame.at - frame.indent.length), frame.text.slice(frame.at + MARK_TEXT.length), slicer);
  }
}
