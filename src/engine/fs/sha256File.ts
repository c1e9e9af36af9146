import { readFileOnce } from './readFileOnce.js';

/** SHA-256 (hex) and size of a file, read once, read-only. */
export async function sha256File(path: string): Promise<{ sha256: string; size: number }> {
  const { sha256, size } = await readFileOnce(path);
  return { sha256, size };
}
