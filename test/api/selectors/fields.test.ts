// Cases translated from k8s.io/apimachinery pkg/fields selector_test.go.
import t from 'tap';
import { escapeFieldValue, parseFieldSelector, requiresExactMatch, SelectorError, transformFieldSelector, unescapeFieldValue } from '../../../src/api/selectors/index.js';

t.test('good strings parse and re-string (TestSelectorParse)', async (t) => {
  for (const s of ['x=a,y=b,z=c', '', 'x!=a,y=b', 'x=a||y\\=b', 'x=a\\=\\=b']) {
    t.equal(parseFieldSelector(s).toString(), s, s);
  }
  t.equal(parseFieldSelector('b==x').toString(), 'b=x', '"==" re-strings as "="');
  t.equal(parseFieldSelector('x=a,a=x').toString(), 'a=x,x=a', 'terms sorted');
});

t.test('bad strings are rejected with upstream messages', async (t) => {
  const cases: [string, string][] = [
    ['x=a||y=b', 'invalid field selector: unescaped character in value: 61'],
    ['x==a==b', 'invalid field selector: unescaped character in value: 61'],
    ['x=a,b', "invalid selector: 'x=a,b'; can't understand 'b'"],
    ['x in (a)', "invalid selector: 'x in (a)'; can't understand 'x in (a)'"],
    ['x in (a,b,c)', "invalid selector: 'x in (a,b,c)'; can't understand 'b'"],
    ['x', "invalid selector: 'x'; can't understand 'x'"],
    ['k=\\a', 'invalid field selector: invalid escape sequence: \\a'],
    ['k=\\', 'invalid field selector: invalid escape sequence: \\'],
    ['k=\\\\\\', 'invalid field selector: invalid escape sequence: \\'],
  ];
  for (const [input, message] of cases) {
    t.throws(() => parseFieldSelector(input), { name: 'SelectorError', message }, input);
  }
  t.throws(() => parseFieldSelector('x'), SelectorError);
});

t.test('empty terms are skipped', async (t) => {
  t.same(parseFieldSelector('a=a,').requirements, [{ field: 'a', operator: '=', value: 'a' }]);
  t.same(parseFieldSelector(',a=a').requirements, [{ field: 'a', operator: '=', value: 'a' }]);
  t.ok(parseFieldSelector('').empty);
  t.ok(parseFieldSelector(',').empty);
  t.notOk(parseFieldSelector('a=').empty);
});

t.test('escaping round-trips (TestEscapeValue)', async (t) => {
  const cases: Record<string, string> = { '': '', a: 'a', '=': '\\=', ',': '\\,', '\\': '\\\\', '\\=\\,\\': '\\\\\\=\\\\\\,\\\\' };
  for (const [raw, escaped] of Object.entries(cases)) {
    t.equal(escapeFieldValue(raw), escaped);
    t.equal(unescapeFieldValue(escaped), raw);
  }
  // Terms are sorted as raw text before parsing: "k2=v2" < "k=\\,".
  t.same(parseFieldSelector('k=\\,,k2=v2').requirements, [
    { field: 'k2', operator: '=', value: 'v2' },
    { field: 'k', operator: '=', value: ',' },
  ]);
  t.same(parseFieldSelector('함=수,목=록').requirements, [
    { field: '목', operator: '=', value: '록' },
    { field: '함', operator: '=', value: '수' },
  ]);
});

t.test('matching (TestSelectorMatches); a missing field reads as ""', async (t) => {
  const m = (sel: string, fields: Record<string, string>) => parseFieldSelector(sel).matches(fields);
  t.ok(m('', { x: 'y' }));
  t.ok(m('x=y', { x: 'y' }));
  t.ok(m('x=y,z=w', { x: 'y', z: 'w' }));
  t.ok(m('x!=y,z!=w', { x: 'z', z: 'a' }));
  t.ok(m('notin=in', { notin: 'in' }));
  t.notOk(m('x=y', { x: 'z' }));
  t.notOk(m('x=y,z=w', { x: 'w', z: 'w' }));
  t.notOk(m('x!=y,z!=w', { x: 'z', z: 'w' }));
  const set = { foo: 'bar', baz: 'blah', complex: '=value\\,\\' };
  t.ok(m('foo=bar', set));
  t.ok(m('foo=bar,baz=blah', set));
  t.ok(m('foo=bar,baz=blah,complex=\\=value\\\\\\,\\\\', set));
  t.notOk(m('foo=blah', set));
  t.notOk(m('foo=bar,foobar=bar,baz=blah', set));
  t.ok(m('metadata.namespace=', { 'metadata.name': 'n' }));
  t.notOk(m('metadata.namespace=x', { 'metadata.name': 'n' }));
  t.ok(m('metadata.namespace!=x', { 'metadata.name': 'n' }));
  t.notOk(m('constructor=x', {}), 'prototype keys are not fields');
});

t.test('transform and exact-match helpers', async (t) => {
  const sel = parseFieldSelector('a=1,b!=2');
  const up = transformFieldSelector(sel, (f, v) => [f.toUpperCase(), v + v]);
  t.equal(up.toString(), 'A=11,B!=22');
  t.throws(() => transformFieldSelector(sel, () => { throw new SelectorError('nope'); }), { message: 'nope' });
  t.equal(requiresExactMatch(parseFieldSelector('metadata.name==n1'), 'metadata.name'), 'n1');
  t.equal(requiresExactMatch(parseFieldSelector('metadata.name!=n1'), 'metadata.name'), undefined);
  t.equal(requiresExactMatch(parseFieldSelector(''), 'metadata.name'), undefined);
});
