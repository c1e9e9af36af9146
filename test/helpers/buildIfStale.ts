import { execFileSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '..', '..');

/** Newest modification time of the files under `dir` (0 when it does not exist). */
function newest(dir: string): number {
  let max = 0;
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return 0;
  }
  for (const e of entries) {
    if (e.name === 'generated') continue;
    const p = join(dir, e.name);
    max = Math.max(max, e.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }
  return max;
}

/**
 * End-to-end tests spawn bin/trackio-fsck.js, which runs dist/: when src/ or schemas/ changed since the
 * last build, build first, so a bare `npx vitest` never tests an old build.
 */
export default function setup(): void {
  const built = (() => {
    try {
      return statSync(join(ROOT, 'dist', 'index.js')).mtimeMs;
    } catch {
      return 0;
    }
  })();
  if (Math.max(newest(join(ROOT, 'src')), newest(join(ROOT, 'schemas'))) > built) {
    execFileSync('npm', ['run', 'build', '--silent'], { cwd: ROOT, stdio: 'inherit' });
  }
}
