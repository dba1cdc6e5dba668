#!/usr/bin/env node
// Entry point: flags → app → run. Exit 2 for bad flags, 1 for start-up failures.

import { FlagError, FlagExit, parseOptions } from './options.js';

async function main(): Promise<void> {
  let options;
  try {
    options = parseOptions(process.argv.slice(2));
  } catch (e) {
    if (e instanceof FlagExit) {
      process.stdout.write(e.output);
      process.exit(0);
    }
    if (e instanceof FlagError) {
      process.stderr.write(`Error: ${e.message}\n`);
      process.exit(2);
    }
    throw e;
  }
  const { runApp } = await import('./app.js');
  await runApp(options);
}

main().catch((e: unknown) => {
  process.stderr.write(`Error: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
