// Flag value parsers with pflag's syntax and error wording. Each takes the value
// and the flag's long name, and throws FlagError naming the flag when the value
// is malformed (main.ts turns that into exit code 2).

import { DurationParseError, parseGoDuration } from './util/go-duration.js';

export class FlagError extends Error {
  override name = 'FlagError';
}

export type ValueParser = (value: string, flag: string) => unknown;

export function invalid(v: string, flag: string, why: string): FlagError {
  return new FlagError(`invalid argument "${v}" for "--${flag}" flag: ${why}`);
}

/** Go time.Duration ("15s", "1m30s") → nanoseconds. */
export const duration = (v: string, flag: string): number => {
  try {
    return parseGoDuration(v);
  } catch (e) {
    if (e instanceof DurationParseError) throw invalid(v, flag, e.message);
    throw e;
  }
};

/** A decimal integer within [min, max]. */
export const int = (min: number, max: number) => (v: string, flag: string): number => {
  if (!/^-?\d+$/.test(v)) throw invalid(v, flag, `strconv.ParseInt: parsing "${v}": invalid syntax`);
  const n = Number(v);
  if (n < min || n > max) throw invalid(v, flag, `must be between ${min} and ${max}`);
  return n;
};

/** Go int (64-bit): any decimal integer, kept as text since it is only checked. */
export const goInt = (v: string, flag: string): string => {
  if (!/^[-+]?\d+$/.test(v)) throw invalid(v, flag, `strconv.ParseInt: parsing "${v}": invalid syntax`);
  return v;
};

/** Go int (64-bit) as a number: pflag's range check, then the value (BigInt where it exceeds 2^53). */
export const goInt64 = (v: string, flag: string): bigint => {
  goInt(v, flag);
  const n = BigInt(v);
  if (n < -(2n ** 63n) || n >= 2n ** 63n) throw invalid(v, flag, `strconv.ParseInt: parsing "${v}": value out of range`);
  return n;
};

/** Go uint (64-bit): any unsigned decimal integer, kept as text. */
export const goUint = (v: string, flag: string): string => {
  if (!/^\+?\d+$/.test(v)) throw invalid(v, flag, `strconv.ParseUint: parsing "${v}": invalid syntax`);
  return v;
};

/** Bytes as a plain number or with a k/M/G or Ki/Mi/Gi suffix. */
export const bytes = (v: string, flag: string): number => {
  const m = /^(\d+)(Ki|Mi|Gi|k|M|G)?$/.exec(v);
  if (!m) throw invalid(v, flag, 'expected bytes such as 10485760 or 10Mi');
  const mult: Record<string, number> = { Ki: 1024, Mi: 1024 ** 2, Gi: 1024 ** 3, k: 1e3, M: 1e6, G: 1e9 };
  return Number(m[1]) * (m[2] ? mult[m[2]]! : 1);
};

/** resource.Quantity syntax as apimachinery parses it ("512", "1k", "2Ki", "1e3"), kept as text. */
export const quantity = (v: string, flag: string): string => {
  if (!/^[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+|Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E)?$/.test(v)) {
    throw invalid(v, flag, 'quantities must match the regular expression \'^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$\'');
  }
  return v;
};

/** Go strconv.ParseBool. */
export const bool = (v: string, flag: string): boolean => {
  const t = v.toLowerCase();
  if (['true', '1', 't'].includes(t)) return true;
  if (['false', '0', 'f'].includes(t)) return false;
  throw invalid(v, flag, `strconv.ParseBool: parsing "${v}": invalid syntax`);
};
