// JSON as Go's encoding/json writes it for the API server: compact with one
// trailing newline, or 2-space pretty without one; <, >, & and U+2028/2029 escaped.

const ESCAPES: Record<string, string> = { '<': '\\u003c', '>': '\\u003e', '&': '\\u0026', '\u2028': '\\u2028', '\u2029': '\\u2029' };
const NEEDS_ESCAPE = /[<>&\u2028\u2029]/g;

export function encodeJson(obj: unknown, pretty = false): string {
  return escapeAsGo(pretty ? JSON.stringify(obj, null, 2) : JSON.stringify(obj) + '\n');
}

/** JSON text with <, >, & and U+2028/2029 escaped as Go's encoder writes them. */
export function escapeAsGo(s: string): string {
  return NEEDS_ESCAPE.test(s) ? s.replace(NEEDS_ESCAPE, (c) => ESCAPES[c]!) : s;
}

/** One JSON string literal as encodeJson writes it inside any value. */
export function jsonStringLiteral(s: string): string {
  const q = JSON.stringify(s);
  return NEEDS_ESCAPE.test(q) ? q.replace(NEEDS_ESCAPE, (c) => ESCAPES[c]!) : q;
}

/** GAS turns on pretty output for ?pretty=true and for browsers and curl/wget. */
export function wantsPretty(query: Record<string, unknown>, userAgent: string | undefined): boolean {
  const raw = query['pretty'];
  const p = Array.isArray(raw) ? raw[0] : raw;
  // A non-empty ?pretty= decides (strconv.ParseBool, errors mean false); otherwise the User-Agent.
  if (typeof p === 'string' && p.length > 0) return TRUE_WORDS.has(p);
  return userAgent !== undefined && /^(curl|Wget|Mozilla\/5\.0)/.test(userAgent);
}

const TRUE_WORDS = new Set(['1', 't', 'T', 'TRUE', 'true', 'True']);
