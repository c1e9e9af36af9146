/**
 * Bytes read so far, for a progress display inside large files: the readers report each chunk
 * here, and whoever listens (the CLI's progress bar) counts them. The engine never learns who
 * listens, or whether anyone does; with no listener a report is one comparison.
 */
let listener: ((bytes: number) => void) | undefined;

/** Listens to every chunk read from now on; returns the function that stops listening. */
export function onReadProgress(fn: (bytes: number) => void): () => void {
  listener = fn;
  return () => {
    if (listener === fn) listener = undefined;
  };
}

export function reportRead(bytes: number): void {
  listener?.(bytes);
}
