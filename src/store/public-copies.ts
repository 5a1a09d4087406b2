/**
 * Static copies of the published outputs under `<dataDir>/public/` (every row of publish/output-table.ts
 * with a file: feed.*, feeds/<id>.*, tags/<tag>.*, opml.xml, digest.*, digests/<day>.html) for users who
 * serve files with their own web server. Each file is
 * written to a temporary name beside it and renamed, so a reader never sees half a feed; a file whose
 * bytes did not change since the last write is skipped. Relative paths come from validated source ids,
 * tags and days only, and are re-checked to stay under the public directory.
 */

import path from "node:path";
import { writeFileAtomic } from "./atomic-file.ts";

/** Writes changed files atomically; remembers what it wrote by ETag. */
export interface PublicCopies {
  /** Writes every entry whose ETag differs from the last write; returns how many files were written. */
  write(files: ReadonlyMap<string, { readonly body: Buffer; readonly etag: string }>): Promise<number>;
}

/** Creates the static-copy writer for `publicDir` (usually `<dataDir>/public`). */
export function createPublicCopies(publicDir: string): PublicCopies {
  const root = path.resolve(publicDir);
  const written = new Map<string, string>();
  return {
    async write(files) {
      let count = 0;
      for (const [relative, { body, etag }] of files) {
        if (written.get(relative) === etag) continue;
        const file = path.resolve(root, relative);
        if (path.relative(root, file).startsWith("..") || path.isAbsolute(path.relative(root, file))) {
          throw new RangeError(`public-copies: path escapes the public dir: ${relative}`);
        }
        await writeFileAtomic(file, body, "public-copies");
        written.set(relative, etag);
        count += 1;
      }
      return count;
    },
  };
}
