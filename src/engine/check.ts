import type { CheckEvent, CheckOptions, CheckResult } from './CheckOptions.js';
import { DEFAULT_LIVE_WINDOW_MS } from './defaults.js';
import { findDataDir } from './layouts/findDataDir.js';
import { layoutNamed } from './layouts/index.js';

export { DEFAULT_LIVE_WINDOW_MS };
export type { CheckEvent, CheckOptions, CheckResult };

/**
 * Checks a data dir read-only: every file of every unit read once, hashed, parsed and validated,
 * by the layout that reads it. Progress and findings go to `onEvent` as they happen; the engine
 * never touches a terminal.
 */
export async function check(dir: string | undefined, options: CheckOptions = {}, onEvent?: (e: CheckEvent) => void): Promise<CheckResult> {
  const found = findDataDir(dir, { env: options.env, cwd: options.cwd });
  return layoutNamed(found.layout).scan(found, options, onEvent);
}
