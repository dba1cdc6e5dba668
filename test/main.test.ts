// The binary's exit codes and stderr for flags from upstream metrics-server.
import t from 'tap';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { repoRoot } from './helpers/paths.js';

const MAIN = join(repoRoot, 'dist', 'src', 'main.js');

function run(args: string[]): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [MAIN, ...args], { timeout: 20_000 }, (err, _stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : null) : 0, stderr });
    });
  });
}

t.test('an audit flag exits 2 with one line naming the flag and the reason', async (t) => {
  const r = await run(['--metric-resolution=15s', '--audit-log-path=/var/log/audit.log']);
  t.equal(r.code, 2);
  t.equal(r.stderr, 'Error: flag --audit-log-path: audit logging is not supported by metrics-server-ts\n');
});

t.test('upstream logging flags are accepted and named in one start-up warning', async (t) => {
  // A kubeconfig that cannot load stops start-up right after the flags were read and logged.
  const r = await run(['--kubeconfig=/nonexistent/kubeconfig', '--logtostderr', '--log_dir=/tmp', '--v=2', '--profiling', '--permit-port-sharing']);
  t.equal(r.code, 1, 'a start-up failure, not a flag error');
  const warnings = r.stderr.split('\n').filter((l) => l.includes('WARN'));
  t.equal(warnings.length, 1, 'one warning');
  t.match(warnings[0], /WARN: accepted for compatibility with metrics-server and ignored: --log_dir, --profiling /);
  t.match(r.stderr, /Error: --kubeconfig: cannot load \/nonexistent\/kubeconfig/);
});
