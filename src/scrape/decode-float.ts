// Prometheus text sample values, accepted exactly as the kubelet's consumers
// parse them: Go strconv.ParseFloat(s, 64) after Prometheus' own rejection of
// 'p', 'P' and '_' (textparse parseFloat). Decimal, exponent, "NaN" and
// "[+-]Inf"/"Infinity" (any case); no hex; out of range is an error.

import { Buffer } from 'node:buffer';

const POW10 = [1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22];

/** Why parseGoFloat failed, mirroring Go's strconv errors. */
export type FloatError = 'invalid syntax' | 'value out of range' | 'unsupported character in float';

export interface FloatResult {
  value: number;
  error: FloatError | undefined;
}

/**
 * A FloatResult whose value lives in a Float64Array: a double stored into a
 * plain object's field is boxed (a heap number per value parsed), one written
 * through this (inlined) setter is not.
 */
export class FloatSlot implements FloatResult {
  private readonly v = new Float64Array(1);
  error: FloatError | undefined = undefined;
  get value(): number {
    return this.v[0]!;
  }
  set value(x: number) {
    this.v[0] = x;
  }
}

/** The exponent readExponent() read (a module-level slot: no object per call). */
const exponent = { value: 0 };

/**
 * Reads an exponent's optional sign and up to maxDigits digits from b[i], into
 * exponent.value (its magnitude capped at 100000, far past any double's range);
 * returns the position after them, or -1 when there is no digit.
 */
function readExponent(b: Uint8Array, i: number, end: number, maxDigits: number): number {
  let negative = false;
  if (b[i] === 0x2b || b[i] === 0x2d) {
    negative = b[i] === 0x2d;
    i++;
  }
  const start = i;
  let exp = 0;
  for (; i < end && i - start < maxDigits; i++) {
    const d = b[i]! - 48;
    if (d < 0 || d > 9) break;
    if (exp < 100000) exp = exp * 10 + d;
  }
  if (i === start) return -1;
  exponent.value = negative ? -exp : exp;
  return i;
}

function lowerIs(b: Uint8Array, at: number, end: number, word: string): boolean {
  if (end - at !== word.length) return false;
  for (let i = 0; i < word.length; i++) if ((b[at + i]! | 0x20) !== word.charCodeAt(i)) return false;
  return true;
}

/** Parses b[start, end) into out.value, or sets out.error. Allocation-free for ordinary numbers. */
export function parseGoFloat(b: Uint8Array, start: number, end: number, out: FloatResult): void {
  out.error = undefined;
  out.value = NaN;
  for (let i = start; i < end; i++) {
    const c = b[i]!;
    if (c === 0x70 || c === 0x50 || c === 0x5f) {
      out.error = 'unsupported character in float';
      return;
    }
  }
  let i = start;
  let negative = false;
  const signed = b[i] === 0x2b || b[i] === 0x2d;
  if (signed) {
    negative = b[i] === 0x2d;
    i++;
  }
  if (lowerIs(b, i, end, 'inf') || lowerIs(b, i, end, 'infinity')) {
    out.value = negative ? -Infinity : Infinity;
    return;
  }
  if (!signed && lowerIs(b, i, end, 'nan')) return; // value stays NaN

  // Decimal: digits [. digits] [e [+-] digits], at least one mantissa digit.
  let mantissa = 0;
  let sigDigits = 0;
  let dropped = 0; // integer digits beyond the fast-path precision
  let fracDigits = 0;
  let sawDigit = false;
  while (i < end && b[i]! >= 0x30 && b[i]! <= 0x39) {
    sawDigit = true;
    if (mantissa !== 0 || b[i] !== 0x30) {
      if (sigDigits < 15) {
        mantissa = mantissa * 10 + (b[i]! - 48);
        sigDigits++;
      } else dropped++;
    }
    i++;
  }
  let exact = dropped === 0;
  if (i < end && b[i] === 0x2e) {
    i++;
    while (i < end && b[i]! >= 0x30 && b[i]! <= 0x39) {
      sawDigit = true;
      if (mantissa !== 0 || b[i] !== 0x30) {
        if (sigDigits < 15) {
          mantissa = mantissa * 10 + (b[i]! - 48);
          sigDigits++;
          fracDigits++;
        } else if (b[i] !== 0x30) exact = false;
      } else {
        fracDigits++;
      }
      i++;
    }
  }
  if (!sawDigit) {
    out.error = 'invalid syntax';
    return;
  }
  let exp = 0;
  if (i < end && (b[i] === 0x65 || b[i] === 0x45)) {
    i = readExponent(b, i + 1, end, Infinity);
    if (i < 0) {
      out.error = 'invalid syntax';
      return;
    }
    exp = exponent.value;
  }
  if (i !== end) {
    out.error = 'invalid syntax';
    return;
  }
  const e10 = exp + dropped - fracDigits;
  let value: number;
  if (exact && e10 >= -22 && e10 <= 22) {
    // Clinger's fast path: mantissa < 10^15 and 10^|e10| are exact doubles, so a
    // single multiplication or division rounds correctly, as Go does.
    value = e10 >= 0 ? mantissa * POW10[e10]! : mantissa / POW10[-e10]!;
  } else {
    const from = signed ? start + 1 : start;
    value = Number(Buffer.from(b.buffer, b.byteOffset + from, end - from).toString('latin1'));
  }
  if (negative) value = -value;
  if (!Number.isFinite(value)) {
    out.error = 'value out of range';
    return;
  }
  out.value = value;
}

/**
 * The values kubelets write, parsed while finding where they end: unsigned
 * digits, optional fraction and exponent, at most 15 significant digits and a
 * power of ten within ±22 (so Clinger's single rounding applies, as above).
 * Reads from `start` to the first byte that cannot continue such a number and
 * returns that position, with out.value set; returns -1 for anything else
 * (sign, Inf, NaN, more digits, no digit), which needs parseGoFloat. The caller
 * checks that the returned position ends the value.
 */
export function parseSimpleFloat(b: Uint8Array, start: number, end: number, out: FloatResult): number {
  let i = start;
  let mantissa = 0;
  let sigDigits = 0; // counted from the first non-zero digit
  for (; i < end; i++) {
    const d = b[i]! - 48;
    if (d < 0 || d > 9) break;
    mantissa = mantissa * 10 + d;
    if (mantissa !== 0 && ++sigDigits > 15) return -1;
  }
  let sawDigit = i > start;
  let fracDigits = 0;
  if (i < end && b[i] === 0x2e) {
    const fracStart = ++i;
    for (; i < end; i++) {
      const d = b[i]! - 48;
      if (d < 0 || d > 9) break;
      mantissa = mantissa * 10 + d;
      if (mantissa !== 0 && ++sigDigits > 15) return -1;
    }
    fracDigits = i - fracStart;
    if (fracDigits > 0) sawDigit = true;
  }
  if (!sawDigit) return -1;
  let exp = 0;
  if (i < end && (b[i] === 0x65 || b[i] === 0x45)) {
    // At most four digits: a longer exponent ends the scan early and the caller falls back.
    i = readExponent(b, i + 1, end, 4);
    if (i < 0) return -1;
    exp = exponent.value;
  }
  const e10 = exp - fracDigits;
  if (e10 < -22 || e10 > 22) return -1;
  out.error = undefined;
  out.value = e10 >= 0 ? mantissa * POW10[e10]! : mantissa / POW10[-e10]!;
  return i;
}
