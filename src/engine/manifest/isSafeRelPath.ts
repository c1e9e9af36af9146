/**
 * True when a manifest path stays inside the directory it is relative to: not absolute, no `..`,
 * `.` or empty segment, no NUL. Such a path can be joined to the data dir without escaping it
 * (symbolic links are a separate matter: callers resolve them before opening).
 */
export function isSafeRelPath(path: string): boolean {
  if (path === '' || path.startsWith('/') || path.includes('\0')) return false;
  for (const segment of path.split('/')) {
    if (segment === '' || segment === '.' || segment === '..') return false;
  }
  return true;
}
