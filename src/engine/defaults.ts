/** A run without summary.json whose metrics changed this recently counts as live. */
export const DEFAULT_LIVE_WINDOW_MS = 60_000;
