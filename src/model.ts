/**
 * Plain shapes shared across modules (parsers, jobs, store, publish), and the list of page classes.
 * No logic lives here.
 */

/** The identity of a WeChat article: account id, push id and position in the push. */
export interface ArticleIdentity {
  /** base64 of the account's decimal uin, `==`-padded. */
  readonly biz: string;
  readonly mid: string;
  readonly idx: string;
}

/**
 * Every class a page can get: what the classifier says before extraction, or `unparseable` when a
 * page classified as an article did not yield its title, account or publish time. README.md ("Page
 * classes") says what each means; a test keeps the two lists in step.
 */
export const PAGE_CLASSES = [
  "article",
  "deleted",
  "violation",
  "send-failed",
  "unavailable",
  "under-review",
  "account-blocked",
  "account-gone",
  "migrated",
  "verification",
  "expired",
  "not-article",
  "unknown",
  "unparseable",
] as const;

/** What a page is (see PAGE_CLASSES). */
export type PageClass = (typeof PAGE_CLASSES)[number];

/** A class the classifier gives before extraction: every class but `unparseable`. */
export type ClassifiedPage = Exclude<PageClass, "unparseable">;

/** The fields extracted from an article page (see ../shared/docs/wechat-pages.md section 2). */
export interface ParsedArticle {
  readonly title: string;
  /** The publishing account (nickname). */
  readonly account: string | null;
  /** The byline author; null when the page has none. */
  readonly author: string | null;
  /** The account declared the article original (copyright_stat 1). */
  readonly original: boolean;
  /** Publish instant from `ct` (or a Beijing wall-clock fallback); null when the page has none. */
  readonly publishedAt: Date | null;
  readonly identity: ArticleIdentity | null;
  readonly sn: string | null;
  /** `https://mp.weixin.qq.com/s?__biz=…&mid=…&idx=…&sn=…` when all four are known. */
  readonly canonicalUrl: string | null;
  readonly cover: string | null;
  readonly description: string | null;
  /** The 阅读原文 link (msg_source_url), http(s) only. */
  readonly sourceUrl: string | null;
  /** item_show_type; null when the page does not say (2016–2017 layouts, stripped copies). */
  readonly itemShowType: number | null;
  /** For reprints: the original account (`.original_primary_nickname`). */
  readonly originalAccount: string | null;
  /** The article content as Markdown, without title, cover or byline. */
  readonly content: string;
  /** Non-fatal oddities for the caller to log (unknown show type, type mismatch...). */
  readonly warnings: readonly string[];
}

/** The five front-matter values of an article document, in their written order. */
export interface DocumentFields {
  readonly title: string;
  readonly url: string;
  readonly source: string;
  /** `YYYY-MM-DD`, the Beijing publish date. */
  readonly date: string;
  /** `YYYY-MM-DDTHH:MM:SS.ffffff`, UTC, no offset. */
  readonly fetch_date: string;
}

/** An article document: front matter plus Markdown body (see document-format.md). */
export interface ArticleDocument extends DocumentFields {
  readonly body: string;
}

/** A WeChat article link found by discovery (feed item, album entry, URL list line, manual enqueue). */
export interface ArticleRef {
  /** The normalized WeChat URL to fetch (https, allowlisted parameters, no fragment). */
  readonly url: string;
  /** Dedup key known before fetching: the article key (`<uin>-<mid>-<idx>`), `short-<token>` or `u<hash>`. */
  readonly key: string;
  /** The upstream item's title, when the listing gives one. */
  readonly title: string | null;
  /** The upstream item's date, when the listing gives one. */
  readonly date: Date | null;
}

/** An article as publishing sees it: what feeds, the digest and the API render. */
export interface FeedItem {
  /** The article key: the feed guid, stable forever. */
  readonly key: string;
  readonly title: string;
  /** The canonical URL (or normalized fetch URL). */
  readonly url: string;
  /** The configured source's id (per-source feeds) and its display name. */
  readonly sourceId: string;
  readonly source: string;
  readonly account: string | null;
  readonly author: string | null;
  /** The true publish instant; null when the page had none (then `storedAt` orders it). */
  readonly publishedAt: Date | null;
  /** When we first stored it. */
  readonly storedAt: Date;
  /** The document date, `YYYY-MM-DD`. */
  readonly date: string;
  readonly cover: string | null;
  readonly description: string | null;
  /** The document body as Markdown, without its leading `# title` line (readers show the title). */
  readonly markdown: string;
  /** The LLM summary (Markdown), when the article has one; feeds use it as the item description. */
  readonly summary?: string | null;
  /** The summary's category (one of `summarize.categories`), when the article has one. */
  readonly category?: string | null;
}

/** How one feed of an OPML source fared in a poll (kept in the source's state). */
export interface FeedPollResult {
  readonly url: string;
  readonly ok: boolean;
  /** Article links found in the feed (0 when it failed). */
  readonly items: number;
  /** The error code when it failed (`FETCH_HTTP_STATUS`, `PARSE_LISTING`...). */
  readonly code?: string;
  readonly error?: string;
}

/** One article as the store keeps it: document fields, identity, archive location and timestamps. */
export interface StoredArticle {
  /** Article key (`<uin>-<mid>-<idx>`, `u<hash>`...), the identity used everywhere. */
  readonly key: string;
  readonly url: string;
  readonly title: string;
  /** The document's `source` (display name). */
  readonly source: string;
  /** The configured source id (`[a-z0-9-]`) the article was found through; keys the per-source index. */
  readonly sourceId: string;
  /** `YYYY-MM-DD`, the Beijing publish date (the document's `date`). */
  readonly date: string;
  /** The document's `fetch_date`. */
  readonly fetchDate: string;
  /** Publish instant in ms since the epoch; null when the page has none. */
  readonly publishedAt: number | null;
  readonly account: string | null;
  readonly author: string | null;
  readonly cover: string | null;
  readonly description: string | null;
  readonly itemShowType: number | null;
  /** `contentHash(body, title)`; an equal hash means the re-fetch changed nothing. */
  readonly contentHash: string;
  /** The full rendered document (front matter + body). */
  readonly document: string;
  /** Absolute path of the archive file. */
  readonly archivePath: string;
  /** When first stored (ms). On save, the time of this save: kept only if the article is new. */
  readonly storedAt: number;
  /** When an edit was last stored (ms); null when never. Always set by reads, ignored by saves. */
  readonly updatedAt?: number | null;
  /**
   * The document was cut at 8,000 characters by the old archive's writer (imported as is): the article
   * counts as not yet known, so polls enqueue it again and the full fetch replaces it. Absent means false.
   */
  readonly truncated?: boolean;
  /**
   * The LLM summary and category (`store/summary-store.ts` writes them, never `saveArticle`), and the
   * content hash they were made from: an edit leaves them in place until the new text is summarized.
   */
  readonly summary?: ArticleSummary;
}

/** An article's summary, its category and the content hash it summarizes. */
export interface ArticleSummary {
  readonly text: string;
  readonly category: string;
  readonly contentHash: string;
  /** Absolute path of its summary document (absent in records from before paths were kept). */
  readonly path?: string;
}
