/**
 * `wechat-feed import`: brings an existing archive of article documents (chainreactors/picker's, or our
 * own) into the store and the archive. Reading is lenient (document-format.md "Reading existing
 * documents"): a file that cannot be read as a document is counted as unreadable with its reason logged
 * at info, never a crash (a symbolic link out of the directory is one such file, never read); stubs
 * (failed fetches saved as articles) are reported and not published; truncated documents are stored
 * marked, so a later fetch replaces them.
 *
 * Two passes keep memory flat however big the archive: the first reads every file and remembers only
 * its key and quality; the second re-reads the one best copy of each article (non-truncated over
 * truncated, then the longer cleaned body, then the first by path) and stores it through the one ingest
 * path (`ingest.ts`), so an import that cannot write a file fails rather than counting it imported.
 * Against the store, an import never overwrites a stored article except a truncated one by a full copy:
 * a fetched article is always better than an old archive's copy. Re-running an import changes nothing.
 */

import { realpath } from "node:fs/promises";
import type { Logger } from "../logger.ts";
import { readArchiveDocument } from "../parsers/document-cleanup.ts";
import { isArticleKey } from "../parsers/wechat-url.ts";
import type { ArticleStore } from "../store/article-store.ts";
import { describeError } from "../store/guard.ts";
import { type DocumentFile, listDocumentFiles, mapLimit, readTextFile } from "./import-files.ts";
import { type ImportSummariesDeps, importSummaryFiles, isSummaryText } from "./import-summaries.ts";
import { ensureArchived, type IngestDeps, ingestDocument } from "./ingest.ts";
import { buildStoredDocument, type PreparedDocument } from "./store-document.ts";

/** The source id of imported articles when none is given. */
export const IMPORT_SOURCE_ID = "import";

/** What an import needs; the CLI wires the runtime's store, archive, data dir and logger in. */
export interface ImportDeps extends IngestDeps {
  readonly store: ArticleStore;
  readonly dataDir: string;
  readonly logger: Logger;
  /** Called after each article stored or updated (the lead wires it to feed rebuilds). */
  onArticleChanged?(key: string): Promise<void>;
  /** Keeps imported summary documents (picker's `summary/` files, our `summaries/`); absent: ignored. */
  readonly summaries?: Omit<ImportSummariesDeps, "store" | "logger">;
  /** Progress of the current phase (`read`: files, `store`: articles). */
  onProgress?(phase: "read" | "store", done: number, total: number): void;
}

/** What to import. */
export interface ImportOptions {
  readonly dir: string;
  /** Source id the articles are filed under (`[a-z0-9-]`); their document `source` name is kept. */
  readonly sourceId: string;
}

/**
 * The counts of an import. Every document file is exactly one of imported, duplicates, stubs or
 * unreadable; `truncated` counts the imported articles that are marked truncated.
 */
export interface ImportSummary {
  readonly files: number;
  readonly imported: number;
  /** Copies of an article already imported in this run or already stored (same content, or better). */
  readonly duplicates: number;
  readonly stubs: number;
  readonly truncated: number;
  readonly unreadable: number;
  /** Relative paths of the stub files, in path order. */
  readonly stubFiles: readonly string[];
  /** Summary documents found (not counted in `files`), kept with their article, and without one. */
  readonly summaryFiles: number;
  readonly summaries: number;
  readonly summariesWithoutArticle: number;
}

/** One file, read and prepared: not a document, a stub, or an article ready to store. */
type PreparedFile =
  | { readonly kind: "unreadable"; readonly reason: string }
  | { readonly kind: "summary" }
  | { readonly kind: "stub" }
  | { readonly kind: "article"; readonly prepared: PreparedDocument; readonly bodyLength: number };

/** What the first pass keeps of one file: its kind, and for an article its key and quality. */
type Scanned =
  | { readonly kind: "unreadable" }
  | { readonly kind: "summary" }
  | { readonly kind: "stub" }
  | { readonly kind: "article"; readonly key: string; readonly truncated: boolean; readonly length: number };

const CONCURRENCY = 16;
/**
 * Prepared copies the first pass keeps for the second, so a winning file is not read and parsed twice;
 * past this many UTF-16 bytes the second pass reads the file again (memory stays bounded on any archive).
 */
const KEPT_BYTES = 64 * 1024 * 1024;

/** The first pass's prepared articles, by file index, within `budget` bytes of document text. */
function createKeptCopies(budget: number) {
  const kept = new Map<number, PreparedFile>();
  let bytes = 0;
  return {
    keep(index: number, result: PreparedFile): void {
      if (result.kind !== "article") return;
      const size = result.prepared.text.length * 2;
      if (bytes + size > budget) return;
      kept.set(index, result);
      bytes += size;
    },
    /** Hands over (and forgets) the copy kept for `index`, if any. */
    take(index: number): PreparedFile | undefined {
      const result = kept.get(index);
      kept.delete(index);
      return result;
    },
    /** Forgets every copy but the winners'. */
    retain(winners: ReadonlySet<number>): void {
      for (const index of kept.keys()) if (!winners.has(index)) kept.delete(index);
    },
  };
}

/** The summary's last line, exactly as the CLI prints it. */
export function formatImportSummary(s: ImportSummary): string {
  return `import: imported=${s.imported} duplicates=${s.duplicates} stubs=${s.stubs} truncated=${s.truncated} unreadable=${s.unreadable}`;
}

/** True when copy `a` is better than copy `b` of the same article. */
function isBetter(
  a: { readonly truncated: boolean; readonly length: number },
  b: { readonly truncated: boolean; readonly length: number },
): boolean {
  if (a.truncated !== b.truncated) return !a.truncated;
  return a.length > b.length;
}

/**
 * Reads, cleans and prepares one file. Every problem with the file itself (not text, no front matter,
 * not a WeChat article URL, an invalid date) makes it unreadable; only store failures throw.
 */
async function prepareFile(
  file: DocumentFile,
  options: ImportOptions & { readonly realDir: string },
  deps: ImportDeps,
): Promise<PreparedFile> {
  const read = await readTextFile(file.path, options.realDir);
  if (!read.ok) return { kind: "unreadable", reason: read.reason };
  if (isSummaryText(read.text)) return { kind: "summary" };
  let prepared: PreparedDocument;
  let build: (key?: string) => PreparedDocument;
  let bodyLength: number;
  try {
    const doc = readArchiveDocument(read.text);
    if (doc.stub) return { kind: "stub" };
    const input = { ...doc, body: doc.cleanedBody };
    bodyLength = doc.cleanedBody.length;
    build = (key) =>
      buildStoredDocument(input, { sourceId: options.sourceId, storedAt: deps.now(), key }, deps.dataDir);
    prepared = build();
  } catch (error) {
    return { kind: "unreadable", reason: describeError(error) };
  }
  // A short or temporary link that an earlier fetch resolved is filed under the article it is.
  const key = prepared.article.key;
  const resolved = isArticleKey(key) ? null : await deps.store.resolveAlias(key);
  if (resolved !== null && resolved !== key) prepared = build(resolved);
  return { kind: "article", prepared, bodyLength };
}

/** After the articles: a summary is kept with the article it summarizes, so that must be stored first. */
function keepSummaries(files: readonly DocumentFile[], options: ImportOptions, deps: ImportDeps) {
  if (deps.summaries === undefined) return Promise.resolve({ summaries: 0, withoutArticle: files.length });
  return importSummaryFiles(files, options.dir, {
    ...deps.summaries,
    store: deps.store,
    logger: deps.logger,
  });
}

/** Pass 1's tally: the index of the best copy of each article, the stub and summary files, and the counts. */
function pickBestCopies(scanned: readonly Scanned[], files: readonly DocumentFile[]) {
  const best = new Map<string, number>();
  const stubFiles: string[] = [];
  const summaryFiles: DocumentFile[] = [];
  let unreadable = 0;
  let copies = 0;
  scanned.forEach((entry, index) => {
    if (entry.kind === "unreadable") unreadable++;
    else if (entry.kind === "stub") stubFiles.push(files[index]?.relative ?? "");
    else if (entry.kind === "summary") summaryFiles.push(files[index] as DocumentFile);
    else {
      copies++;
      const current = best.get(entry.key);
      const held = current === undefined ? undefined : scanned[current];
      if (held?.kind !== "article" || isBetter(entry, held)) best.set(entry.key, index);
    }
  });
  return { best, stubFiles, summaryFiles, unreadable, copies };
}

/** Imports every document under `options.dir`; resolves to the counts. Redis or disk failures throw. */
export async function importArchive(options: ImportOptions, deps: ImportDeps): Promise<ImportSummary> {
  const { store, logger } = deps;
  const files = await listDocumentFiles(options.dir);
  const withRoot = { ...options, realDir: await realpath(options.dir) };
  const prepare = async (file: DocumentFile): Promise<PreparedFile> => {
    const result = await prepareFile(file, withRoot, deps);
    if (result.kind === "unreadable") {
      logger.info({ file: file.relative, reason: result.reason }, "import file unreadable");
    }
    return result;
  };

  // Pass 1: classify every file, remember the best copy of each article.
  let read = 0;
  const kept = createKeptCopies(KEPT_BYTES);
  const scanned = await mapLimit(files, CONCURRENCY, async (file, index): Promise<Scanned> => {
    const result = await prepare(file);
    kept.keep(index, result);
    deps.onProgress?.("read", ++read, files.length);
    if (result.kind !== "article") return { kind: result.kind };
    const { article } = result.prepared;
    return {
      kind: "article",
      key: article.key,
      truncated: article.truncated === true,
      length: result.bodyLength,
    };
  });
  const tally = pickBestCopies(scanned, files);
  const { best, stubFiles, summaryFiles, copies } = tally;
  let unreadable = tally.unreadable;

  // Pass 2: store the best copy of each article unless the store already has it (or a better one).
  let imported = 0;
  let truncated = 0;
  let duplicates = copies - best.size;
  let done = 0;
  const winners = [...best.values()].sort((a, b) => a - b);
  kept.retain(new Set(winners));
  await mapLimit(winners, CONCURRENCY, async (index) => {
    const file = files[index];
    const result: PreparedFile =
      kept.take(index) ?? (file === undefined ? { kind: "unreadable", reason: "gone" } : await prepare(file));
    // A file read again that changed between the passes: count it as what it is now.
    if (result.kind === "unreadable" || result.kind === "summary") unreadable++;
    else if (result.kind === "stub") stubFiles.push(file?.relative ?? "");
    else {
      const { article } = result.prepared;
      const existing = await store.readArticle(article.key);
      const replaces = existing === null || (existing.truncated === true && article.truncated !== true);
      if (existing !== null && existing.contentHash !== article.contentHash && !replaces) {
        duplicates++;
        await ensureArchived(deps, existing);
      } else {
        const saved = await ingestDocument(deps, result.prepared);
        if (saved.outcome === "unchanged") duplicates++;
        else {
          imported++;
          if (article.truncated === true) truncated++;
          await deps.onArticleChanged?.(saved.key);
        }
      }
    }
    deps.onProgress?.("store", ++done, winners.length);
  });
  stubFiles.sort();
  const summaries = await keepSummaries(summaryFiles, options, deps);
  return {
    files: files.length - summaryFiles.length,
    summaryFiles: summaryFiles.length,
    summaries: summaries.summaries,
    summariesWithoutArticle: summaries.withoutArticle,
    imported,
    duplicates,
    stubs: stubFiles.length,
    truncated,
    unreadable,
    stubFiles,
  };
}
