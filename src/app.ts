// Composition root: builds every part from the options and wires them.
import type { Options } from './options.js';
import { createLogger } from './log.js';

export async function runApp(options: Options): Promise<void> {
  const log = createLogger(options.verbosity, options.loggingFormat);
  log.info({ securePort: options.securePort }, 'metrics-server starting');
}
