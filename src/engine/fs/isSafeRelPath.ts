/** An empty, `.` or `..` segment (which includes a leading `/`, `//` and a trailing `/`), or a NUL. */
const UNSAFE = /(?:^|\/)\.{0,2}(?:\/|$)|\0/;

/**
 * True when a manifest path stays inside the directory it is relative to: not absolute, no `..`,
 * `.` or empty segment, no NUL. Such a path can be joined to the data dir without escaping it
 * (symbolic links are a separate matter: callers resolve them before opening).
 */
export function isSafeRelPath(path: string): boolean {
  return !UNSAFE.test(path);
}
