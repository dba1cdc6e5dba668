// A small validating JSON scanner over raw bytes for the summary decoder: it
// reads only the fields metrics need and skips everything else (io, swap, psi,
// volumes, systemContainers, ...) without building objects. Skipped values are
// still checked against the JSON grammar, so truncated or garbled bodies fail.

import { Buffer } from 'node:buffer';
import { DecodeError } from './decode-error.js';
import type { NameInterner } from './name-interner.js';
import { parseRfc3339Ms, GO_ZERO_TIME_MS } from './decode-time.js';

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const MAX_DEPTH = 512;

// Largest uint64 as a digit string, for the overflow check of 20-digit numbers.
const UINT64_MAX = '18446744073709551615';

export class JsonScanner {
  pos = 0;
  private readonly text: Buffer;

  constructor(private readonly b: Uint8Array) {
    this.text = Buffer.from(b.buffer, b.byteOffset, b.byteLength);
  }

  fail(what: string): never {
    const at = Math.min(this.pos, this.b.length);
    throw new DecodeError(`invalid summary JSON at offset ${at}: ${what}`);
  }

  ws(): void {
    const b = this.b;
    let p = this.pos;
    while (p < b.length) {
      const c = b[p]!;
      if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) break;
      p++;
    }
    this.pos = p;
  }

  /** Next non-whitespace byte without consuming it; -1 at end of input. */
  peek(): number {
    this.ws();
    return this.pos < this.b.length ? this.b[this.pos]! : -1;
  }

  expect(c: number): void {
    if (this.peek() !== c) this.fail(`expected '${String.fromCharCode(c)}'`);
    this.pos++;
  }

  /** Consumes `null` if it is next. */
  nullNext(): boolean {
    if (this.peek() !== 0x6e) return false;
    this.literal('null');
    return true;
  }

  /** After '{' or '[' was consumed: true if the container is empty (and consumes the closer). */
  emptyNext(closer: number): boolean {
    if (this.peek() !== closer) return false;
    this.pos++;
    return true;
  }

  /** After a member or element: true if another follows (consumes ','), false at the closer. */
  moreNext(closer: number): boolean {
    const c = this.peek();
    if (c === 0x2c) {
      this.pos++;
      return true;
    }
    if (c === closer) {
      this.pos++;
      return false;
    }
    return this.fail(`expected ',' or '${String.fromCharCode(closer)}'`);
  }

  /**
   * Reads an object key and the ':' after it. Returns the key's byte range in
   * keyStart/keyEnd when it has no escapes; escaped keys are decoded and
   * compared by keyIs() through keyText.
   */
  keyStart = 0;
  keyEnd = 0;
  keyText: string | undefined;

  key(): void {
    if (this.peek() !== QUOTE) this.fail('expected object key');
    const start = this.pos + 1;
    const end = this.stringEnd(start);
    if (this.escaped) {
      this.keyText = this.decodeString(start, end);
    } else {
      this.keyText = undefined;
      this.keyStart = start;
      this.keyEnd = end;
    }
    this.pos = end + 1;
    if (this.b[this.pos] === 0x3a) this.pos++;
    else this.expect(0x3a);
  }

  /** True if the last key() equals `name` (an ASCII field name as bytes). */
  keyIs(name: Uint8Array, text: string): boolean {
    if (this.keyText !== undefined) return this.keyText === text;
    const len = this.keyEnd - this.keyStart;
    if (len !== name.length) return false;
    const b = this.b;
    const s = this.keyStart;
    for (let i = 0; i < len; i++) if (b[s + i] !== name[i]) return false;
    return true;
  }

  private escaped = false;

  /** Index of the closing quote of a string whose content starts at `start`; validates escapes. */
  private stringEnd(start: number): number {
    const b = this.b;
    let p = start;
    this.escaped = false;
    while (p < b.length) {
      const c = b[p]!;
      if (c === QUOTE) return p;
      if (c < 0x20) {
        this.pos = p;
        this.fail('control character in string');
      }
      if (c === BACKSLASH) {
        this.escaped = true;
        const e = b[p + 1];
        if (e === 0x75) {
          for (let i = 2; i < 6; i++) {
            const h = b[p + i];
            if (h === undefined || !((h >= 0x30 && h <= 0x39) || (h >= 0x41 && h <= 0x46) || (h >= 0x61 && h <= 0x66))) {
              this.pos = p;
              this.fail('invalid \\u escape');
            }
          }
          p += 6;
          continue;
        }
        if (e !== QUOTE && e !== BACKSLASH && e !== 0x2f && e !== 0x62 && e !== 0x66 && e !== 0x6e && e !== 0x72 && e !== 0x74) {
          this.pos = p;
          this.fail('invalid escape');
        }
        p += 2;
        continue;
      }
      p++;
    }
    this.pos = b.length;
    return this.fail('unterminated string');
  }

  private decodeString(start: number, end: number): string {
    // Escapes are rare in kubelet output; JSON.parse of the literal is exact.
    return JSON.parse(this.text.toString('utf8', start - 1, end + 1)) as string;
  }

  /** Reads a string value (invalid UTF-8 becomes U+FFFD, as Go's encoding/json does). */
  /** A string value; plain ASCII ones through names when given (names repeat every tick). */
  string(field: string, names?: NameInterner): string {
    if (this.peek() !== QUOTE) this.fail(`${field}: expected a string`);
    const start = this.pos + 1;
    const end = this.stringEnd(start);
    this.pos = end + 1;
    if (this.escaped) return this.decodeString(start, end);
    const b = this.b;
    for (let i = start; i < end; i++) if (b[i]! >= 0x80) return this.text.toString('utf8', start, end);
    return names ? names.intern(this.text, start, end) : this.text.toString('latin1', start, end);
  }

  /**
   * Reads a metav1.Time: milliseconds since the epoch, or NaN for null and for
   * Go's zero time (both mean "unset" to the kubelet's Go types).
   */
  time(field: string): number {
    if (this.nullNext()) return NaN;
    if (this.peek() !== QUOTE) this.fail(`${field}: expected a time string`);
    const start = this.pos + 1;
    const end = this.stringEnd(start);
    if (this.escaped) this.fail(`${field}: invalid time`);
    const ms = parseRfc3339Ms(this.b, start, end);
    if (ms === undefined) this.fail(`${field}: invalid RFC 3339 time "${this.text.toString('latin1', start, Math.min(end, start + 40))}"`);
    this.pos = end + 1;
    return ms === GO_ZERO_TIME_MS ? NaN : ms;
  }

  /**
   * Reads a uint64 field as its digit range (digitsStart/digitsEnd). Returns
   * false for null. Like Go's encoding/json into *uint64, fractions, exponents,
   * signs and values above 2^64-1 are errors.
   */
  digitsStart = 0;
  digitsEnd = 0;

  uint64(field: string): boolean {
    if (this.nullNext()) return false;
    const b = this.b;
    const start = this.pos;
    let p = start;
    while (p < b.length && b[p]! >= 0x30 && b[p]! <= 0x39) p++;
    const c = p < b.length ? b[p]! : -1;
    if (p === start || c === 0x2e || c === 0x65 || c === 0x45 || (b[start] === 0x30 && p - start > 1)) {
      this.fail(`${field}: expected an unsigned 64-bit integer`);
    }
    const n = p - start;
    if (n > 20 || (n === 20 && this.text.toString('latin1', start, p) > UINT64_MAX)) this.fail(`${field}: value overflows uint64`);
    this.digitsStart = start;
    this.digitsEnd = p;
    this.pos = p;
    return true;
  }

  /** Integer value of digits [start, end), exact while below 2^53. */
  digitsValue(start: number, end: number): number {
    const b = this.b;
    let v = 0;
    for (let i = start; i < end; i++) v = v * 10 + (b[i]! - 48);
    return v;
  }

  /** Skips one JSON value of any type, validating it. */
  skip(depth = 0): void {
    if (depth > MAX_DEPTH) this.fail('nesting too deep');
    const c = this.peek();
    switch (c) {
      case 0x7b: // {
        this.pos++;
        if (this.emptyNext(0x7d)) return;
        do {
          this.key();
          this.skip(depth + 1);
        } while (this.moreNext(0x7d));
        return;
      case 0x5b: // [
        this.pos++;
        if (this.emptyNext(0x5d)) return;
        do this.skip(depth + 1);
        while (this.moreNext(0x5d));
        return;
      case QUOTE:
        this.pos = this.stringEnd(this.pos + 1) + 1;
        return;
      case 0x74:
        this.literal('true');
        return;
      case 0x66:
        this.literal('false');
        return;
      case 0x6e:
        this.literal('null');
        return;
      default:
        if (c === 0x2d || (c >= 0x30 && c <= 0x39)) {
          this.number();
          return;
        }
        this.fail(c < 0 ? 'unexpected end of input' : 'unexpected character');
    }
  }

  private literal(word: string): void {
    const b = this.b;
    for (let i = 0; i < word.length; i++) {
      if (b[this.pos + i] !== word.charCodeAt(i)) this.fail(`invalid literal, expected ${word}`);
    }
    this.pos += word.length;
  }

  /** Skips a number: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)? */
  private number(): void {
    const b = this.b;
    let p = this.pos;
    if (b[p] === 0x2d) p++;
    if (b[p] === 0x30) p++;
    else if (isDigitAt(b, p)) while (isDigitAt(b, p)) p++;
    else this.fail('invalid number');
    if (b[p] === 0x2e) {
      p++;
      if (!isDigitAt(b, p)) this.fail('invalid number');
      while (isDigitAt(b, p)) p++;
    }
    if (b[p] === 0x65 || b[p] === 0x45) {
      p++;
      if (b[p] === 0x2b || b[p] === 0x2d) p++;
      if (!isDigitAt(b, p)) this.fail('invalid number');
      while (isDigitAt(b, p)) p++;
    }
    this.pos = p;
  }

  /** Fails unless only whitespace remains. */
  end(): void {
    if (this.peek() !== -1) this.fail('unexpected data after the top-level value');
  }
}

function isDigitAt(b: Uint8Array, i: number): boolean {
  const c = b[i];
  return c !== undefined && c >= 0x30 && c <= 0x39;
}

/** Field names as bytes, for allocation-free key comparison. */
export function fieldName(name: string): Uint8Array {
  return Uint8Array.from(name, (ch) => ch.charCodeAt(0));
}
