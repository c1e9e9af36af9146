import type { PageSource } from './openPages.js';

/**
 * The pages on the freelist (trunk pages and the leaf pages they list), from the header's first
 * trunk. The chain is followed at most once around (a set of seen trunks) and each number is
 * checked against the database's size; a damaged trunk ends the list where it is.
 */
export function readFreelist(src: PageSource): Set<number> {
  const free = new Set<number>();
  const usable = src.header.usable;
  let trunk = src.header.freelistTrunk;
  const maxLeaves = usable / 4 - 2;
  while (trunk >= 2 && trunk <= src.pageCount && !free.has(trunk)) {
    const buf = src.page(trunk);
    if (!buf) break;
    free.add(trunk);
    const count = buf.readUInt32BE(4);
    if (count > maxLeaves) break;
    for (let i = 0; i < count; i++) {
      const leaf = buf.readUInt32BE(8 + 4 * i);
      if (leaf >= 2 && leaf <= src.pageCount) free.add(leaf);
    }
    trunk = buf.readUInt32BE(0);
  }
  return free;
}
