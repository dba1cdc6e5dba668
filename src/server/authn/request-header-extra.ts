// User extra from a front proxy's X-Remote-Extra-<key> headers, as upstream's
// requestheader newExtra: keys are lowercased and %-unescaped, empty keys count,
// and a header matching two prefixes is recorded under both.

/**
 * Go's url.PathUnescape: each %XX becomes that byte (the bytes then read as UTF-8),
 * "+" stays; a malformed % sequence leaves the whole key as it came.
 */
export function unescapeExtraKey(raw: string): string {
  if (!raw.includes('%')) return raw;
  const src = Buffer.from(raw, 'utf8');
  const out = Buffer.allocUnsafe(src.length);
  let n = 0;
  for (let i = 0; i < src.length; i++) {
    const b = src[i]!;
    if (b !== 0x25) {
      out[n++] = b;
      continue;
    }
    const hi = hexDigit(src[i + 1]);
    const lo = hexDigit(src[i + 2]);
    if (hi < 0 || lo < 0) return raw;
    out[n++] = hi * 16 + lo;
    i += 2;
  }
  return out.toString('utf8', 0, n);
}

function hexDigit(c: number | undefined): number {
  if (c === undefined) return -1;
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  const l = c | 0x20; // ASCII lowercase
  return l >= 0x61 && l <= 0x66 ? l - 0x61 + 10 : -1;
}

/**
 * The extra of a request from its headers (names lowercased, as Node.js gives
 * them) and the lowercased prefixes; prefixes first, as upstream, for the order of values.
 */
export function extraFromHeaders(headers: Readonly<Record<string, readonly string[] | undefined>>, prefixes: readonly string[]): Record<string, string[]> {
  // No prototype: extra keys such as "constructor" or "__proto__" are plain keys.
  const extra = Object.create(null) as Record<string, string[]>;
  for (const prefix of prefixes) {
    for (const header of Object.keys(headers)) {
      if (!header.startsWith(prefix)) continue;
      const key = unescapeExtraKey(header.slice(prefix.length));
      (extra[key] ??= []).push(...(headers[header] ?? []));
    }
  }
  return extra;
}
