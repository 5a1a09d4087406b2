/**
 * A small cache of outputs built on request (a feed with request parameters, an old digest day).
 * It caches the promise, so concurrent requests for the same variant share one build instead of
 * stampeding the store (the RSSHub lesson, architecture.md section 8), keeps at most `max` entries and,
 * when `maxBytes` is given, at most that many bytes of built values (oldest out first; the newest entry
 * always stays), and `clear()` drops everything when a rebuild makes them stale (a build in flight
 * during a clear still answers its callers but is not kept).
 */

/** The on-demand cache. */
export interface VariantCache<T> {
  /** The cached value for `id`, else the result of `make()` (shared by concurrent callers). */
  get(id: string, make: () => Promise<T>): Promise<T>;
  clear(): void;
}

/** A byte budget: the total `sizeOf` of the built values kept. */
export interface ByteBudget<T> {
  readonly maxBytes: number;
  sizeOf(value: T): number;
}

/** Creates a cache holding at most `max` variants (and at most `budget.maxBytes` when given). */
export function createVariantCache<T>(max: number, budget?: ByteBudget<T>): VariantCache<T> {
  const entries = new Map<string, Promise<T>>();
  const sizes = new Map<string, number>();
  let bytes = 0;

  const remove = (id: string): void => {
    entries.delete(id);
    bytes -= sizes.get(id) ?? 0;
    sizes.delete(id);
  };

  const shrink = (): void => {
    if (budget === undefined) return;
    for (const id of entries.keys()) {
      if (bytes <= budget.maxBytes || entries.size <= 1) return;
      remove(id);
    }
  };

  return {
    get(id, make) {
      const hit = entries.get(id);
      if (hit !== undefined) return hit;
      const promise = make();
      if (entries.size >= max) {
        const oldest = entries.keys().next().value;
        if (oldest !== undefined) remove(oldest);
      }
      entries.set(id, promise);
      promise.then(
        (value) => {
          if (entries.get(id) !== promise || budget === undefined) return;
          const size = budget.sizeOf(value);
          sizes.set(id, size);
          bytes += size;
          shrink();
        },
        () => {
          // A failed build is not cached: the next request tries again.
          if (entries.get(id) === promise) remove(id);
        },
      );
      return promise;
    },
    clear() {
      entries.clear();
      sizes.clear();
      bytes = 0;
    },
  };
}
