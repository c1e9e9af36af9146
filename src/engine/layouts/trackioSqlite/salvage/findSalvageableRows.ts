import { openDbFile } from './DbFile.js';
import { openPages } from './openPages.js';
import { readBtreePage } from './readBtreePage.js';
import { scanDatabase } from './scanDatabase.js';

/**
 * How many row cells the table-leaf pages of a file SQLite refuses still hold (0: nothing to
 * salvage), read page by page without decoding them: what decides whether check offers a salvage
 * or only a restore from a snapshot.
 */
export function findSalvageableRows(path: string): number {
  const file = openDbFile(path);
  try {
    if (file.size < 512) return 0;
    const scan = scanDatabase(openPages(file));
    let cells = 0;
    const count = (n: number) => {
      const buf = scan.src.page(n);
      const page = buf && readBtreePage(buf, scan.src.header.usable, n === 1 ? 100 : 0);
      if (page) cells += page.cells.length;
    };
    for (const [name, walk] of scan.trees) if (!name.startsWith('sqlite_')) walk.leaves.forEach(count);
    for (const n of scan.orphans) if (!scan.freelist.has(n)) count(n);
    return cells;
  } finally {
    file.close();
  }
}
