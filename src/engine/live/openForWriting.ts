import { openFiles } from './openFiles.js';

/** Absolute paths under `under` that some other process holds open for writing (see openFiles). */
export async function openForWriting(under: string): Promise<Set<string>> {
  return new Set((await openFiles(under, { writableOnly: true })).map((h) => h.path));
}
