/** Bounded concurrency for independent async work (store writes, schedule firing, per-record handlers). */

export interface MapLimitOptions {
  /**
   * Run every item even after one fails (the first error is thrown once all are done): for clean-up that must not
   * stop half-way, e.g. withdrawing a cancelled campaign's schedules. Default: no new item starts after a failure.
   */
  keepGoing?: boolean;
}

/**
 * Run `fn` over `items` with at most `limit` in flight. On the first failure no new item starts (unless `keepGoing`);
 * the calls in flight are awaited, then the first error is thrown (nothing keeps writing after the caller saw the
 * failure).
 */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (t: T) => Promise<R>, options: MapLimitOptions = {}): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  let failure: { error: unknown } | undefined;
  const worker = async () => {
    while ((options.keepGoing || !failure) && next < items.length) {
      const i = next++;
      try {
        out[i] = await fn(items[i] as T);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  if (failure) throw failure.error;
  return out;
}
