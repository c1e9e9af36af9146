/**
 * What main.ts learnt from the command line before yargs ran: which command, and whether output
 * is JSON. runCommand and the usage-error path read it, so a failure under --json is JSON too and
 * names the command that failed.
 */
export interface CliContext {
  command: string;
  json: boolean;
  quiet: boolean;
}

export const cliContext: CliContext = { command: 'check', json: false, quiet: false };
