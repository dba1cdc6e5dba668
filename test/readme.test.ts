// The README's flag table is the user's reference: every flag the parser knows must be in it
// with its default, and it must not document flags that do not exist.
import t from 'tap';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FLAGS } from '../src/options.js';
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
  }
});

t.test('no documented flag is unknown', async (t) => {
  const known = new Set(FLAGS.map((f) => /--[a-z0-9-]+/.exec(f.flags)![0]));
  for (const r of rows) {
    const name = /--[a-z0-9-]+/.exec(r)![0];
    t.ok(known.has(name), `${name} exists`);
  }
});
