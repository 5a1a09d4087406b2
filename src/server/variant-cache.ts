/**
 * A small cache of outputs built on request (a feed with a non-default `?limit=`, an old digest day).
 * It caches the promise, so concurrent requests for the same variant share one build instead of
 * stampeding the store (the RSSHub lesson, architecture.md section 8), keeps at most `max` entries
 * (oldest out first), and `clear()` drops everything when a rebuild makes them stale (a build in flight
 * during a clear still answers its callers but is not kept).
 */

/** The on-demand cache. */
export interface VariantCache<T> {
  /** The cached value for `id`, else the result of `make()` (shared by concurrent callers). */
  get(id: string, make: () => Promise<T>): Promise<T>;
  clear(): void;
}

/** Creates a cache holding at most `max` variants. */
export function createVariantCache<T>(max: number): VariantCache<T> {
  const entries = new Map<string, Promise<T>>();
  return {
    get(id, make) {
      const hit = entries.get(id);
      if (hit !== undefined) return hit;
      const promise = make();
      if (entries.size >= max) {
        const oldest = entries.keys().next().value;
        if (oldest !== undefined) entries.delete(oldest);
      }
      entries.set(id, promise);
      promise.catch(() => {
        // A failed build is not cached: the next request tries again.
        if (entries.get(id) === promise) entries.delete(id);
      });
      return promise;
    },
    clear() {
      entries.clear();
    },
  };
}
