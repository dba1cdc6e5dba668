// RFC 3339 timestamps as the kubelet writes them in /stats/summary
// (metav1.Time: "2020-04-20T22:52:27Z"), parsed straight from the bytes with
// Go's time.Parse(time.RFC3339) acceptance rules: 'T' separator, optional
// fraction ('.' or ','), 'Z' or ±hh:mm, every field range-checked.

/** Milliseconds since the epoch of Go's zero time.Time (0001-01-01T00:00:00Z). */
export const GO_ZERO_TIME_MS = -62135596800000;

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function isLeap(y: number): boolean {
  return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
}

/** Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil). */
export function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (month > 2 ? month - 3 : month + 9) + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

function digits(b: Uint8Array, at: number, n: number): number {
  let v = 0;
  for (let i = at; i < at + n; i++) {
    const d = b[i]! - 48;
    if (d < 0 || d > 9) return -1;
    v = v * 10 + d;
  }
  return v;
}

/**
 * Parses b[start, end) (the characters between the quotes) as RFC 3339.
 * Returns milliseconds since the epoch (sub-millisecond digits truncated),
 * or undefined when the text is not a valid RFC 3339 time.
 */
export function parseRfc3339Ms(b: Uint8Array, start: number, end: number): number | undefined {
  if (end - start < 20) return undefined;
  const year = digits(b, start, 4);
  const month = digits(b, start + 5, 2);
  const day = digits(b, start + 8, 2);
  const hour = digits(b, start + 11, 2);
  const minute = digits(b, start + 14, 2);
  const second = digits(b, start + 17, 2);
  if (b[start + 4] !== 0x2d || b[start + 7] !== 0x2d || b[start + 10] !== 0x54 || b[start + 13] !== 0x3a || b[start + 16] !== 0x3a) {
    return undefined;
  }
  if (year < 0 || month < 1 || month > 12 || day < 1 || hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59) {
    return undefined;
  }
  const dim = month === 2 && isLeap(year) ? 29 : DAYS_IN_MONTH[month - 1]!;
  if (day > dim) return undefined;

  let i = start + 19;
  let millis = 0;
  if (b[i] === 0x2e || b[i] === 0x2c) {
    i++;
    const fracStart = i;
    while (i < end && b[i]! >= 0x30 && b[i]! <= 0x39) {
      if (i - fracStart < 3) millis = millis * 10 + (b[i]! - 48);
      i++;
    }
    const n = i - fracStart;
    if (n === 0) return undefined;
    if (n === 1) millis *= 100;
    else if (n === 2) millis *= 10;
  }

  let offsetMin = 0;
  if (i < end && b[i] === 0x5a) {
    i++;
  } else if (i + 6 === end && (b[i] === 0x2b || b[i] === 0x2d) && b[i + 3] === 0x3a) {
    const oh = digits(b, i + 1, 2);
    const om = digits(b, i + 4, 2);
    if (oh < 0 || oh > 23 || om < 0 || om > 59) return undefined;
    offsetMin = (oh * 60 + om) * (b[i] === 0x2d ? -1 : 1);
    i += 6;
  } else {
    return undefined;
  }
  if (i !== end) return undefined;

  const days = daysFromCivil(year, month, day);
  return ((days * 24 + hour) * 60 + minute - offsetMin) * 60000 + second * 1000 + millis;
}
