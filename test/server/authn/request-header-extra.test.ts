// X-Remote-Extra-* as upstream's requestheader newExtra and url.PathUnescape.
import t from 'tap';
import { extraFromHeaders, unescapeExtraKey } from '../../../src/server/authn/request-header-extra.js';

t.test('keys unescape as url.PathUnescape', async (t) => {
  t.equal(unescapeExtraKey('scopes'), 'scopes');
  t.equal(unescapeExtraKey('authentication.kubernetes.io%2fpod-name'), 'authentication.kubernetes.io/pod-name', 'hex in either case');
  t.equal(unescapeExtraKey('%e2%82%ac'), '€', 'bytes read as UTF-8');
  t.equal(unescapeExtraKey('a+b%20c'), 'a+b c', '"+" is not a space in a path');
  t.equal(unescapeExtraKey('%ff'), '\ufffd', 'a byte that is not UTF-8 is decoded (and reads as U+FFFD)');
  t.equal(unescapeExtraKey('%c3'), '\ufffd', 'a cut UTF-8 sequence too');
  for (const raw of ['%', '%2', 'a%zz', '%g0', 'ok%2fthen%']) t.equal(unescapeExtraKey(raw), raw, `malformed ${raw} stays raw`);
  t.equal(unescapeExtraKey(''), '');
});

t.test('every prefix is tried, empty keys count, values keep their order', async (t) => {
  const headers = {
    'x-remote-extra-scope-read': ['yes'],
    'x-remote-extra-': ['empty'],
    'x-remote-extra-a%2fb': ['1', '2'],
    'x-remote-extra-a/b': ['3'],
    'x-remote-user': ['viewer'],
  };
  t.same(extraFromHeaders(headers, ['x-remote-extra-', 'x-remote-extra-scope-']), {
    'scope-read': ['yes'],
    '': ['empty'],
    'a/b': ['1', '2', '3'],
    read: ['yes'],
  });
  t.same(extraFromHeaders(headers, []), {});
  const proto = extraFromHeaders({ 'x-e-__proto__': ['p'], 'x-e-constructor': ['c'] }, ['x-e-']);
  t.same(Object.keys(proto).sort(), ['__proto__', 'constructor'], 'keys named like Object.prototype members are plain keys');
});
