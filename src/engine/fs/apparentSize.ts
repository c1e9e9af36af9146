import { lstatSync } from 'node:fs';
import { join } from 'node:path';
import { fsPath } from './pathBytes.js';
import { walkTree } from './walkTree.js';

/** Sum of the sizes of the regular files at or under `path` (as `du --apparent-size -sb`; walkTree: symlinks not followed, names exact), `skip` left out. */
export async function apparentSize(path: string, skip?: string): Promise<number> {
  if (path === skip) return 0;
  const st = lstatSync(fsPath(path), { throwIfNoEntry: false });
  if (!st) return 0;
  if (st.isFile()) return st.size;
  if (!st.isDirectory()) return 0;
  let n = 0;
  for (const e of walkTree(path, { skip: (rel) => skip !== undefined && join(path, rel) === skip })) if (e.kind === 'file') n += e.stat.size;
  return n;
}
