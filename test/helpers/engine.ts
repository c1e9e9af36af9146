// Tests exercise the built engine (dist/), the same code the CLI runs.
export { check } from '../../dist/index.js';
export type { Finding } from '../../dist/index.js';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
export const validators = require('../../dist/generated/validators.cjs') as Record<string, ((d: unknown) => boolean) & { errors?: unknown }>;
