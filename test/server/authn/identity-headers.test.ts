// Identity header names, compiled once per configuration, match exactly the
// names the per-request lowercasing matched.
import t from 'tap';
import { identityHeaderNames } from '../../../src/server/authn/identity-headers.js';

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
