// Identity header names, compiled once per configuration, match exactly the
// names the per-request lowercasing matched.
import t from 'tap';
import { IncomingMessage } from 'node:http';
import { Socket } from 'node:net';
import { identityHeaderNames } from '../../../src/server/authn/identity-headers.js';
import { identityFields } from '../../../src/server/authn/request-header.js';

/** The definition: trim, lowercase, drop empty; exact names or prefixes. */
function reference(name: string, cfg: { usernameHeaders: string[]; uidHeaders: string[]; groupHeaders: string[]; extraHeaderPrefixes: string[] }): boolean {
  const lower = (l: string[]) => l.map((h) => h.trim().toLowerCase()).filter((h) => h !== '');
  const n = name.toLowerCase();
  if ([...lower(cfg.usernameHeaders), ...lower(cfg.uidHeaders), ...lower(cfg.groupHeaders)].includes(n)) return true;
  return lower(cfg.extraHeaderPrefixes).some((p) => n.startsWith(p));
}

t.test('matches as the definition does', async (t) => {
  const configs = [
    { usernameHeaders: ['X-Remote-User'], uidHeaders: ['X-Remote-Uid'], groupHeaders: ['X-Remote-Group'], extraHeaderPrefixes: ['X-Remote-Extra-'] },
    { usernameHeaders: [' x-user ', ''], uidHeaders: [], groupHeaders: ['Groups'], extraHeaderPrefixes: ['Extra', ' '] },
    { usernameHeaders: [], uidHeaders: [], groupHeaders: [], extraHeaderPrefixes: [] },
  ];
  const names = ['X-Remote-User', 'x-remote-user', 'X-REMOTE-GROUP', 'x-remote-extra-scopes', 'X-Remote-Extra-', 'X-Remote-Users', 'x-user', 'X-User', 'groups', 'GROUPS', 'extra-foo', 'EXTRAS', 'host', 'Accept', 'authorization', 'user-agent', '', 'x', 'X'];
  for (const cfg of configs) {
    const compiled = identityHeaderNames(cfg);
    t.equal(identityHeaderNames(cfg), compiled, 'compiled once per configuration object');
    for (const name of names) t.equal(compiled.matches(name), reference(name, cfg), `${JSON.stringify(cfg.usernameHeaders)} ${name}`);
  }
});

t.test("identityFields: headersDistinct's identity entries, values and key order alike", async (t) => {
  const configs = [
    { usernameHeaders: ['X-Remote-User'], uidHeaders: ['X-Remote-Uid'], groupHeaders: ['X-Remote-Group'], extraHeaderPrefixes: ['X-Remote-Extra-'] },
    { usernameHeaders: ['X-User', 'X-Remote-User'], uidHeaders: [], groupHeaders: ['X-Remote-Group', 'Groups'], extraHeaderPrefixes: ['X-Remote-', '1', 'extra'] },
    { usernameHeaders: [], uidHeaders: [], groupHeaders: [], extraHeaderPrefixes: [] },
  ];
  const raws = [
    ['Host', 'h', 'X-Remote-User', 'alice', 'X-Remote-Group', 'a', 'accept', '*/*', 'x-remote-group', 'b,c', 'X-REMOTE-GROUP', ''],
    ['X-Remote-Extra-Scopes', 'r', 'x-remote-extra-%41b', 'x', 'X-Remote-Extra-Scopes', 'w', 'X-Remote-Extra-ab', 'y', 'X-Remote-Extra-', 'empty key'],
    ['X-Remote-User', '', 'X-User', 'bob', 'X-Remote-User', 'carol', 'X-Remote-Uid', 'u-1', 'X-Remote-Uid', 'u-2'],
    ['12', 'twelve', 'X-Remote-Extra-2', 'two', '1a', 'x', '10', 'ten', 'Extras', 'e', 'groups', 'g1', 'Groups', 'g2'],
    ['Accept', 'a', 'User-Agent', 'ua', 'X-Forwarded-For', '10.0.0.1', 'Authorization', 'Bearer x'],
    [],
  ];
  for (const cfg of configs) {
    const names = identityHeaderNames(cfg);
    for (const raw of raws) {
      // What Node.js itself builds from the same raw header lines (the HTTP parser's call).
      const req = new IncomingMessage(new Socket());
      (req as unknown as { _addHeaderLines(h: string[], n: number): void })._addHeaderLines([...raw], raw.length);
      const distinct = req.headersDistinct;
      const expected = Object.keys(distinct).filter((k) => names.matches(k)).map((k) => [k, distinct[k]]);
      const fields = identityFields(raw, names);
      t.same(Object.keys(fields).map((k) => [k, fields[k]]), expected, `${JSON.stringify(cfg.extraHeaderPrefixes)} ${JSON.stringify(raw)}`);
      t.equal(Object.getPrototypeOf(fields), null, 'no prototype');
    }
    // HTTP/2: lowercase names; pseudo-headers are never fields, even under a ':' prefix.
    const withColon = identityHeaderNames({ ...cfg, extraHeaderPrefixes: [...cfg.extraHeaderPrefixes, ':'] });
    const h2 = identityFields([':method', 'GET', ':path', '/', 'x-remote-user', 'dave'], withColon);
    t.same(Object.keys(h2), withColon.matches('x-remote-user') ? ['x-remote-user'] : [], 'HTTP/2 pseudo-headers left out');
  }
});
