import { createRequire } from 'node:module';

/** A precompiled ajv validator (see scripts/compile-schemas.mjs). */
export interface Validator {
  (data: unknown): boolean;
  errors?: Array<{ instancePath: string; message?: string; keyword: string }> | null;
}

interface Compiled {
  config: Validator;
  metricsLine: Validator;
  summary: Validator;
  report: Validator;
}

// Generated at build time into dist/generated; loaded with require because ajv's
// standalone output is CommonJS, and only on first use: a command that validates nothing (check
// of an empty data dir, du, backups list) does not pay for ajv-formats at start-up.
const require = createRequire(import.meta.url);
let compiled: Compiled | undefined;
const load = (): Compiled => (compiled ??= require('../generated/validators.cjs') as Compiled);
export const validators: Compiled = {
  get config() {
    return load().config;
  },
  get metricsLine() {
    return load().metricsLine;
  },
  get summary() {
    return load().summary;
  },
  get report() {
    return load().report;
  },
};

/** "/step must be integer" — the first error of the last validation, in a person's words. */
export function firstError(validate: Validator): string {
  const err = validate.errors?.[0];
  if (!err) return 'does not match the schema';
  return `${err.instancePath || '(document)'} ${err.message ?? err.keyword}`;
}
