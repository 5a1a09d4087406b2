/**
 * The image proxy's memory: a small least-recently-used cache of proxied images, bounded by the bytes of
 * their bodies, holding each image as a ready representation (body, ETag, Last-Modified, headers) so a
 * hit answers 200 or 304 without contacting the CDN; and a map of fetches in flight, so concurrent
 * requests for one image share a single upstream request instead of stampeding it.
 */

import type { Representation } from "../publish/representation.ts";

/** The cache. */
export interface ImageCache {
  /** The cached image for `key` (marking it recently used), else the shared result of `fetch()`. */
  get(key: string, fetch: () => Promise<Representation>): Promise<Representation>;
  /** Bytes of the bodies held now. */
  readonly bytes: number;
}

/** Creates a cache holding at most `maxBytes` of image bodies (0 disables keeping). */
export function createImageCache(maxBytes: number): ImageCache {
  // A Map iterates in insertion order: re-inserting on every hit keeps the least recently used first.
  const entries = new Map<string, Representation>();
  const inflight = new Map<string, Promise<Representation>>();
  let bytes = 0;

  const keep = (key: string, rep: Representation): void => {
    if (rep.body.length > maxBytes) return;
    for (const [oldKey, old] of entries) {
      if (bytes + rep.body.length <= maxBytes) break;
      entries.delete(oldKey);
      bytes -= old.body.length;
    }
    entries.set(key, rep);
    bytes += rep.body.length;
  };

  return {
    get(key, fetch) {
      const hit = entries.get(key);
      if (hit !== undefined) {
        entries.delete(key);
        entries.set(key, hit);
        return Promise.resolve(hit);
      }
      const pending = inflight.get(key);
      if (pending !== undefined) return pending;
      const promise = fetch().then(
        (rep) => {
          inflight.delete(key);
          keep(key, rep);
          return rep;
        },
        (error: unknown) => {
          inflight.delete(key);
          throw error;
        },
      );
      inflight.set(key, promise);
      return promise;
    },
    get bytes() {
      return bytes;
    },
  };
}
