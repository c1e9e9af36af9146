import { TOOL, VERSION } from '../engine/version.js';
import { cliContext } from './cliContext.js';

/** What every `--json` document starts with (schemas/json/envelope.schema.json). */
export interface Envelope {
  tool: string;
  version: string;
  command: string;
  exitCode: number;
  [field: string]: unknown;
}

/**
 * One envelope for every command: tool, version, command and exitCode first, then the command's
 * own fields as they were (users' scripts read check's `summary` and `findings` at the top level).
 */
export function envelope(doc: object, exitCode?: number): Envelope {
  const { tool: _tool, version: _version, command: _command, exitCode: own, ...fields } = doc as Record<string, unknown>;
  return { tool: TOOL, version: VERSION, command: cliContext.command, exitCode: exitCode ?? (typeof own === 'number' ? own : 0), ...fields };
}

/** The JSON form of a failure: the same envelope with `error`, the line a person would read. */
export function errorEnvelope(message: string, exitCode: number): Envelope {
  return { tool: TOOL, version: VERSION, command: cliContext.command, exitCode, error: message };
}
