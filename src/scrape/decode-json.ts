// A small validating JSON scanner over raw bytes for the summary decoder (and
// the pod watch's event decoder): it reads only the fields wanted and skips
// everything else (io, swap, psi, volumes, systemContainers, ...) without
// building objects. Skipped values are still checked against the JSON
// grammar, so truncated or garbled bodies fail.
//
// Speed matters (one ~30-100 KB body per node per tick), so the hot paths are
// plain byte loops over local positions: strings stop on a table lookup, keys
// are matched against the few names wanted at that place (by length first),
// and skipping is one iterative loop with an explicit stack of closers.

import { Buffer } from 'node:buffer';
import { DecodeError } from './decode-error.js';
import type { Names } from './name-interner.js';
import { parseRfc3339Ms, GO_ZERO_TIME_MS } from './decode-time.js';

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
const MINUS = 0x2d;
const OBJECT = 0x7b;
const OBJECT_END = 0x7d;
const ARRAY = 0x5b;
const MAX_DEPTH = 512;

// Largest uint64 as a digit string, for the overflow check of 20-digit numbers.
const UINT64_MAX = '18446744073709551615';

/** 1 for the bytes that end the fast part of a string scan: '"', '\\' and control characters. */
const STRING_STOP = new Uint8Array(256);
for (let c = 0; c < 0x20; c++) STRING_STOP[c] = 1;
STRING_STOP[QUOTE] = 1;
STRING_STOP[BACKSLASH] = 1;

/** The valid bytes after a backslash, other than 'u'. */
const SIMPLE_ESCAPE = new Uint8Array(256);
for (const ch of '"\\/bfnrt') SIMPLE_ESCAPE[ch.charCodeAt(0)] = 1;

/** skip()'s stack of closers; shared, as decoding is synchronous and never re-entered. */
const SKIP_STACK = new Uint8Array(MAX_DEPTH);

function isHex(h: number | undefined): boolean {
  return h !== undefined && ((h >= 0x30 && h <= 0x39) || (h >= 0x41 && h <= 0x46) || (h >= 0x61 && h <= 0x66));
}

// Keys.predicted(): members remembered per kind of object, and bytes per member.
const ORDINALS = 32;
const SLOT = 64;

/** The member names read in one kind of object, as bytes (for matching) and text (for escaped keys). */
export class Keys {
  readonly bytes: Uint8Array[];
  /**
   * The members of the last object of this kind read through member(), in
   * order: each key's bytes as written (quotes and ':' included, at most SLOT)
   * and its index in `texts` (-1: skipped). A kubelet writes every object of a
   * kind with the same keys in the same order, so the n-th key is first compared
   * with the n-th of the last object: bytes that read as a key once read the same
   * way again. Fixed arrays, so a miss allocates nothing. Shared by all scanners:
   * a guess from another document, or from an object of the same kind nested
   * inside, only costs a miss, as equal bytes are always the same key.
   */
  private readonly seen = new Uint8Array(ORDINALS * SLOT);
  private readonly seenWords = new Int32Array(this.seen.buffer);
  /** Length of each remembered member; 0: none. */
  private readonly seenLength = new Int32Array(ORDINALS);
  /** The last four bytes of each remembered member as one word (every member is at least `"":`, four bytes). */
  private readonly seenLast = new Int32Array(ORDINALS);
  private readonly seenIndex = new Int32Array(ORDINALS);
  /** Ordinal of the next member in the object being read. */
  at = 0;
  /** Set by predicted() on a hit: the member's length. */
  length = 0;

  constructor(readonly texts: readonly string[]) {
    this.bytes = texts.map((t) => Uint8Array.from(t, (ch) => ch.charCodeAt(0)));
  }

  /** The index of the member at b[p] if it is written as the last object's at this ordinal, else -2. */
  predicted(b: Uint8Array, view: DataView, p: number, ordinal: number): number {
    if (ordinal >= ORDINALS) return -2;
    const len = this.seenLength[ordinal]!;
    if (len === 0 || p + len > b.length) return -2;
    const words = this.seenWords;
    const w0 = ordinal * (SLOT / 4);
    const whole = len >> 2;
    for (let w = 0; w < whole; w++) if (view.getInt32(p + w * 4, true) !== words[w0 + w]) return -2;
    // The 1–3 bytes past the whole words: the member's last word, overlapping the one before.
    if ((len & 3) !== 0 && view.getInt32(p + len - 4, true) !== this.seenLast[ordinal]) return -2;
    this.length = len;
    return this.seenIndex[ordinal]!;
  }

  /** Remembers the member b[p, end) (key and ':') at this ordinal. */
  remember(b: Uint8Array, p: number, end: number, ordinal: number, index: number): void {
    if (ordinal >= ORDINALS) return;
    const len = end - p;
    if (len > SLOT || len < 4) {
      this.seenLength[ordinal] = 0;
      return;
    }
    // Byte by byte: a subarray() here was a view object per miss.
    const seen = this.seen;
    const at = ordinal * SLOT - p;
    for (let i = p; i < end; i++) seen[at + i] = b[i]!;
    this.seenLength[ordinal] = len;
    this.seenIndex[ordinal] = index;
    this.seenLast[ordinal] = b[end - 4]! | (b[end - 3]! << 8) | (b[end - 2]! << 16) | (b[end - 1]! << 24);
  }
}

/** Which cache time() uses: start times and sample times repeat separately. */
export const enum TimeSlot {
  Start = 0,
  Sample = 1,
}

const NO_BYTES = Buffer.alloc(0);
const NO_VIEW = new DataView(NO_BYTES.buffer, 0, 0);

export class JsonScanner {
  pos = 0;
  private text: Buffer = NO_BYTES;
  /** Set by stringEnd(): the string had a backslash escape. */
  private escaped = false;
  /**
   * The last time string parsed per TimeSlot, by position in b: a kubelet
   * writes one sample time for many containers, and often one start time.
   */
  private readonly lastTimeStart = [-1, -1];
  private readonly lastTimeLen = [-1, -1];
  /** Its value as timeMs takes it (NaN for Go's zero time). */
  private readonly lastTimeMs = [0, 0];
  /** The last time readTime() read. */
  timeMs = NaN;

  private b: Uint8Array = NO_BYTES;
  private view: DataView = NO_VIEW;

  /** `what` names the document in errors. */
  constructor(
    body: Uint8Array,
    private readonly what = 'summary JSON',
  ) {
    this.reset(body);
  }

  /** Starts over on another document: one scanner can serve every decode (no scanner and arrays per body). */
  reset(body: Uint8Array): this {
    this.b = body;
    this.view = new DataView(body.buffer, body.byteOffset, body.byteLength);
    this.text = Buffer.isBuffer(body) ? body : Buffer.from(body.buffer, body.byteOffset, body.byteLength);
    this.pos = 0;
    this.escaped = false;
    this.lastTimeStart[0] = this.lastTimeStart[1] = -1;
    this.lastTimeLen[0] = this.lastTimeLen[1] = -1;
    this.lastTimeMs[0] = this.lastTimeMs[1] = 0;
    this.timeMs = NaN;
    this.digitsStart = this.digitsEnd = 0;
    return this;
  }

  fail(what: string, at = this.pos): never {
    throw new DecodeError(`invalid ${this.what} at offset ${Math.min(at, this.b.length)}: ${what}`);
  }

  /**
   * Position of the first non-whitespace byte at or after p (b.length at the
   * end). Pretty-printed bodies are a third indentation: it goes four spaces at a time.
   */
  private ws(p: number): number {
    const b = this.b;
    const n = b.length;
    while (p < n) {
      const c = b[p]!;
      if (c === 0x20 || c === 0x09 || c === 0x0d) {
        p++;
      } else if (c === 0x0a) {
        // A newline is followed by indentation.
        p++;
        while (p + 4 <= n && this.view.getInt32(p, true) === 0x20202020) p += 4;
      } else {
        break;
      }
    }
    return p;
  }

  /** Skips whitespace; returns the new position. */
  next(): number {
    return (this.pos = this.ws(this.pos));
  }

  /** Next non-whitespace byte without consuming it; -1 at end of input. */
  peek(): number {
    const p = this.ws(this.pos);
    this.pos = p;
    return p < this.b.length ? this.b[p]! : -1;
  }

  /** Consumes `null` if it is next. */
  nullNext(): boolean {
    if (this.peek() !== 0x6e) return false;
    this.pos = this.literalEnd(this.pos);
    return true;
  }

  /** Consumes '{' (true), or null (false); fails on anything else. */
  objectStart(field: string): boolean {
    const c = this.peek();
    if (c === OBJECT) {
      this.pos++;
      return true;
    }
    if (c === 0x6e) return !this.nullNext();
    return this.fail(`${field}: expected an object`);
  }

  /** Consumes '[' (true), or null (false); fails on anything else. */
  arrayStart(field: string): boolean {
    const c = this.peek();
    if (c === ARRAY) {
      this.pos++;
      return true;
    }
    if (c === 0x6e) return !this.nullNext();
    return this.fail(`${field}: expected an array`);
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
    if (c === COMMA) {
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
   * Just after '{' (first) or after a member's value: moves to the next member
   * whose key is in `keys`, skipping the others in one call; returns its index
   * (positioned at the value), or -1 after the object's '}'.
   */
  member(keys: Keys, first: boolean): number {
    if (first) keys.at = 0;
    const b = this.b;
    for (;;) {
      // Whitespace looked for only where there is some (none in compact bodies).
      let p = this.pos;
      if (!(b[p]! > 0x20)) p = this.ws(p);
      const c = b[p];
      if (c === OBJECT_END) {
        this.pos = p + 1;
        return -1;
      }
      if (!first) {
        if (c !== COMMA) this.fail("expected ',' or '}'", p);
        p++;
        if (!(b[p]! > 0x20)) p = this.ws(p);
      }
      first = false;
      const ordinal = keys.at++;
      let k = keys.predicted(b, this.view, p, ordinal);
      if (k !== -2) {
        this.pos = p + keys.length;
      } else {
        this.pos = p;
        k = this.key(keys);
        keys.remember(b, p, this.pos, ordinal, k);
      }
      if (k >= 0) return k;
      // Most skipped values are unsigned integers written compactly: no call for them.
      const q = this.pos;
      const e = digitsEnd(b, q);
      if (e > q && (b[e] === COMMA || b[e] === OBJECT_END) && (b[q] !== 0x30 || e === q + 1)) this.pos = e;
      else this.skip();
    }
  }

  /** Reads an object key and the ':' after it; returns its index in `keys`, or -1 for any other key. */
  key(keys: Keys): number {
    const b = this.b;
    const p = this.next();
    if (b[p] !== QUOTE) this.fail('expected object key');
    const start = p + 1;
    const end = this.stringEnd(start);
    const found = this.escaped ? keys.texts.indexOf(this.decodeString(start, end)) : matchKey(keys.bytes, b, start, end);
    this.colonAfter(end);
    return found;
  }

  /** Reads any object key and the ':' after it; returns the key (plain ASCII ones through names when given). */
  keyText(names?: Names): string {
    const p = this.next();
    if (this.b[p] !== QUOTE) this.fail('expected object key');
    const start = p + 1;
    const end = this.stringEnd(start);
    const text = this.stringText(start, end, names);
    this.colonAfter(end);
    return text;
  }

  /** Consumes the ':' after the key whose closing quote is at `end`. */
  private colonAfter(end: number): void {
    const b = this.b;
    let q = end + 1;
    if (b[q] !== COLON) {
      q = this.ws(q);
      if (b[q] !== COLON) this.fail("expected ':'", q);
    }
    this.pos = q + 1;
  }

  /** Index of the closing quote of a string whose content starts at `start`; validates escapes. */
  private stringEnd(start: number): number {
    const b = this.b;
    const n = b.length;
    let p = start;
    p = this.plainEnd(p);
    if (p < n && b[p] === QUOTE) {
      this.escaped = false;
      return p;
    }
    return this.escapedStringEnd(p);
  }

  /**
   * First position at or after p holding '"', '\\' or a control character (or
   * the end). Four bytes per step while none of them is one: the word tests
   * below are exact as yes/no answers, and the byte loop finds which.
   */
  private plainEnd(p: number): number {
    const b = this.b;
    const n = b.length;
    const view = this.view;
    while (p + 4 <= n) {
      const w = view.getInt32(p, true);
      const q = w ^ 0x22222222; // a zero byte where w has '"'
      const s = w ^ 0x5c5c5c5c; // a zero byte where w has '\\'
      // (x - 0x01..) & ~x has a byte's top bit set iff x has a zero byte; (w - 0x20..) & ~w iff w has a byte below 0x20.
      if ((((w - 0x20202020) & ~w) | ((q - 0x01010101) & ~q) | ((s - 0x01010101) & ~s)) & 0x80808080) break;
      p += 4;
    }
    while (p < n && STRING_STOP[b[p]!] === 0) p++;
    return p;
  }

  /** stringEnd() past its fast loop: escapes, control characters and the end of input. */
  private escapedStringEnd(p: number): number {
    const b = this.b;
    const n = b.length;
    this.escaped = true;
    while (p < n) {
      const c = b[p]!;
      if (STRING_STOP[c] === 0) {
        p++;
      } else if (c === QUOTE) {
        return p;
      } else if (c !== BACKSLASH) {
        this.fail('control character in string', p);
      } else if (b[p + 1] === 0x75) {
        if (!isHex(b[p + 2]) || !isHex(b[p + 3]) || !isHex(b[p + 4]) || !isHex(b[p + 5])) this.fail('invalid \\u escape', p);
        p += 6;
      } else {
        const e = b[p + 1];
        if (e === undefined || SIMPLE_ESCAPE[e] === 0) this.fail('invalid escape', p);
        p += 2;
      }
    }
    return this.fail('unterminated string', n);
  }

  private decodeString(start: number, end: number): string {
    // Escapes are rare in kubelet output; JSON.parse of the literal is exact.
    return JSON.parse(this.text.toString('utf8', start - 1, end + 1)) as string;
  }

  /**
   * A string value (invalid UTF-8 becomes U+FFFD, as Go's encoding/json does);
   * plain ASCII ones through names when given (names repeat every tick).
   */
  string(field: string, names?: Names): string {
    const b = this.b;
    const p = this.next();
    if (b[p] !== QUOTE) this.fail(`${field}: expected a string`);
    const start = p + 1;
    const end = this.stringEnd(start);
    this.pos = end + 1;
    return this.stringText(start, end, names);
  }

  /** The text of the string just scanned by stringEnd(start) (which set `escaped`). */
  private stringText(start: number, end: number, names?: Names): string {
    if (this.escaped) return this.decodeString(start, end);
    // The interner checks for ASCII as it hashes (or compares with its hint): one pass, not two.
    const interned = names?.intern(this.text, start, end);
    if (interned !== undefined) return interned;
    const b = this.b;
    for (let i = start; i < end; i++) if (b[i]! >= 0x80) return this.text.toString('utf8', start, end);
    return this.text.toString('latin1', start, end);
  }

  /**
   * Reads a metav1.Time into timeMs: milliseconds since the epoch, or NaN for
   * null and for Go's zero time (both mean "unset" to the kubelet's Go types).
   * A field rather than a return value: a double returned from a call that is
   * not inlined is a new heap number, two per container.
   */
  readTime(field: string, slot: TimeSlot): void {
    const b = this.b;
    const p = this.next();
    if (b[p] !== QUOTE) {
      if (this.nullNext()) {
        this.timeMs = NaN;
        return;
      }
      this.fail(`${field}: expected a time string`);
    }
    const start = p + 1;
    const end = this.stringEnd(start);
    if (this.escaped) this.fail(`${field}: invalid time`);
    this.pos = end + 1;
    const len = end - start;
    if (len !== this.lastTimeLen[slot] || !sameBytes(b, this.view, start, this.lastTimeStart[slot]!, len)) {
      const ms = parseRfc3339Ms(b, start, end);
      if (ms === undefined) this.fail(`${field}: invalid RFC 3339 time "${this.text.toString('latin1', start, Math.min(end, start + 40))}"`);
      this.lastTimeStart[slot] = start;
      this.lastTimeLen[slot] = len;
      this.lastTimeMs[slot] = ms === GO_ZERO_TIME_MS ? NaN : ms;
    }
    // Straight from the cache: comparing with the imported GO_ZERO_TIME_MS here (a value the
    // optimizer cannot type) boxed the double, one heap number per time read (~2 KB per summary).
    this.timeMs = this.lastTimeMs[slot]!;
  }

  /**
   * Reads a uint64 field as its digit range (digitsStart/digitsEnd). Returns
   * false for null. Like Go's encoding/json into *uint64, fractions, exponents,
   * signs and values above 2^64-1 are errors.
   */
  digitsStart = 0;
  digitsEnd = 0;

  uint64(field: string): boolean {
    const b = this.b;
    const n = b.length;
    const start = this.next();
    let p = start;
    while (p < n && b[p]! >= 0x30 && b[p]! <= 0x39) p++;
    const c = p < n ? b[p]! : -1;
    if (p === start || c === 0x2e || c === 0x65 || c === 0x45 || (b[start] === 0x30 && p - start > 1)) {
      if (p === start && this.nullNext()) return false;
      this.fail(`${field}: expected an unsigned 64-bit integer`);
    }
    const digits = p - start;
    if (digits > 20 || (digits === 20 && this.text.toString('latin1', start, p) > UINT64_MAX)) this.fail(`${field}: value overflows uint64`);
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

  /**
   * Skips one JSON value of any type, validating it. One loop with a stack of
   * the open containers' closers instead of recursion: no call per value, and
   * deep nesting fails cleanly at MAX_DEPTH. The common cases (plain strings,
   * integers, compact separators) are handled inline; the rest calls out.
   */
  skip(): void {
    const b = this.b;
    const n = b.length;
    const stack = SKIP_STACK;
    let depth = 0;
    let p = this.pos;
    for (;;) {
      // p is at (or at whitespace before) the start of a value.
      let c = p < n ? b[p]! : -1;
      if (c <= 0x20) {
        p = this.ws(p);
        c = p < n ? b[p]! : -1;
      }
      if (c === QUOTE) {
        p = this.stringSkip(p + 1);
      } else if (c >= 0x30 && c <= 0x39) {
        // An unsigned integer (most skipped numbers); fractions, exponents and leading zeros take numberEnd().
        const start = p;
        p = digitsEnd(b, p + 1);
        c = p < n ? b[p]! : -1;
        if (c === 0x2e || c === 0x65 || c === 0x45 || (b[start] === 0x30 && p - start > 1)) p = this.numberEnd(start);
      } else if (c === OBJECT || c === ARRAY) {
        const closer = c + 2; // '{' + 2 = '}', '[' + 2 = ']'
        p = this.ws(p + 1);
        if (p < n && b[p] === closer) {
          p++;
        } else {
          if (depth === MAX_DEPTH) this.fail('nesting too deep', p);
          stack[depth++] = closer;
          if (c === OBJECT) p = this.memberValue(p);
          continue;
        }
      } else {
        p = this.scalarEnd(p);
      }
      // After a value: close finished containers, then on to the next member or element.
      for (;;) {
        if (depth === 0) {
          this.pos = p;
          return;
        }
        c = p < n ? b[p]! : -1;
        if (c <= 0x20) {
          p = this.ws(p);
          c = p < n ? b[p]! : -1;
        }
        const closer = stack[depth - 1]!;
        if (c === COMMA) {
          p++;
          if (closer === OBJECT_END) p = this.memberValue(p);
          break;
        }
        if (c !== closer) this.fail(`expected ',' or '${String.fromCharCode(closer)}'`, p);
        p++;
        depth--;
      }
    }
  }

  /** Position after the string whose content starts at p (the opening quote consumed). */
  private stringSkip(p: number): number {
    const b = this.b;
    const n = b.length;
    p = this.plainEnd(p);
    if (p < n && b[p] === QUOTE) return p + 1;
    return this.escapedStringEnd(p) + 1;
  }

  /** In a skipped object, at (or at whitespace before) a key: the position after the key and ':'. */
  private memberValue(p: number): number {
    const b = this.b;
    const n = b.length;
    if (p < n && b[p] !== QUOTE) p = this.ws(p);
    if (p >= n || b[p] !== QUOTE) this.fail('expected object key', p);
    p = this.stringSkip(p + 1);
    if (p < n && b[p] === COLON) return p + 1;
    p = this.ws(p);
    if (p >= n || b[p] !== COLON) this.fail("expected ':'", p);
    return p + 1;
  }

  /** End of the number or literal at p; fails on anything else. */
  private scalarEnd(p: number): number {
    const c = this.b[p];
    if (c === MINUS || (c !== undefined && c >= 0x30 && c <= 0x39)) return this.numberEnd(p);
    if (c === 0x74 || c === 0x66 || c === 0x6e) return this.literalEnd(p);
    return this.fail(c === undefined ? 'unexpected end of input' : 'unexpected character', p);
  }

  /** End of true, false or null at p. */
  private literalEnd(p: number): number {
    const b = this.b;
    const word = b[p] === 0x74 ? 'true' : b[p] === 0x66 ? 'false' : 'null';
    for (let i = 1; i < word.length; i++) {
      if (b[p + i] !== word.charCodeAt(i)) this.fail(`invalid literal, expected ${word}`, p);
    }
    return p + word.length;
  }

  /** End of the number at p: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)? */
  private numberEnd(p: number): number {
    const b = this.b;
    const n = b.length;
    const start = p;
    if (b[p] === MINUS) p++;
    if (b[p] === 0x30) p++;
    else if (p < n && b[p]! >= 0x31 && b[p]! <= 0x39) p = digitsEnd(b, p + 1);
    else this.fail('invalid number', start);
    if (b[p] === 0x2e) {
      const q = digitsEnd(b, p + 1);
      if (q === p + 1) this.fail('invalid number', start);
      p = q;
    }
    if (b[p] === 0x65 || b[p] === 0x45) {
      p++;
      if (b[p] === 0x2b || b[p] === MINUS) p++;
      const q = digitsEnd(b, p);
      if (q === p) this.fail('invalid number', start);
      p = q;
    }
    return p;
  }

  /** Fails unless only whitespace remains. */
  end(): void {
    if (this.peek() !== -1) this.fail('unexpected data after the top-level value');
  }
}

/** Position after the run of decimal digits starting at p. */
function digitsEnd(b: Uint8Array, p: number): number {
  const n = b.length;
  while (p < n && b[p]! >= 0x30 && b[p]! <= 0x39) p++;
  return p;
}

/** Index of the key b[start, end) in names, or -1; lengths first, so most names cost one comparison. */
function matchKey(names: Uint8Array[], b: Uint8Array, start: number, end: number): number {
  const len = end - start;
  for (let i = 0; i < names.length; i++) {
    const name = names[i]!;
    if (name.length !== len) continue;
    let j = 0;
    while (j < len && b[start + j] === name[j]) j++;
    if (j === len) return i;
  }
  return -1;
}

/**
 * b[a, a+len) equals b[c, c+len) (view over b); compared from the end, where times differ
 * (seconds), four bytes a step, the first 1–3 bytes as a word overlapping the one after.
 */
function sameBytes(b: Uint8Array, view: DataView, a: number, c: number, len: number): boolean {
  if (len < 4) {
    for (let i = len - 1; i >= 0; i--) if (b[a + i] !== b[c + i]) return false;
    return true;
  }
  let i = len;
  while (i >= 4) {
    i -= 4;
    if (view.getInt32(a + i, true) !== view.getInt32(c + i, true)) return false;
  }
  return i === 0 || view.getInt32(a, true) === view.getInt32(c, true);
}
