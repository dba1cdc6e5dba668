// Field selectors as k8s.io/apimachinery pkg/fields parses them: comma-separated
// terms (a backslash escapes ',', '=' and '\' in values), operators "!=", "==", "=",
// terms parsed in sorted order, and upstream's error texts.

import { SelectorError } from './errors.js';

export interface FieldRequirement {
  field: string;
  operator: '=' | '==' | '!=';
  value: string;
}

export interface FieldSelector {
  readonly requirements: readonly FieldRequirement[];
  readonly empty: boolean;
  /** A field missing from the set reads as "" (upstream Fields.Get). */
  matches(fields: Readonly<Record<string, string>>): boolean;
  /** Canonical form: terms in parse order, "==" written as "=", values escaped. */
  toString(): string;
}

// "==" before "=" so that "a==b" does not leave "=b" as the value.
const TERM_OPERATORS = ['!=', '==', '='] as const;

/** Splits on unescaped commas; escapes stay in the terms. */
function splitTerms(selector: string): string[] {
  if (selector.length === 0) return [];
  const terms: string[] = [];
  let start = 0;
  let inSlash = false;
  for (let i = 0; i < selector.length; i++) {
    const c = selector[i];
    if (inSlash) inSlash = false;
    else if (c === '\\') inSlash = true;
    else if (c === ',') {
      terms.push(selector.slice(start, i));
      start = i + 1;
    }
  }
  terms.push(selector.slice(start));
  return terms;
}

/** The first operator occurrence splits the term; the left side has no escaping. */
function splitTerm(term: string): [string, FieldRequirement['operator'], string] | undefined {
  for (let i = 0; i < term.length; i++) {
    for (const op of TERM_OPERATORS) {
      if (term.startsWith(op, i)) return [term.slice(0, i), op, term.slice(i + op.length)];
    }
  }
  return undefined;
}

export function escapeFieldValue(s: string): string {
  return s.replace(/[\\,=]/g, (c) => '\\' + c);
}

export function unescapeFieldValue(s: string): string {
  if (!/[\\,=]/.test(s)) return s;
  let out = '';
  let inSlash = false;
  for (const c of s) {
    if (inSlash) {
      if (c !== '\\' && c !== ',' && c !== '=') throw new SelectorError(`invalid field selector: invalid escape sequence: \\${c}`);
      out += c;
      inSlash = false;
    } else if (c === '\\') {
      inSlash = true;
    } else if (c === ',' || c === '=') {
      // Upstream formats the rune with %v, which prints its number.
      throw new SelectorError(`invalid field selector: unescaped character in value: ${c.codePointAt(0)}`);
    } else {
      out += c;
    }
  }
  if (inSlash) throw new SelectorError('invalid field selector: invalid escape sequence: \\');
  return out;
}

class TermsSelector implements FieldSelector {
  constructor(readonly requirements: readonly FieldRequirement[]) {}
  get empty(): boolean {
    return this.requirements.length === 0;
  }
  matches(fields: Readonly<Record<string, string>>): boolean {
    for (const r of this.requirements) {
      const actual = Object.hasOwn(fields, r.field) ? fields[r.field]! : '';
      if ((r.operator === '!=') === (actual === r.value)) return false;
    }
    return true;
  }
  toString(): string {
    return this.requirements.map((r) => `${r.field}${r.operator === '!=' ? '!=' : '='}${escapeFieldValue(r.value)}`).join(',');
  }
}

/** Parses a fieldSelector query value; throws SelectorError with upstream's text. */
export function parseFieldSelector(s: string): FieldSelector {
  const parts = splitTerms(s).sort();
  const reqs: FieldRequirement[] = [];
  for (const part of parts) {
    if (part === '') continue;
    const split = splitTerm(part);
    if (!split) throw new SelectorError(`invalid selector: '${s}'; can't understand '${part}'`);
    const [field, operator, rhs] = split;
    reqs.push({ field, operator, value: unescapeFieldValue(rhs) });
  }
  return new TermsSelector(Object.freeze(reqs));
}

/** Upstream fields.Selector.Transform: maps every term's field and value, or throws. */
export function transformFieldSelector(sel: FieldSelector, fn: (field: string, value: string) => [string, string]): FieldSelector {
  return new TermsSelector(
    Object.freeze(
      sel.requirements.map((r) => {
        const [field, value] = fn(r.field, r.value);
        return { field, operator: r.operator, value };
      }),
    ),
  );
}

/** The value a selector requires for field via "=" or "==", if any (upstream RequiresExactMatch). */
export function requiresExactMatch(sel: FieldSelector, field: string): string | undefined {
  for (const r of sel.requirements) if (r.field === field && r.operator !== '!=') return r.value;
  return undefined;
}
