/**
 * `wechat-feed reindex`: rebuilds Redis from `<dataDir>/articles/`, the source of truth. Every archive
 * file is read and stored again through the ingest path (`ingest.ts`) under the key of its file name. The files
 * were written by us, so their bodies are taken as written (not cleaned again: cleaning could drop an
 * article line that looks like page chrome, and the content hash must stay the one the fetch stored).
 *
 * A document holds no source id and no page metadata. When Redis still has the article, its source id,
 * account, author, description, show type and (for the same date) publish instant are kept; otherwise
 * the source id is the configured source whose name is the document's `source`, else a fallback id,
 * and `publishedAt` is Beijing midnight of `date` (see store-document.ts). Unreadable files are counted
 * and logged at debug. When two files carry one key (a crash between writing a moved file and removing
 * the old one), the later one in date order wins and the other is left alone.
 */

import type { Logger } from "../logger.ts";
import type { StoredArticle } from "../model.ts";
import { readDocument } from "../parsers/front-matter.ts";
import { type ArchiveEntry, listArchiveFiles } from "../store/archive.ts";
import type { ArticleStore } from "../store/article-store.ts";
import { describeError } from "../store/guard.ts";
import { mapLimit, readTextFile } from "./import-files.ts";
import { type IngestDeps, ingestDocument } from "./ingest.ts";
import {
  buildStoredDocument,
  isTruncatedStoredBody,
  type KeptMetadata,
  type PreparedDocument,
} from "./store-document.ts";

/** The source id of re-indexed articles whose source is unknown, when none is given. */
export const REINDEX_SOURCE_ID = "archive";

/** What a reindex needs. */
export interface ReindexDeps extends IngestDeps {
  readonly store: ArticleStore;
  readonly dataDir: string;
  readonly logger: Logger;
  /** The configured source id whose display name is `name`, if any. */
  findSourceId(name: string): string | undefined;
  /** Called after each article stored or updated. */
  onArticleChanged?(key: string): Promise<void>;
  onProgress?(done: number, total: number): void;
}

/** The counts of a reindex; `articles` = stored + updated + unchanged. */
export interface ReindexSummary {
  readonly articles: number;
  readonly stored: number;
  readonly updated: number;
  readonly unchanged: number;
  readonly unreadable: number;
  /** Files left alone because a later file carries the same key. */
  readonly shadowed: number;
}

const CONCURRENCY = 16;

/** The summary's last line, exactly as the CLI prints it. */
export function formatReindexSummary(s: ReindexSummary): string {
  return `reindex: articles=${s.articles} unreadable=${s.unreadable}`;
}

/** Page metadata worth keeping from an earlier record of the same article. */
function keptFrom(existing: StoredArticle | null, date: string): KeptMetadata | undefined {
  if (existing === null) return undefined;
  return {
    // An instant on another day would contradict the archive's date, which wins.
    ...(existing.date === date ? { publishedAt: existing.publishedAt } : {}),
    account: existing.account,
    author: existing.author,
    description: existing.description,
    itemShowType: existing.itemShowType,
  };
}

/** Rebuilds the store from the archive; resolves to the counts. Redis or disk failures throw. */
export async function reindexArchive(
  options: { readonly fallbackSourceId: string },
  deps: ReindexDeps,
): Promise<ReindexSummary> {
  const byKey = new Map<string, ArchiveEntry>();
  let total = 0;
  for await (const entry of listArchiveFiles(deps.dataDir)) {
    total++;
    byKey.set(entry.key, entry); // later dates overwrite earlier ones
  }
  const counts = { stored: 0, updated: 0, unchanged: 0, unreadable: 0 };
  let done = 0;
  await mapLimit([...byKey.values()], CONCURRENCY, async (entry) => {
    const fail = (reason: string) => {
      counts.unreadable++;
      deps.logger.debug({ file: entry.path, reason }, "archive file unreadable");
    };
    const read = await readTextFile(entry.path);
    if (!read.ok) fail(read.reason);
    else {
      const existing = await deps.store.readArticle(entry.key);
      let prepared: PreparedDocument | null = null;
      try {
        const doc = readDocument(read.text);
        prepared = buildStoredDocument(
          { ...doc, truncated: isTruncatedStoredBody(doc.body) },
          {
            key: entry.key,
            sourceId: existing?.sourceId ?? deps.findSourceId(doc.source.trim()) ?? options.fallbackSourceId,
            storedAt: deps.now(),
            keep: keptFrom(existing, doc.date.trim()),
          },
          deps.dataDir,
        );
      } catch (error) {
        fail(describeError(error));
      }
      if (prepared !== null) {
        const saved = await ingestDocument(deps, prepared, { path: entry.path, text: read.text });
        counts[saved.outcome]++;
        if (saved.outcome !== "unchanged") await deps.onArticleChanged?.(saved.key);
      }
    }
    deps.onProgress?.(++done, byKey.size);
  });
  const articles = counts.stored + counts.updated + counts.unchanged;
  return { ...counts, articles, shadowed: total - byKey.size };
}
