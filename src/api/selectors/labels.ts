// Label selectors as k8s.io/apimachinery pkg/labels parses them: the same lexer
// (longest special-symbol match, "in"/"notin" keywords), the same recursive descent
// parser, the same validation and the same error texts, so a 400 from this server
// reads exactly like one from kube-apiserver.

import { SelectorError } from './errors.js';
import { goQuote } from '../../util/go-quote.js';
import { isLabelKey, isLabelValue } from './validation.js';

export type LabelOperator = '=' | '==' | '!=' | 'in' | 'notin' | 'exists' | '!' | 'gt' | 'lt';

export interface LabelRequirement {
  key: string;
  operator: LabelOperator;
  values: string[];
}

export interface LabelSelector {
  readonly requirements: readonly LabelRequirement[];
  /** True when the selector does not restrict anything. */
  readonly empty: boolean;
  matches(labels: Readonly<Record<string, string>>): boolean;
  /** Canonical form: requirements sorted by key, values sorted. */
  toString(): string;
}

// Order and spelling of selection.Operator values in upstream's error message.
const BINARY_OPERATORS = ['in', 'notin', '=', '==', '!=', 'gt', 'lt'];

const enum Tok {
  Error,
  EndOfString,
  ClosedPar,
  Comma,
  DoesNotExist,
  DoubleEquals,
  Equals,
  GreaterThan,
  Identifier,
  In,
  LessThan,
  NotEquals,
  NotIn,
  OpenPar,
}

// A Map, not an object literal: identifiers like "constructor" must not hit the prototype.
const STRING_TO_TOKEN = new Map<string, Tok>([
  [')', Tok.ClosedPar],
  [',', Tok.Comma],
  ['!', Tok.DoesNotExist],
  ['==', Tok.DoubleEquals],
  ['=', Tok.Equals],
  ['>', Tok.GreaterThan],
  ['in', Tok.In],
  ['<', Tok.LessThan],
  ['!=', Tok.NotEquals],
  ['notin', Tok.NotIn],
  ['(', Tok.OpenPar],
]);

interface Item {
  tok: Tok;
  lit: string;
}

const isWhitespace = (ch: string): boolean => ch === ' ' || ch === '\t' || ch === '\r' || ch === '\n';
const isSpecial = (ch: string): boolean => ch === '=' || ch === '!' || ch === '(' || ch === ')' || ch === ',' || ch === '>' || ch === '<';
const NUL = '\0';

/** Tokenizer; like upstream, a NUL character reads as the end of input. */
class Lexer {
  private pos = 0;
  constructor(private readonly s: string) {}

  private read(): string {
    if (this.pos < this.s.length) return this.s[this.pos++]!;
    this.pos++;
    return NUL;
  }

  private unread(): void {
    this.pos--;
  }

  lex(): Item {
    let ch = this.read();
    while (isWhitespace(ch)) ch = this.read();
    if (ch === NUL) return { tok: Tok.EndOfString, lit: '' };
    this.unread();
    return isSpecial(ch) ? this.scanSpecial() : this.scanIdOrKeyword();
  }

  private scanIdOrKeyword(): Item {
    let buf = '';
    for (;;) {
      const ch = this.read();
      if (ch === NUL) break;
      if (isSpecial(ch) || isWhitespace(ch)) {
        this.unread();
        break;
      }
      buf += ch;
    }
    const tok = STRING_TO_TOKEN.get(buf);
    return { tok: tok ?? Tok.Identifier, lit: buf };
  }

  /** Longest run of special symbols that still forms a token ("!=" over "!"). */
  private scanSpecial(): Item {
    let last: Item | undefined;
    let buf = '';
    for (;;) {
      const ch = this.read();
      if (ch === NUL) break;
      if (!isSpecial(ch)) {
        this.unread();
        break;
      }
      buf += ch;
      const tok = STRING_TO_TOKEN.get(buf);
      if (tok !== undefined) {
        last = { tok, lit: buf };
      } else if (last) {
        this.unread();
        break;
      }
    }
    return last ?? { tok: Tok.Error, lit: `error expected: keyword found '${buf}'` };
  }
}

/** Where "in"/"notin" are just identifiers (inside value lists and after operators). */
const enum Ctx {
  KeyAndOperator,
  Values,
}

class Parser {
  private readonly items: Item[] = [];
  private position = 0;

  constructor(input: string) {
    const lexer = new Lexer(input);
    for (;;) {
      const item = lexer.lex();
      this.items.push(item);
      if (item.tok === Tok.EndOfString) break;
    }
  }

  private lookahead(ctx: Ctx): Item {
    return this.adjust(this.items[Math.min(this.position, this.items.length - 1)]!, ctx);
  }

  private consume(ctx: Ctx): Item {
    const item = this.items[Math.min(this.position, this.items.length - 1)]!;
    this.position++;
    return this.adjust(item, ctx);
  }

  private adjust(item: Item, ctx: Ctx): Item {
    if (ctx === Ctx.Values && (item.tok === Tok.In || item.tok === Tok.NotIn)) return { tok: Tok.Identifier, lit: item.lit };
    return item;
  }

  parse(): LabelRequirement[] {
    const reqs: LabelRequirement[] = [];
    for (;;) {
      const { tok, lit } = this.lookahead(Ctx.Values);
      if (tok === Tok.EndOfString) return reqs;
      if (tok !== Tok.Identifier && tok !== Tok.DoesNotExist) {
        throw new SelectorError(`found '${lit}', expected: !, identifier, or 'end of string'`);
      }
      let req: LabelRequirement;
      try {
        req = this.parseRequirement();
      } catch (err) {
        throw new SelectorError(`unable to parse requirement: ${(err as Error).message}`);
      }
      reqs.push(req);
      const next = this.consume(Ctx.Values);
      if (next.tok === Tok.EndOfString) return reqs;
      if (next.tok !== Tok.Comma) throw new SelectorError(`found '${next.lit}', expected: ',' or 'end of string'`);
      const after = this.lookahead(Ctx.Values);
      if (after.tok !== Tok.Identifier && after.tok !== Tok.DoesNotExist) {
        throw new SelectorError(`found '${after.lit}', expected: identifier after ','`);
      }
    }
  }

  private parseRequirement(): LabelRequirement {
    const { key, operator } = this.parseKeyAndInferOperator();
    if (operator === 'exists' || operator === '!') return newRequirement(key, operator, []);
    const op = this.parseOperator();
    const values = op === 'in' || op === 'notin' ? this.parseValues() : this.parseExactValue();
    return newRequirement(key, op, [...values].sort());
  }

  private parseKeyAndInferOperator(): { key: string; operator: LabelOperator | undefined } {
    let operator: LabelOperator | undefined;
    let item = this.consume(Ctx.Values);
    if (item.tok === Tok.DoesNotExist) {
      operator = '!';
      item = this.consume(Ctx.Values);
    }
    if (item.tok !== Tok.Identifier) throw new SelectorError(`found '${item.lit}', expected: identifier`);
    const keyErrs = isLabelKey(item.lit);
    if (keyErrs.length > 0) throw new SelectorError(`<nil>: Invalid value: ${goQuote(item.lit)}: ${keyErrs.join('; ')}`);
    const next = this.lookahead(Ctx.Values).tok;
    if ((next === Tok.EndOfString || next === Tok.Comma) && operator !== '!') operator = 'exists';
    return { key: item.lit, operator };
  }

  private parseOperator(): LabelOperator {
    const { tok, lit } = this.consume(Ctx.KeyAndOperator);
    switch (tok) {
      case Tok.In:
        return 'in';
      case Tok.Equals:
        return '=';
      case Tok.DoubleEquals:
        return '==';
      case Tok.GreaterThan:
        return 'gt';
      case Tok.LessThan:
        return 'lt';
      case Tok.NotIn:
        return 'notin';
      case Tok.NotEquals:
        return '!=';
      default:
        throw new SelectorError(`found '${lit}', expected: ${BINARY_OPERATORS.join(', ')}`);
    }
  }

  private parseValues(): Set<string> {
    const open = this.consume(Ctx.Values);
    if (open.tok !== Tok.OpenPar) throw new SelectorError(`found '${open.lit}' expected: '('`);
    const { tok, lit } = this.lookahead(Ctx.Values);
    if (tok === Tok.Identifier || tok === Tok.Comma) {
      const s = this.parseIdentifiersList();
      this.consume(Ctx.Values); // the ')' parseIdentifiersList stopped at
      return s;
    }
    if (tok === Tok.ClosedPar) {
      this.consume(Ctx.Values);
      return new Set(['']); // "()" means the empty value
    }
    throw new SelectorError(`found '${lit}', expected: ',', ')' or identifier`);
  }

  /** Comma-separated, possibly empty identifiers: "(a,,b)", "(,a)", "(a,)". */
  private parseIdentifiersList(): Set<string> {
    const s = new Set<string>();
    for (;;) {
      const { tok, lit } = this.consume(Ctx.Values);
      if (tok === Tok.Identifier) {
        s.add(lit);
        const next = this.lookahead(Ctx.Values);
        if (next.tok === Tok.Comma) continue;
        if (next.tok === Tok.ClosedPar) return s;
        throw new SelectorError(`found '${next.lit}', expected: ',' or ')'`);
      } else if (tok === Tok.Comma) {
        if (s.size === 0) s.add('');
        const next = this.lookahead(Ctx.Values).tok;
        if (next === Tok.ClosedPar) {
          s.add('');
          return s;
        }
        if (next === Tok.Comma) {
          this.consume(Ctx.Values);
          s.add('');
        }
      } else {
        throw new SelectorError(`found '${lit}', expected: ',', or identifier`);
      }
    }
  }

  private parseExactValue(): Set<string> {
    const next = this.lookahead(Ctx.Values).tok;
    if (next === Tok.EndOfString || next === Tok.Comma) return new Set(['']);
    const { tok, lit } = this.consume(Ctx.Values);
    if (tok === Tok.Identifier) return new Set([lit]);
    throw new SelectorError(`found '${lit}', expected: identifier`);
  }
}

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/** Go strconv.ParseInt(s, 10, 64); undefined when it would fail. */
function parseInt64(s: string): bigint | undefined {
  if (!/^[+-]?[0-9]+$/.test(s)) return undefined;
  const v = BigInt(s);
  return v < INT64_MIN || v > INT64_MAX ? undefined : v;
}

/** labels.NewRequirement's checks, as reached from the parser (the key is already valid). */
function newRequirement(key: string, operator: LabelOperator, values: string[]): LabelRequirement {
  const errs: string[] = [];
  if (operator === 'gt' || operator === 'lt') {
    values.forEach((v, i) => {
      if (parseInt64(v) === undefined) {
        errs.push(`values[${i}]: Invalid value: ${goQuote(v)}: for 'Gt', 'Lt' operators, the value must be an integer`);
      }
    });
  }
  values.forEach((v, i) => {
    const valueErrs = isLabelValue(v);
    if (valueErrs.length > 0) errs.push(`values[${i}][${key}]: Invalid value: ${goQuote(v)}: ${valueErrs.join('; ')}`);
  });
  const unique = [...new Set(errs)];
  if (unique.length === 1) throw new SelectorError(unique[0]);
  if (unique.length > 1) throw new SelectorError(`[${unique.join(', ')}]`);
  return { key, operator, values };
}

export function requirementMatches(r: LabelRequirement, labels: Readonly<Record<string, string>>): boolean {
  const has = Object.hasOwn(labels, r.key);
  switch (r.operator) {
    case 'in':
    case '=':
    case '==':
      return has && r.values.includes(labels[r.key]!);
    case 'notin':
    case '!=':
      return !has || !r.values.includes(labels[r.key]!);
    case 'exists':
      return has;
    case '!':
      return !has;
    case 'gt':
    case 'lt': {
      if (!has || r.values.length !== 1) return false;
      const actual = parseInt64(labels[r.key]!);
      const bound = parseInt64(r.values[0]!);
      if (actual === undefined || bound === undefined) return false;
      return r.operator === 'gt' ? actual > bound : actual < bound;
    }
  }
}

const OPERATOR_TEXT: Record<LabelOperator, string> = {
  '=': '=',
  '==': '==',
  '!=': '!=',
  in: ' in ',
  notin: ' notin ',
  gt: '>',
  lt: '<',
  exists: '',
  '!': '',
};

export function requirementString(r: LabelRequirement): string {
  if (r.operator === 'exists') return r.key;
  if (r.operator === '!') return '!' + r.key;
  const values = r.values.length === 1 ? r.values[0]! : [...r.values].sort().join(',');
  const set = r.operator === 'in' || r.operator === 'notin';
  return r.key + OPERATOR_TEXT[r.operator] + (set ? `(${values})` : values);
}

class RequirementsSelector implements LabelSelector {
  readonly requirements: readonly LabelRequirement[];
  constructor(requirements: LabelRequirement[]) {
    // Stable sort by key, as upstream does "to grant deterministic parsing".
    this.requirements = Object.freeze([...requirements].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0)));
  }
  get empty(): boolean {
    return this.requirements.length === 0;
  }
  matches(labels: Readonly<Record<string, string>>): boolean {
    for (const r of this.requirements) if (!requirementMatches(r, labels)) return false;
    return true;
  }
  toString(): string {
    return this.requirements.map(requirementString).join(',');
  }
}

/** Parses a labelSelector query value; throws SelectorError with upstream's text. */
export function parseLabelSelector(s: string): LabelSelector {
  return new RequirementsSelector(new Parser(s).parse());
}

const EVERYTHING = new RequirementsSelector([]);

/** The selector that matches every label set. */
export function everything(): LabelSelector {
  return EVERYTHING;
}

/** A selector requiring both a and b (upstream Selector.Add): requirements merged and re-sorted. */
export function andSelectors(a: LabelSelector, b: LabelSelector): LabelSelector {
  if (b.empty) return a;
  if (a.empty) return b;
  return new RequirementsSelector([...a.requirements, ...b.requirements]);
}
