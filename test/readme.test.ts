// The README's flag table is the user's reference: every flag the parser knows must be in it
// with its default and its --help text, and it must not document flags that do not exist.
// Flags accepted only for compatibility with upstream are listed on one line after the table
// instead.
import t from 'tap';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { COMPAT_FLAGS } from '../src/compat-flags.js';
import { FLAGS, longName } from '../src/options.js';
import { repoRoot } from './helpers/paths.js';

const readme = readFileSync(join(repoRoot, 'README.md'), 'utf8');
const rows = readme.split('\n').filter((l) => /^\| `-/.test(l));

t.test('every flag is documented with its default', async (t) => {
  for (const f of FLAGS) {
    const name = /--[a-z0-9-]+/.exec(f.flags)![0];
    const row = rows.find((r) => r.includes(`${name}\``));
    t.ok(row, `${name} documented`);
    if (!row) continue;
    const def = f.defaultText ?? (Array.isArray(f.default) ? f.default.join(',') : f.default === undefined ? '' : String(f.default));
    if (def !== '') t.ok(row.includes(`\`${def}\``), `${name} default ${def}`);
    // The description column is the --help text, word for word.
    t.equal(row.split(' | ')[2]?.replace(/ \|$/, ''), f.help, `${name} description is its help text`);
  }
});

t.test('no documented flag is unknown', async (t) => {
  const known = new Set(FLAGS.map((f) => /--[a-z0-9-]+/.exec(f.flags)![0]));
  for (const r of rows) {
    const name = /--[a-z0-9-]+/.exec(r)![0];
    t.ok(known.has(name), `${name} exists`);
  }
});

t.test('the compatibility flags are listed on their own line, and only they', async (t) => {
  const lines = readme.split('\n').filter((l) => l.startsWith('Accepted for compatibility with metrics-server'));
  t.equal(lines.length, 1, 'one "Accepted for compatibility" line');
  const listed = new Set([...(lines[0] ?? '').matchAll(/`(--[a-z0-9_-]+)[`=]/g)].map((m) => m[1]));
  t.same([...listed].sort(), COMPAT_FLAGS.map((f) => `--${longName(f.flags)}`).sort());
  for (const f of COMPAT_FLAGS) t.notOk(rows.some((r) => r.includes(`--${longName(f.flags)}\``)), `--${longName(f.flags)} kept out of the table`);
});
