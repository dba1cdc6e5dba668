// Cases translated from k8s.io/apimachinery pkg/labels selector_test.go, plus the
// exact error texts a client sees in a 400 for a bad labelSelector.
import t, { type Test } from 'tap';
import { andSelectors, everything, parseLabelSelector, SelectorError, type LabelSelector } from '../../../src/api/selectors/index.js';

t.test('good strings parse and re-string without spaces (TestSelectorParse)', async (t) => {
  for (const s of ['x=a,y=b,z=c', '', 'x!=a,y=b', 'x=', 'x= ', 'x=,z= ', 'x= ,z= ', '!x', 'x>1', 'x>1,z<5']) {
    t.equal(parseLabelSelector(s).toString(), s.replaceAll(' ', ''), s);
  }
});

t.test('bad strings are rejected with SelectorError', async (t) => {
  for (const s of ['x=a||y=b', 'x==a==b', '!x=a', 'x<a', 'x,y,', ',x,y', 'x nott in (y)', 'a in (xyz),', 'a in (xyz)b notin ()', 'a in (xyz abc)', 'a notin(', 'a (', '(']) {
    t.throws(() => parseLabelSelector(s), SelectorError, s);
  }
});

t.test('parsing is deterministic: requirements sorted by key', async (t) => {
  t.equal(parseLabelSelector('x=a,a=x').toString(), parseLabelSelector('a=x,x=a').toString());
  t.equal(parseLabelSelector('x=a,a=x').toString(), 'a=x,x=a');
  t.same(
    parseLabelSelector('x notin (abc,def),bar,z in (),w').requirements,
    [
      { key: 'bar', operator: 'exists', values: [] },
      { key: 'w', operator: 'exists', values: [] },
      { key: 'x', operator: 'notin', values: ['abc', 'def'] },
      { key: 'z', operator: 'in', values: [''] },
    ],
  );
});

t.test('everything() is empty and matches anything', async (t) => {
  t.ok(everything().empty);
  t.ok(everything().matches({ x: 'y' }));
  t.equal(everything().toString(), '');
  t.ok(parseLabelSelector('').empty);
  t.notOk(parseLabelSelector('x').empty);
});

function expectMatch(t: Test, sel: string, labels: Record<string, string>, want: boolean): void {
  t.equal(parseLabelSelector(sel).matches(labels), want, `${sel} on ${JSON.stringify(labels)}`);
}

t.test('matching (TestSelectorMatches)', async (t) => {
  expectMatch(t, '', { x: 'y' }, true);
  expectMatch(t, 'x=y', { x: 'y' }, true);
  expectMatch(t, 'x=y,z=w', { x: 'y', z: 'w' }, true);
  expectMatch(t, 'x!=y,z!=w', { x: 'z', z: 'a' }, true);
  expectMatch(t, 'notin=in', { notin: 'in' }, true);
  expectMatch(t, 'x', { x: 'z' }, true);
  expectMatch(t, '!x', { y: 'z' }, true);
  expectMatch(t, 'x>1', { x: '2' }, true);
  expectMatch(t, 'x<1', { x: '0' }, true);
  expectMatch(t, 'x=z', {}, false);
  expectMatch(t, 'x=y', { x: 'z' }, false);
  expectMatch(t, 'x=y,z=w', { x: 'w', z: 'w' }, false);
  expectMatch(t, 'x!=y,z!=w', { x: 'z', z: 'w' }, false);
  expectMatch(t, 'x', { y: 'z' }, false);
  expectMatch(t, '!x', { x: 'z' }, false);
  expectMatch(t, 'x>1', { x: '0' }, false);
  expectMatch(t, 'x<1', { x: '2' }, false);
  const set = { foo: 'bar', baz: 'blah' };
  expectMatch(t, 'foo=bar', set, true);
  expectMatch(t, 'baz=blah', set, true);
  expectMatch(t, 'foo=bar,baz=blah', set, true);
  expectMatch(t, 'foo=blah', set, false);
  expectMatch(t, 'baz=bar', set, false);
  expectMatch(t, 'foo=bar,foobar=bar,baz=blah', set, false);
});

t.test('every operator (TestRequirementSelectorMatching)', async (t) => {
  expectMatch(t, 'x in (foo),y notin (alpha)', { x: 'foo', y: 'baz' }, true);
  expectMatch(t, 'x in (foo),y in (alpha)', { x: 'foo', y: 'baz' }, false);
  expectMatch(t, 'x notin (),y', { y: '' }, true);
  expectMatch(t, '!x,y', { y: '' }, true);
  expectMatch(t, 'x notin (),!y', { y: '' }, false);
  expectMatch(t, 'x in ()', { y: 'baz' }, false);
  expectMatch(t, 'x in ()', { x: '' }, true);
  expectMatch(t, 'z>1', { z: '2' }, true);
  expectMatch(t, 'z>1', { z: 'v2' }, false);
  expectMatch(t, 'z<1', {}, false);
  expectMatch(t, 'z==a', { z: 'a' }, true);
  expectMatch(t, 'z!=a', {}, true);
  t.throws(() => parseLabelSelector('z>-5'), SelectorError, 'negative bounds are not valid label values');
  expectMatch(t, 'z<9223372036854775807', { z: '9223372036854775806' }, true);
  expectMatch(t, 'z>1', { z: '9223372036854775808' }, false); // overflows int64: no match
  // Object prototype keys are not labels.
  expectMatch(t, 'constructor', {}, false);
  expectMatch(t, '!toString', {}, true);
});

t.test('set-based parsing (TestSetSelectorParser)', async (t) => {
  const cases: [string, string][] = [
    ['\rx', 'x'],
    ['this-is-a-dns.domain.com/key-with-dash', 'this-is-a-dns.domain.com/key-with-dash'],
    ['this-is-another-dns.domain.com/key-with-dash in (so,what)', 'this-is-another-dns.domain.com/key-with-dash in (so,what)'],
    ['0.1.2.domain/99 notin (10.10.100.1, tick.tack.clock)', '0.1.2.domain/99 notin (10.10.100.1,tick.tack.clock)'],
    ['foo  in\t (abc)', 'foo in (abc)'],
    ['x notin\n (abc)', 'x notin (abc)'],
    ['x  notin\t\t\t(abc,def)', 'x notin (abc,def)'],
    ['x in (abc,def)', 'x in (abc,def)'],
    ['x in (abc,)', 'x in (,abc)'],
    ['x in ()', 'x in ()'],
    ['x notin (abc,,def),bar,z in (),w', 'bar,w,x notin (,abc,def),z in ()'],
    ['x,y in (a)', 'x,y in (a)'],
    ['x=a', 'x=a'],
    ['x>1', 'x>1'],
    ['x<7', 'x<7'],
    ['x=a,y!=b', 'x=a,y!=b'],
    ['x=a,y!=b,z in (h,i,j)', 'x=a,y!=b,z in (h,i,j)'],
    ['x notin ( )', 'x notin ()'],
    ['x notin (, a)', 'x notin (,a)'],
    ['a ', 'a'],
    ['a in (x,y,notin, z,in)', 'a in (in,notin,x,y,z)'],
    ['x in (b,a,b)', 'x in (a,b)'],
  ];
  for (const [input, canonical] of cases) {
    let sel: LabelSelector | undefined;
    t.doesNotThrow(() => (sel = parseLabelSelector(input)), JSON.stringify(input));
    t.equal(sel?.toString(), canonical, JSON.stringify(input));
  }
});

t.test('andSelectors merges requirements like Selector.Add', async (t) => {
  const a = parseLabelSelector('zone=a');
  const b = parseLabelSelector('arch in (amd64)');
  const both = andSelectors(a, b);
  t.equal(both.toString(), 'arch in (amd64),zone=a');
  t.ok(both.matches({ zone: 'a', arch: 'amd64' }));
  t.notOk(both.matches({ zone: 'a', arch: 'arm64' }));
  t.equal(andSelectors(everything(), a), a);
  t.equal(andSelectors(a, everything()), a);
});

const KEY_REGEX = "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";
const VALUE_REGEX =
  "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')";

t.test('error texts are upstream’s', async (t) => {
  const cases: [string, string][] = [
    ['a b', "unable to parse requirement: found 'b', expected: in, notin, =, ==, !=, gt, lt"],
    ['x=a||y=b', `unable to parse requirement: values[0][x]: Invalid value: "a||y": ${VALUE_REGEX}`],
    ['x==a==b', "found '==', expected: ',' or 'end of string'"],
    ['!x=a', "found '=', expected: ',' or 'end of string'"],
    ['x<a', `unable to parse requirement: values[0]: Invalid value: "a": for 'Gt', 'Lt' operators, the value must be an integer`],
    ['x>', `unable to parse requirement: values[0]: Invalid value: "": for 'Gt', 'Lt' operators, the value must be an integer`],
    [
      'x<-a',
      `unable to parse requirement: [values[0]: Invalid value: "-a": for 'Gt', 'Lt' operators, the value must be an integer, values[0][x]: Invalid value: "-a": ${VALUE_REGEX}]`,
    ],
    ['a,', "found '', expected: identifier after ','"],
    [',a', "found ',', expected: !, identifier, or 'end of string'"],
    ['a in (xyz abc)', "unable to parse requirement: found 'abc', expected: ',' or ')'"],
    ['a notin(', "unable to parse requirement: found '', expected: ',', ')' or identifier"],
    ['a in x', "unable to parse requirement: found 'x' expected: '('"],
    ['a in (b,', "unable to parse requirement: found '', expected: ',', or identifier"],
    ['a=(', "unable to parse requirement: found '(', expected: identifier"],
    ['!', "unable to parse requirement: found '', expected: identifier"],
    ['(', "found '(', expected: !, identifier, or 'end of string'"],
    ['-a', `unable to parse requirement: <nil>: Invalid value: "-a": name part ${KEY_REGEX}`],
    ['a/b/c', `unable to parse requirement: <nil>: Invalid value: "a/b/c": a valid label key ${KEY_REGEX} with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')`],
    ['/a', 'unable to parse requirement: <nil>: Invalid value: "/a": prefix part must be non-empty'],
    [
      'a/',
      `unable to parse requirement: <nil>: Invalid value: "a/": name part must be non-empty; name part ${KEY_REGEX}`,
    ],
    [
      'Ex.com/a',
      `unable to parse requirement: <nil>: Invalid value: "Ex.com/a": prefix part a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')`,
    ],
    ['a'.repeat(64), `unable to parse requirement: <nil>: Invalid value: "${'a'.repeat(64)}": name part must be no more than 63 bytes`],
    ['x=' + 'v'.repeat(64), `unable to parse requirement: values[0][x]: Invalid value: "${'v'.repeat(64)}": must be no more than 63 bytes`],
    ['k\u00e9y', `unable to parse requirement: <nil>: Invalid value: "k\u00e9y": name part ${KEY_REGEX}`],
    ['k\u0001', `unable to parse requirement: <nil>: Invalid value: "k\\x01": name part ${KEY_REGEX}`],
  ];
  for (const [input, message] of cases) {
    t.throws(() => parseLabelSelector(input), { name: 'SelectorError', message }, JSON.stringify(input));
  }
});

t.test('63-character names and 253-character prefixes are accepted', async (t) => {
  const name = 'a'.repeat(63);
  const prefix = Array.from({ length: 4 }, () => 'p'.repeat(62)).join('.') + '.p'; // 4*62+3+2 = 253
  t.equal(prefix.length, 253);
  t.doesNotThrow(() => parseLabelSelector(`${prefix}/${name}=${'v'.repeat(63)}`));
  t.throws(() => parseLabelSelector(`${prefix}p/${name}`), { message: /prefix part must be no more than 253 bytes/ });
});
