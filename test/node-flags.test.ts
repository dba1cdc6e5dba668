// The server's V8 flags are set where V8 reads them: the container entrypoint and
// `npm start`. Both must carry exactly SERVER_NODE_FLAGS (benchmarks and the demo use the constant).
import t from 'tap';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SERVER_NODE_FLAGS } from '../src/node-flags.js';
import { repoRoot } from './helpers/paths.js';

t.test('npm start and the image entrypoint run node with the server flags', async (t) => {
  const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { scripts: Record<string, string>; bin: Record<string, string> };
  t.equal(pkg.scripts['start'], ['node', ...SERVER_NODE_FLAGS, pkg.bin['metrics-server']].join(' '));
  const dockerfile = readFileSync(join(repoRoot, 'Dockerfile'), 'utf8');
  const entrypoint = /^ENTRYPOINT (\[.*\])$/m.exec(dockerfile);
  t.ok(entrypoint, 'exec-form ENTRYPOINT');
  const argv = JSON.parse(entrypoint![1]!) as string[];
  t.same(argv.slice(1, -1), [...SERVER_NODE_FLAGS], 'flags between node and the script');
});
