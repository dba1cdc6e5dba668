// Label and field selectors as the stand-in apiserver evaluates them on list and
// watch. The metrics API has its own parser in src/api/selectors; this one only
// needs to filter simulated objects and reject what kube-apiserver rejects.

export class SimSelectorError extends Error {}

export type LabelRequirement =
  | { key: string; op: 'exists' | '!' }
  | { key: string; op: 'in' | 'notin'; values: string[] };

export type Matcher = (labels: Readonly<Record<string, string>>) => boolean;

const KEY = /^([a-z0-9A-Z]([-a-z0-9A-Z_.]*[a-z0-9A-Z])?\/)?[a-zA-Z0-9]([-a-zA-Z0-9_.]{0,61}[a-zA-Z0-9])?$/;
const VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]{0,61})?[A-Za-z0-9])?$/;

function checkKey(k: string): string {
  if (!KEY.test(k)) throw new SimSelectorError(`unable to parse requirement: invalid label key "${k}"`);
  return k;
}

function checkValue(v: string): string {
  if (!VALUE.test(v)) throw new SimSelectorError(`unable to parse requirement: invalid label value: "${v}"`);
  return v;
}

/** Splits on commas that are not inside parentheses. */
function splitTop(s: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of s) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      out.push(cur);
      cur = '';
    } else cur += ch;
  }
  out.push(cur);
  return out;
}

export function parseLabelSelector(sel: string | undefined): LabelRequirement[] {
  if (!sel || sel.trim() === '') return [];
  return splitTop(sel).map((raw) => {
    const part = raw.trim();
    let m: RegExpExecArray | null;
    if ((m = /^!\s*(\S+)$/.exec(part))) return { key: checkKey(m[1]!), op: '!' as const };
    if ((m = /^(\S+?)\s+(in|notin)\s*\(([^)]*)\)$/.exec(part))) {
      const values = m[3]!.split(',').map((v) => checkValue(v.trim()));
      return { key: checkKey(m[1]!), op: m[2] as 'in' | 'notin', values };
    }
    if ((m = /^([^=!\s]+)\s*(==|=|!=)\s*(\S*)$/.exec(part))) {
      return { key: checkKey(m[1]!), op: m[2] === '!=' ? ('notin' as const) : ('in' as const), values: [checkValue(m[3]!)] };
    }
    if (/^[^\s=!(),]+$/.test(part)) return { key: checkKey(part), op: 'exists' as const };
    throw new SimSelectorError(`unable to parse requirement: found '${part}', expected: identifier`);
  });
}

export function labelMatcher(sel: string | undefined): Matcher {
  const reqs = parseLabelSelector(sel);
  return (labels) =>
    reqs.every((r) => {
      const has = Object.hasOwn(labels, r.key);
      switch (r.op) {
        case 'exists':
          return has;
        case '!':
          return !has;
        case 'in':
          return has && r.values.includes(labels[r.key]!);
        case 'notin':
          return !has || !r.values.includes(labels[r.key]!);
      }
    });
}

export interface FieldRequirement {
  field: string;
  value: string;
  negate: boolean;
}

/** Parses a field selector, accepting only the fields the resource supports. */
export function parseFieldSelector(sel: string | undefined, supported: readonly string[]): FieldRequirement[] {
  if (!sel || sel.trim() === '') return [];
  return sel.split(',').map((raw) => {
    const m = /^\s*([^=!\s]+)\s*(==|=|!=)\s*(.*?)\s*$/.exec(raw);
    if (!m) throw new SimSelectorError(`invalid selector: '${sel}'; can't understand '${raw}'`);
    if (!supported.includes(m[1]!)) throw new SimSelectorError(`field label not supported: ${m[1]}`);
    return { field: m[1]!, value: m[3]!, negate: m[2] === '!=' };
  });
}

export function fieldMatcher(reqs: readonly FieldRequirement[]): (fields: Readonly<Record<string, string>>) => boolean {
  return (fields) => reqs.every((r) => (fields[r.field] === r.value) !== r.negate);
}
