// Churn: every pod of the simulated cluster is deleted and replaced by a new one
// (new name, new uid) `rounds` times; after each round we wait for the scrape
// ticks that see the new pods and read the server's RSS from /proc.
import type { ServerProcess, SimProcess } from './lib/children.js';
import { rssMiB } from './lib/proc.js';
import { round } from './lib/results.js';

export interface ChurnRow extends Record<string, string | number> {
  round: number;
  replaced: number;
  churn_ms: number;
  pods_in_tick: number;
  rss_mb: number;
}

export interface ChurnResult {
  rssBefore: number;
  rows: ChurnRow[];
  /** RSS after the last round / RSS after round 1 − 1. */
  growth: number;
}

export async function runChurn(sim: SimProcess, server: ServerProcess, resolutionSec: number, rounds: number, ticksPerRound: number): Promise<ChurnResult> {
  const rssBefore = rssMiB(server.pid);
  const rows: ChurnRow[] = [];
  const R = resolutionSec * 1000;
  for (let i = 1; i <= rounds; i++) {
    const c = await sim.churn(120_000);
    let after = performance.now();
    let tick = await server.waitForTickStartingAfter(after, 3 * R + 30_000);
    for (let t = 1; t < ticksPerRound; t++) {
      after = tick.at;
      tick = await server.waitForTickStartingAfter(after, 3 * R + 30_000);
    }
    rows.push({ round: i, replaced: c.replaced, churn_ms: Math.round(c.ms), pods_in_tick: tick.pods, rss_mb: round(rssMiB(server.pid), 1) });
  }
  return { rssBefore: round(rssBefore, 1), rows, growth: round(rows[rows.length - 1]!.rss_mb / rows[0]!.rss_mb - 1, 4) };
}
