// A small file system that fills up: a tmpfs (root only), filled to the last byte or to a chosen
// number of free bytes, so "disk full" is a real ENOSPC from the kernel, not a mock.
import { spawnSync } from 'node:child_process';
import { closeSync, ftruncateSync, fstatSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach } from 'vitest';
import { tempDir } from './cli.js';

const mounts: string[] = [];
afterEach(() => {
  for (const m of mounts.splice(0)) spawnSync('umount', ['-l', m]);
});

/** A tmpfs of `size` (e.g. '4m'); undefined when it cannot be mounted (not root). */
export function smallDisk(size: string): string | undefined {
  const dir = join(tempDir(), 'disk');
  mkdirSync(dir);
  const r = spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', dir]);
  if (r.status !== 0) return undefined;
  mounts.push(dir);
  return dir;
}

/** Whether this process can mount a tmpfs (root in a container that allows it). */
export const canMount = (() => {
  if (process.getuid?.() !== 0) return false;
  const probe = smallDisk('64k');
  if (probe) spawnSync('umount', [probe]);
  mounts.length = 0;
  return probe !== undefined;
})();

/**
 * Fills the file system holding `dir` with a file `filler`, then gives `free` bytes back (tmpfs
 * frees whole pages on truncate, so the free space is `free` rounded to 4 KiB). Returns the filler.
 */
export function fill(dir: string, free = 0): string {
  const filler = join(dir, 'filler');
  const fd = openSync(filler, 'w');
  const block = Buffer.alloc(64 * 1024, 1);
  try {
    try {
      for (;;) writeSync(fd, block);
    } catch {
      for (;;) {
        try {
          if (writeSync(fd, block, 0, 1) === 0) break;
        } catch {
          break;
        }
      }
    }
    if (free > 0) ftruncateSync(fd, Math.max(0, fstatSync(fd).size - free));
  } finally {
    closeSync(fd);
  }
  return filler;
}
