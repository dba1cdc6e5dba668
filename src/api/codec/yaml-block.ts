// YAML of one sequence element (a list's item, a Table's row) written directly,
// byte for byte as encodeYaml() writes it inside the list, for the shapes the
// API's objects have: maps with sorted keys, sequences not indented under their
// key, strings. The `yaml` library builds a document tree for every scalar: at
// 150k pods a YAML list took ~19 s of one thread and ~900 MB. Strings are
// written plain or double-quoted only where that choice is certain (the
// characters of names, labels, quantities and times); anything else returns
// undefined and the caller hands that element to the library.

import { Document } from 'yaml';

/**
 * The schema's own tests of what a plain scalar would read back as (bool, int,
 * float, null, timestamp in YAML 1.1), as one alternation: a string matching
 * one of them is quoted, as the library quotes it.
 */
const TYPED: RegExp = (() => {
  const { tags, compat } = new Document(null, { version: '1.1' }).schema;
  const tests = [...tags, ...(compat ?? [])]
    .filter((t) => t.default && t.tag !== 'tag:yaml.org,2002:str' && t.test !== undefined)
    .map((t) => t.test!);
  // Each test is anchored at both ends, so any-of is their alternation; flags would change that.
  if (tests.some((r) => r.flags !== '')) throw new Error('yaml: a type test with flags');
  return new RegExp(tests.map((r) => `(?:${r.source})`).join('|'));
})();

/**
 * Characters with no meaning to YAML's plain scalars once the first is a letter
 * or digit and the last is not a colon (no indicator, space, '#', quote or
 * escape; a colon only followed by more of them): the alphabet of Kubernetes
 * names, label keys and values, quantities, durations and times.
 */
const SIMPLE = /^[A-Za-z0-9](?:[A-Za-z0-9._/:-]*[A-Za-z0-9._/-])?$/;

/** Scalars met again and again (keys, namespaces, container names, a list's timestamps); emptied when full. */
const seen = new Map<string, string | null>();
const SEEN_MAX = 4096;

/** The scalar as the library writes it, or undefined where it might choose otherwise. */
export function yamlScalar(s: string): string | undefined {
  const known = seen.get(s);
  if (known !== undefined) return known ?? undefined;
  const out = s === '' ? '""' : !SIMPLE.test(s) ? undefined : TYPED.test(s) ? `"${s}"` : s;
  if (seen.size >= SEEN_MAX) seen.clear();
  seen.set(s, out ?? null);
  return out;
}

function isMap(v: unknown): v is { readonly [key: string]: unknown } {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Keys in the library's order (sortMapEntries: JavaScript's string order), undefined values left out as JSON does. */
function keysOf(m: { readonly [key: string]: unknown }): string[] {
  const keys = Object.keys(m);
  let n = 0;
  // Few keys each: an insertion sort, in place.
  for (const k of keys) {
    if (m[k] === undefined) continue;
    let i = n++;
    while (i > 0 && keys[i - 1]! > k) {
      keys[i] = keys[i - 1]!;
      i--;
    }
    keys[i] = k;
  }
  keys.length = n;
  return keys;
}

/** The text written so far. */
interface Out {
  s: string;
}

/**
 * Writes a map's entries at `indent` (the first one without it when it follows
 * a sequence's "- "); false for anything outside the shapes above.
 */
function writeMap(m: { readonly [key: string]: unknown }, keys: readonly string[], indent: string, afterDash: boolean, out: Out): boolean {
  for (let i = 0; i < keys.length; i++) {
    const k = yamlScalar(keys[i]!);
    if (k === undefined) return false;
    const v = m[keys[i]!];
    out.s += i === 0 && afterDash ? k : indent + k;
    if (typeof v === 'string') {
      const s = yamlScalar(v);
      if (s === undefined) return false;
      out.s += ': ' + s + '\n';
    } else if (Array.isArray(v)) {
      if (v.length === 0) out.s += ': []\n';
      else {
        out.s += ':\n';
        // Sequences sit at their key's indentation (indentSeq: false).
        if (!writeSeq(v as readonly unknown[], indent, out)) return false;
      }
    } else if (isMap(v)) {
      const inner = keysOf(v);
      if (inner.length === 0) out.s += ': {}\n';
      else {
        out.s += ':\n';
        if (!writeMap(v, inner, indent + '  ', false, out)) return false;
      }
    } else {
      return false;
    }
  }
  return true;
}

function writeSeq(items: readonly unknown[], indent: string, out: Out): boolean {
  for (const v of items) {
    out.s += indent + '- ';
    if (typeof v === 'string') {
      const s = yamlScalar(v);
      if (s === undefined) return false;
      out.s += s + '\n';
    } else if (isMap(v)) {
      const keys = keysOf(v);
      if (keys.length === 0) out.s += '{}\n';
      else if (!writeMap(v, keys, indent + '  ', true, out)) return false;
    } else {
      // Sequences in sequences, numbers, booleans, null: the library's.
      return false;
    }
  }
  return true;
}

/**
 * One element of a block sequence at `indent` ("- " and its lines), or
 * undefined when it holds something this writer leaves to the library.
 */
export function yamlSeqElement(element: unknown, indent = ''): string | undefined {
  const out: Out = { s: '' };
  return writeSeq([element], indent, out) ? out.s : undefined;
}
