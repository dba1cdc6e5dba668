// decodeListOptions: which query values count, and how errors surface.
import t from 'tap';
import { decodeListOptions } from '../../src/api/list-options.js';
import { StatusError } from '../../src/api/status.js';
import { random } from '../helpers/random.js';

t.test('first value of a repeated parameter wins, as url.Values.Get', async (t) => {
  const o = decodeListOptions({ labelSelector: ['zone=a', 'zone=b'], fieldSelector: ['metadata.name=x', '('] });
  t.equal(o.labelSelector.toString(), 'zone=a');
  t.equal(o.fieldSelector.toString(), 'metadata.name=x');
});

t.test('absent or empty selectors select everything', async (t) => {
  for (const q of [{}, { labelSelector: '', fieldSelector: '' }]) {
    const o = decodeListOptions(q);
    t.ok(o.labelSelector.empty);
    t.ok(o.fieldSelector.empty);
    t.equal(o.watch, false);
  }
});

t.test('watch follows Go bool conversion', async (t) => {
  const cases: [string, boolean][] = [['true', true], ['1', true], ['', true], ['yes', true], ['false', false], ['FALSE', false], ['0', false]];
  for (const [v, want] of cases) t.equal(decodeListOptions({ watch: v }).watch, want, `watch=${v}`);
});

t.test('integers: trimmed, empty ignored, malformed 400', async (t) => {
  t.doesNotThrow(() => decodeListOptions({ limit: ' 500 ', timeoutSeconds: '' }));
  t.doesNotThrow(() => decodeListOptions({ limit: '-1' }));
  t.throws(() => decodeListOptions({ limit: '1.5' }), { message: 'strconv.ParseInt: parsing "1.5": invalid syntax' });
  t.throws(() => decodeListOptions({ timeoutSeconds: 'x', limit: 'y' }), { message: 'strconv.ParseInt: parsing "x": invalid syntax' }, 'timeoutSeconds is converted first');
});

t.test('errors are StatusErrors with the right codes and order', async (t) => {
  const codeOf = (q: Record<string, string>) => {
    try {
      decodeListOptions(q);
      return 0;
    } catch (err) {
      return err instanceof StatusError ? err.code : -1;
    }
  };
  t.equal(codeOf({ labelSelector: '!!' }), 400);
  t.equal(codeOf({ fieldSelector: 'spec.nodeName=n1' }), 400);
  t.equal(codeOf({ resourceVersionMatch: 'Exact' }), 422);
  t.equal(codeOf({ labelSelector: '!!', resourceVersionMatch: 'Exact' }), 400, 'parse errors come before validation');
  t.equal(codeOf({ fieldSelector: 'spec.nodeName=n1', resourceVersionMatch: 'Exact' }), 422, 'validation comes before field-label conversion');
  t.equal(codeOf({ resourceVersion: '10', resourceVersionMatch: 'Exact' }), 0);
  t.equal(codeOf({ resourceVersion: '0', resourceVersionMatch: 'Exact' }), 422);
});

t.test('any query, however malformed, decodes or is refused with a StatusError', async (t) => {
  // Token soup of what selectors and options are made of, from a fixed seed.
  const TOKENS = ['a', 'app', 'k8s.io/x', '=', '==', '!=', ',', ' ', '(', ')', 'in', 'notin', '!', '-', '.', '/', '\\', '\\,', 'é', '\u0000', '"', 'metadata.name', 'metadata.namespace', 'spec.nodeName', '1', '-1', 'a'.repeat(70), '>', '<', 'true', '9223372036854775808'];
  const KEYS = ['labelSelector', 'fieldSelector', 'limit', 'timeoutSeconds', 'watch', 'resourceVersion', 'resourceVersionMatch', 'continue', 'allowWatchBookmarks', 'sendInitialEvents'];
  const { int } = random(17);
  const soup = () => Array.from({ length: int(10) }, () => TOKENS[int(TOKENS.length)]).join('');
  const others: string[] = [];
  let decoded = 0;
  for (let i = 0; i < 20_000; i++) {
    const query: Record<string, string | string[]> = {};
    for (const k of KEYS) if (int(3) === 0) query[k] = int(4) === 0 ? [soup(), soup()] : soup();
    try {
      const o = decodeListOptions(query);
      decoded++;
      // What decoded re-strings to a selector that decodes to itself.
      const again = decodeListOptions({ labelSelector: o.labelSelector.toString() });
      if (again.labelSelector.toString() !== o.labelSelector.toString() && others.length < 3) others.push(`re-string of ${JSON.stringify(query)}`);
    } catch (e) {
      if (!(e instanceof StatusError) && others.length < 3) others.push(`${JSON.stringify(query)}: ${String(e)}`);
    }
  }
  t.same(others, [], 'no other exception; label selectors re-string to a fixed point');
  t.ok(decoded > 1000, `a share decode (${decoded} of 20,000)`);
});
