/**
 * The summary half of `import`: picker's `summary/{source}_{title}_summary.md` files and our own
 * `summaries/YYYY/MM/DD/<key>.md` documents, found among the imported files. Each is matched to its
 * article by the URL's key (after aliases), then kept as that article's summary and category for its
 * current content (so `summarize` does not spend requests on it again) and written as the article's one
 * summary document, with the five values and category exactly as the imported file has them. A summary
 * whose article is not stored is counted and left alone.
 */
import type { Logger } from "../logger.ts";
import {
  readSummaryDocument,
  renderSummaryDocument,
  type SummaryDocument,
} from "../parsers/summary-document.ts";
import { parseArticleUrl } from "../parsers/wechat-url.ts";
import type { ArticleStore } from "../store/article-store.ts";
import type { DocumentFile } from "./import-files.ts";
import { mapLimit, readTextFile } from "./import-files.ts";
import { type SummaryWriter, storeSummary } from "./store-summary.ts";

/** What importing summaries needs. */
export interface ImportSummariesDeps extends SummaryWriter {
  readonly store: ArticleStore;
  readonly logger: Logger;
}

/** The counts of the summary files of an import. */
export interface SummaryImportCounts {
  /** Summaries kept with their article. */
  readonly summaries: number;
  /** Summary files whose article is not stored (or whose URL is not a WeChat article). */
  readonly withoutArticle: number;
}

/** True when a file's text is a summary document rather than an article document. */
export function isSummaryText(text: string): boolean {
  return readSummaryDocument(text) !== null;
}

async function keyOf(store: ArticleStore, doc: SummaryDocument): Promise<string | null> {
  let key: string;
  try {
    key = parseArticleUrl(doc.url).key;
  } catch {
    return null;
  }
  return (await store.resolveAlias(key)) ?? key;
}

/** Imports the summary files among `files` (read from `root`); resolves to the counts. */
export async function importSummaryFiles(
  files: readonly DocumentFile[],
  root: string,
  deps: ImportSummariesDeps,
): Promise<SummaryImportCounts> {
  let summaries = 0;
  let withoutArticle = 0;
  await mapLimit(files, 8, async (file) => {
    const read = await readTextFile(file.path, root);
    const doc = read.ok ? readSummaryDocument(read.text) : null;
    if (doc === null || doc.summary === "") {
      withoutArticle++;
      return;
    }
    const key = await keyOf(deps.store, doc);
    const article = key === null ? null : await deps.store.readArticle(key);
    if (key === null || article === null) {
      deps.logger.info({ file: file.relative }, "import summary without article");
      withoutArticle++;
      return;
    }
    if (await storeSummary(deps, article, doc.summary, doc.category, renderSummaryDocument(doc))) summaries++;
  });
  return { summaries, withoutArticle };
}
