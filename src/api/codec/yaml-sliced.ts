// YAML of an object with one large sequence member (a list's items, a Table's
// rows), its elements written a slice at a time as they are made: byte for
// byte what encodeYaml(obj) writes of the whole. Elements of the API's usual
// shapes are written directly (yaml-block.ts), any other by the library alone;
// the rest of the object is written last by the library, around a marker element.

import type { TimeSlicer } from '../../util/time-slice.js';
import { BodyParts } from './body-parts.js';
import { yamlSeqElement } from './yaml-block.js';
import { encodeYaml } from './yaml.js';

/** A string no server-made field holds; the library writes it double-quoted, NUL escaped. */
const MARK = '\u0000elements\u0000';
const MARK_TEXT = '"\\0elements\\0"';

function frameOf(obj: object, key: string): { head: string; tail: string; indent: string } {
  const text = encodeYaml({ ...obj, [key]: [MARK] });
  const at = text.indexOf(`- ${MARK_TEXT}\n`);
  if (at < 0) throw new Error(`YAML frame: no marker element under "${key}"`);
  const lineStart = text.lastIndexOf('\n', at) + 1;
  return { head: text.slice(0, lineStart), tail: text.slice(at + MARK_TEXT.length + 3), indent: text.slice(lineStart, at) };
}

export class YamlSeqParts {
  private readonly parts = new BodyParts();
  private count = 0;
  /** Where the sequence's dashes sit. */
  private readonly indent: string;
  /** Elements the library wrote (not of the usual shapes). */
  fallbacks = 0;

  /** shape: the object as it will be (its member `key` a sequence), for the elements' indentation. */
  constructor(
    shape: object,
    private readonly key: string,
  ) {
    this.indent = frameOf(shape, key).indent;
  }

  /** Writes elements after those added before. */
  add(elements: readonly unknown[]): void {
    if (elements.length === 0) return;
    let text = '';
    for (const e of elements) text += yamlSeqElement(e, this.indent) ?? this.byLibrary(e);
    this.parts.push(Buffer.from(text));
    this.count += elements.length;
  }

  /** The YAML of obj with member `key` holding the elements added; obj as it is when none were. */
  async finish(obj: object, slicer: TimeSlicer): Promise<Buffer> {
    if (this.count === 0) return Buffer.from(encodeYaml(obj));
    const frame = frameOf(obj, this.key);
    return this.parts.join(frame.head, frame.tail, slicer);
  }

  /** A one-element top-level sequence, shifted to the sequence's indentation. */
  private byLibrary(element: unknown): string {
    this.fallbacks++;
    const text = encodeYaml([element]);
    return this.indent === '' ? text : text.replace(/^(?=.)/gm, this.indent);
  }
}
