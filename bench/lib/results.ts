// Benchmark results: printed as a table and written to bench/results/<name>.json.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

function repoRoot(): string {
  // dist/bench/lib/results.js → repository root
  return join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
}

export const resultsDir = join(repoRoot(), 'bench', 'results');

export function writeResult(name: string, data: object): void {
  mkdirSync(resultsDir, { recursive: true });
  writeFileSync(join(resultsDir, `${name}.json`), JSON.stringify(data, null, 2) + '\n');
}

export function printTable(title: string, rows: Record<string, string | number>[]): void {
  process.stdout.write(`\n== ${title}\n`);
  if (rows.length === 0) return;
  const cols = Object.keys(rows[0]!);
  const fmt = (v: string | number) => (typeof v === 'number' ? (Number.isInteger(v) ? String(v) : v.toFixed(3)) : v);
  const widths = cols.map((c) => Math.max(c.length, ...rows.map((r) => fmt(r[c] ?? '').length)));
  const line = (vals: string[]) => vals.map((v, i) => v.padEnd(widths[i]!)).join('  ');
  process.stdout.write(line(cols) + '\n');
  for (const r of rows) process.stdout.write(line(cols.map((c) => fmt(r[c] ?? ''))) + '\n');
}

export function round(v: number, digits = 3): number {
  const f = 10 ** digits;
  return Math.round(v * f) / f;
}
