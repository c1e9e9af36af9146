/** The errno codes that mean "the file system refused", each said in a few words. */
const REFUSALS: Record<string, string> = {
  ENOSPC: 'no space left on the device',
  EDQUOT: 'disk quota exceeded',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EROFS: 'read-only file system',
  ENOTDIR: 'a path component is not a directory',
  EISDIR: 'is a directory',
  EFBIG: 'file too large',
};

/**
 * One line for an error the file system raised (disk full, permissions, read-only, a file where a
 * folder should be): what, which file, and the data's state as the command last declared it.
 * Undefined for any other error.
 */
export function describeIoError(err: unknown, state: string | undefined): string | undefined {
  const e = err as (NodeJS.ErrnoException & { dest?: string }) | undefined;
  const what = e?.code ? REFUSALS[e.code] : undefined;
  if (!what) return undefined;
  const file = e!.path ? `${e!.syscall ? `${e!.syscall} ` : ''}${e!.path}${e!.dest ? ` -> ${e!.dest}` : ''}` : e!.syscall;
  return `${what} (${e!.code}${file ? `: ${file}` : ''})${state ? `: ${state}` : ''}`;
}
