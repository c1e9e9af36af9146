// Tests exercise the built engine (dist/), the same code the CLI runs.
export { check } from '../../src/index.js';
export type { Finding } from '../../src/index.js';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
export const validators = require('../../src/generated/validators.cjs') as Record<string, ((d: unknown) => boolean) & { errors?: unknown }>;
