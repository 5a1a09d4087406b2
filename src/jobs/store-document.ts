/**
 * Turns an article document, already read (and, for the old archive, cleaned), into the stored record and
 * document text that `ingest.ts` stores. `import` and `reindex` both prepare through it, so a document
 * becomes the same record and the same file whichever way it arrives.
 *
 * - Key: the URL's identity (`parseArticleUrl(url).key`): long links give `<uin>-<mid>-<idx>`, so one
 *   article under several URL forms and dates is one record; a short or temporary link keeps its own key
 *   (no identity before fetching). Reindex passes the key from the file name instead.
 * - The document is re-rendered with our writer: valid YAML, the normalized URL (the canonical one when
 *   biz/mid/idx/sn are all known), `date` and `fetch_date` kept as written.
 * - `publishedAt` is Beijing midnight of `date`. Old documents carry no publish instant, only a day (for
 *   the old archive, the feed day). Midnight sorts an imported article among its contemporaries in the
 *   feed indexes; leaving it null would index it by `storedAt`, the import time, and years of archive
 *   would surface as brand-new feed items.
 * - A truncated document keeps a final `...`: the archive, the source of truth for `reindex`, then still
 *   says the text is cut (see `isTruncatedStoredBody`), since our writer has no key for it.
 */
import type { DocumentFields, StoredArticle } from "../model.ts";
import { toTitleHeading } from "../parsers/document.ts";
import { renderDocument } from "../parsers/front-matter.ts";
import { cleanName, cleanText, cleanTitle } from "../parsers/text-clean.ts";
import { fromBeijingWallClock } from "../parsers/time.ts";
import { parseArticleUrl } from "../parsers/wechat-url.ts";
import { contentHash } from "../store/article-store.ts";
import { archivePath, checkDate, checkId } from "../store/keys.ts";

/** A document to store: its five front-matter values, its body (chrome already removed), the cut flag. */
export interface DocumentToStore extends DocumentFields {
  readonly body: string;
  readonly truncated: boolean;
}

/** Page metadata an earlier record had and a document does not carry (kept by `reindex`). */
export type KeptMetadata = Partial<
  Pick<StoredArticle, "publishedAt" | "account" | "author" | "description" | "itemShowType">
>;

/** How to store one document. */
export interface StoreDocumentOptions {
  /** The configured source id (`[a-z0-9-]`) the article is filed under. */
  readonly sourceId: string;
  /** This save's time (ms); kept by the store only when the article is new. */
  readonly storedAt: number;
  /** Overrides the key derived from the URL (reindex: the archive file name). */
  readonly key?: string;
  readonly keep?: KeptMetadata;
}

/** A stored-article record and the exact document text written for it. */
export interface PreparedDocument {
  readonly article: StoredArticle;
  readonly text: string;
}

/** Where the document came from, when it is already an archive file (reindex). */
export interface CurrentFile {
  readonly path: string;
  readonly text: string;
}

const COVER_LINE = /^!\[cover_image\]\((\S+)\)$/;
const CUT_MARK = "...";
// An imported truncated body is 8,000 characters minus the chrome cleaning removed (archive-sample
// 17–24 and 38 keep 7,799–7,980); the lower bound leaves room for heavier cleaning.
const TRUNCATED_MIN_CHARS = 2000;
const TRUNCATED_MAX_CHARS = 8004;

/** The cover image URL of a body's `![cover_image](…)` line (it follows the `# title` line), or null. */
export function coverOf(body: string): string | null {
  const lines = body.split("\n", 12).map((line) => line.trim());
  for (const line of lines) {
    const match = COVER_LINE.exec(line);
    if (match?.[1] !== undefined) return match[1];
  }
  return null;
}

/** Beijing midnight of a `YYYY-MM-DD` date in ms, or null when the date is not a plausible day. */
export function publishedAtOfDate(date: string): number | null {
  return fromBeijingWallClock(date)?.getTime() ?? null;
}

/** True when a body we wrote for a truncated document still says so: a final `...` after a long cut text. */
export function isTruncatedStoredBody(body: string): boolean {
  const text = body.replace(/\r\n/g, "\n").trimEnd();
  if (!text.endsWith(CUT_MARK)) return false;
  const newline = text.indexOf("\n");
  const content = text.startsWith("# ") && newline >= 0 ? text.slice(newline + 1).trimStart() : text;
  const length = [...content].length;
  return length >= TRUNCATED_MIN_CHARS && length <= TRUNCATED_MAX_CHARS;
}

/**
 * The body as we write it: control characters removed (text-clean.ts), one `# title` first, and a
 * final `...` when the text was cut.
 */
function normalizeBody(body: string, title: string, truncated: boolean): string {
  let text = cleanText(body).replace(/^\n+/, "").trimEnd();
  const heading = toTitleHeading(title);
  if (!text.startsWith("# ")) text = text === "" ? heading : `${heading}\n\n${text}`;
  if (truncated && !text.endsWith(CUT_MARK)) text = `${text}\n\n${CUT_MARK}`;
  return text;
}

/**
 * Builds the stored record and document text of `doc` (pure apart from resolving the archive path).
 * Throws InvalidUrlError for a URL that is not a WeChat article (unless `options.key` is given, then the
 * URL is kept as written) and StoreError STORE_WRITE for an invalid date, key or source id.
 */
export function buildStoredDocument(
  doc: DocumentToStore,
  options: StoreDocumentOptions,
  dataDir: string,
): PreparedDocument {
  let url: string;
  let key: string;
  try {
    const parsed = parseArticleUrl(doc.url);
    url = parsed.url;
    key = options.key ?? parsed.key;
  } catch (error) {
    if (options.key === undefined) throw error;
    url = cleanName(doc.url);
    key = options.key;
  }
  checkId("article key", key);
  checkId("source id", options.sourceId);
  const date = checkDate(doc.date.trim());
  // Every field is cleaned here, so a document read from anywhere is written back readable.
  const title = cleanTitle(doc.title).replace(/\s+/g, " ");
  const body = normalizeBody(doc.body, title, doc.truncated);
  const fields = { title, url, source: cleanName(doc.source), date, fetch_date: cleanName(doc.fetch_date) };
  const text = renderDocument({ ...fields, body });
  const keep = options.keep ?? {};
  const article: StoredArticle = {
    key,
    url,
    title,
    source: fields.source,
    sourceId: options.sourceId,
    date,
    fetchDate: fields.fetch_date,
    publishedAt: keep.publishedAt ?? publishedAtOfDate(date),
    account: keep.account ?? null,
    author: keep.author ?? null,
    cover: coverOf(body),
    description: keep.description ?? null,
    itemShowType: keep.itemShowType ?? null,
    contentHash: contentHash(body, title),
    document: text,
    archivePath: archivePath(dataDir, date, key),
    storedAt: options.storedAt,
    truncated: doc.truncated,
  };
  return { article, text };
}
