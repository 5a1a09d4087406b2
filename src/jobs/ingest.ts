/**
 * The one ingest path. Fetching, importing and reindexing all store an article through `ingestDocument`,
 * and its success means both Redis and the archive hold the document: Redis decides first (an atomic
 * upsert by article key and content hash that also marks the article archive-pending), then the file is
 * written from the same text and the mark is cleared. A failed write throws STORE_WRITE, so a job fails
 * and is retried instead of reporting `completed`, and the mark keeps the article visible to the repair
 * sweep (`archive-repair.ts`) until a write succeeds. `ensureArchived` is the same guarantee for an
 * article Redis already has: a duplicate is only a duplicate once its file is on disk.
 * A process without an archive (`archive: null`, `worker.archive: false`) stops after the Redis step: its
 * store appended the change to the archive stream in that same step, and the archiver role finishes it
 * through `ensureArchived` (`archive-stream-consumer.ts`), so success there means Redis holds the document
 * and the archiver is bound to write it.
 */
import type { StoredArticle } from "../model.ts";
import type { ArchiveFiles } from "../store/archive.ts";
import type { ArchiveHealth } from "../store/archive-health.ts";
import type { ArticleStore, SaveOutcome } from "../store/article-store.ts";
import { describeError } from "../store/guard.ts";
import type { CurrentFile, PreparedDocument } from "./store-document.ts";

/** What the ingest path writes to. */
export interface IngestDeps {
  readonly store: ArticleStore;
  /** The archive files; null in a process that leaves them to the archiver role. */
  readonly archive: ArchiveFiles | null;
  /** Where failed and recovered writes are recorded for status and health; absent in some tools. */
  readonly archiveHealth?: ArchiveHealth;
  now(): number;
}

/** What storing a document did, and where its archive file is. */
export interface IngestResult {
  readonly outcome: SaveOutcome;
  readonly key: string;
  readonly path: string;
}

/** Writes one archive file, recording the archive's health either way. */
async function writeFile(
  deps: IngestDeps & { readonly archive: ArchiveFiles },
  date: string,
  key: string,
  text: string,
): Promise<void> {
  try {
    await deps.archive.write(date, key, text);
  } catch (error) {
    await deps.archiveHealth?.recordFailure(deps.now(), describeError(error));
    throw error;
  }
  await deps.archiveHealth?.recordSuccess(deps.now());
}

/**
 * Makes sure the archive holds `stored`'s document: rewrites it when the article is archive-pending or
 * the file is missing or of another size, then confirms it. `current` is the file the document was read
 * from (reindex), which needs no write when it already holds the text. Resolves true when it wrote.
 * Without an archive it does nothing: the archiver owns the file.
 */
export async function ensureArchived(
  deps: IngestDeps,
  stored: StoredArticle,
  current?: CurrentFile,
): Promise<boolean> {
  const { archive } = deps;
  if (archive === null) return false;
  const pending = await deps.store.isArchivePending(stored.key);
  const inPlace = current?.path === stored.archivePath && current.text === stored.document;
  if (!pending && inPlace) return false;
  if (!pending && (await archive.size(stored.archivePath)) === Buffer.byteLength(stored.document)) {
    return false;
  }
  if (!inPlace) await writeFile({ ...deps, archive }, stored.date, stored.key, stored.document);
  await deps.store.markArchived(stored.key, stored.contentHash);
  return !inPlace;
}

/**
 * Stores a prepared document in Redis and the archive. `current` is the file it was read from, if any
 * (reindex): it is not rewritten when it already holds the text at the right path, and is removed when
 * the article's path moved. Throws STORE_* errors; nothing is reported stored unless both hold it.
 */
export async function ingestDocument(
  deps: IngestDeps,
  prepared: PreparedDocument,
  current?: CurrentFile,
): Promise<IngestResult> {
  const { article, text } = prepared;
  const { outcome, previousPath } = await deps.store.saveArticle(article);
  if (outcome === "unchanged") {
    const stored = await deps.store.readArticle(article.key);
    if (stored !== null) await ensureArchived(deps, stored, current);
    return { outcome, key: article.key, path: stored?.archivePath ?? article.archivePath };
  }
  const path = article.archivePath;
  const { archive } = deps;
  if (archive === null) return { outcome, key: article.key, path };
  if (current?.path !== path || current.text !== text) {
    await writeFile({ ...deps, archive }, article.date, article.key, text);
  }
  await deps.store.markArchived(article.key, article.contentHash);
  for (const old of new Set([previousPath, current?.path])) {
    if (old !== null && old !== undefined && old !== path) await archive.remove(old);
  }
  return { outcome, key: article.key, path };
}
