/**
 * Where an article's body comes from: the record itself while the article is in the feed window, else
 * its archive file (the packed form keeps no body; see `article-record.ts`). Every store read that hands
 * out a `StoredArticle` completes the record here, so callers never see which form it was stored in.
 */
import { readFile } from "node:fs/promises";
import { StoreError } from "../errors.ts";
import type { StoredArticle } from "../model.ts";
import type { ArticleRecord } from "./article-record.ts";

/** The record as a `StoredArticle`, its document read from the archive file when Redis holds none. */
export async function readWithBody(record: ArticleRecord): Promise<StoredArticle> {
  const { bytes: _bytes, document, ...rest } = record;
  if (document !== null) return { ...rest, document };
  const text = await readFile(record.archivePath, "utf8").catch(() => null);
  if (text === null) {
    throw new StoreError(
      "STORE_UNAVAILABLE",
      `store: archived body of ${record.key} missing: ${record.archivePath}`,
      { key: record.key },
    );
  }
  return { ...rest, document: text };
}

/** Completes many records (archive reads run in parallel; Redis bodies need none). */
export function readAllWithBody(records: readonly ArticleRecord[]): Promise<StoredArticle[]> {
  return Promise.all(records.map(readWithBody));
}
