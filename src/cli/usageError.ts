import { EXIT } from '../engine/report.js';
import { cliContext } from './cliContext.js';
import { errorEnvelope } from './jsonEnvelope.js';

/** A usage error: one line saying what was wrong (and, for an unknown word, a short usage), exit 16. */
export function usageError(message: string, usage?: string): never {
  process.stderr.write(`trackio-fsck: ${message}\n`);
  if (usage) process.stderr.write(`${usage}\n`);
  if (cliContext.json) process.stdout.write(JSON.stringify(errorEnvelope(message, EXIT.usage), null, 2) + '\n');
  process.exit(EXIT.usage);
}
