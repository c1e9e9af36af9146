import type { Layout, LayoutName } from './Layout.js';
import { runDirectory } from './runDirectory/runDirectory.js';
import { trackioSqlite } from './trackioSqlite/trackioSqlite.js';

/** Every layout, in the order they are tried on a folder: a folder holding runs/ is read as run directories. */
export const LAYOUTS: readonly Layout[] = [runDirectory, trackioSqlite];

export function layoutNamed(name: LayoutName | string): Layout {
  const layout = LAYOUTS.find((l) => l.name === name);
  if (!layout) throw new Error(`unknown layout ${name}`);
  return layout;
}
