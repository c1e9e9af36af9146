/**
 * Runs `fn` over `items`, `limit` at a time. The first failure stops new work; the ones in flight
 * are waited for (so the caller can clean up a tree nobody is still writing), then it is thrown.
 */
export async function forEachConcurrently<T>(items: T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  let error: unknown;
  let failed = false;
  const workers = Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, async () => {
    while (!failed && next < items.length) {
      try {
        await fn(items[next++]!);
      } catch (err) {
        if (!failed) error = err;
        failed = true;
      }
    }
  });
  await Promise.all(workers);
  if (failed) throw error;
}
