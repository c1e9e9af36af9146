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
// standalone output is CommonJS.
const require = createRequire(import.meta.url);
export const validators = require('../generated/validators.cjs') as Compiled;

/** "/step must be integer" — the first error of the last validation, in a person's words. */
export function firstError(validate: Validator): string {
  const err = validate.errors?.[0];
  if (!err) return 'does not match the schema';
  return `${err.instancePath || '(document)'} ${err.message ?? err.keyword}`;
}
