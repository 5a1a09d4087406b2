/**
 * Stored articles for server tests and the feed bench: hand-written documents (always available) and
 * documents built from the WeChat corpus pages through the real parser, document builder and writer.
 * Keys, titles and dates of the hand-written ones are written out here, never computed by the code
 * under test.
 */

import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { ParsedArticle, StoredArticle } from "../../src/model.ts";
import { buildDocument } from "../../src/parsers/document.ts";
import { renderDocument } from "../../src/parsers/front-matter.ts";
import { parseArticle } from "../../src/parsers/wechat-article.ts";
import { contentHash } from "../../src/store/article-store.ts";

/** Fields a test chooses for a hand-written article. */
export interface ArticleSpec {
  readonly key: string;
  readonly title: string;
  readonly sourceId: string;
  readonly source?: string;
  /** Publish instant, ISO 8601. */
  readonly publishedAt: string;
  /** Store instant (ms). */
  readonly storedAt: number;
  /** Body after the `# title` line. */
  readonly text?: string;
  readonly cover?: string | null;
}

/** A stored article whose document is `# title`, a blank line and `text`, under a written front matter. */
export function makeArticle(spec: ArticleSpec): StoredArticle {
  const text = spec.text ?? `第一段：${spec.title} 的正文。\n\n第二段。`;
  const body = `# ${spec.title}\n\n${text}`;
  const url = `https://mp.weixin.qq.com/s/${spec.key}`;
  const source = spec.source ?? spec.sourceId;
  const date = spec.publishedAt.slice(0, 10);
  const fetchDate = `${new Date(spec.storedAt).toISOString().slice(0, 23)}000`;
  const document = renderDocument({ title: spec.title, url, source, date, fetch_date: fetchDate, body });
  return {
    key: spec.key,
    url,
    title: spec.title,
    source,
    sourceId: spec.sourceId,
    date,
    fetchDate,
    publishedAt: Date.parse(spec.publishedAt),
    account: source,
    author: null,
    cover: spec.cover ?? null,
    description: null,
    itemShowType: 0,
    contentHash: contentHash(body, spec.title),
    document,
    archivePath: `/tmp/wechat-feed-test/articles/${date.replaceAll("-", "/")}/${spec.key}.md`,
    storedAt: spec.storedAt,
  };
}

/** One corpus article with the values a test compares against (from expected.json, not from our code). */
export interface CorpusArticle {
  readonly article: StoredArticle;
  readonly expected: {
    readonly title: string;
    readonly publishedAt: string;
    readonly canonicalUrl: string;
    readonly bodyStartNoSpace: string;
  };
  readonly parsed: ParsedArticle;
}

interface ExpectedJsonEntry {
  readonly file: string;
  readonly status: string;
  readonly title?: string;
  readonly publishedAt?: string;
  readonly canonicalUrl?: string;
  readonly biz?: string;
  readonly mid?: string;
  readonly idx?: string;
  readonly bodyStartNoSpace?: string;
}

/**
 * The corpus's articles that have a canonical URL and a publish time, stored as if fetched at
 * `storedAt`, assigned round-robin to `sourceIds`.
 */
export function corpusArticles(dir: string, sourceIds: readonly string[], storedAt: number): CorpusArticle[] {
  const entries = JSON.parse(readFileSync(join(dir, "expected.json"), "utf8")) as ExpectedJsonEntry[];
  const usable = entries.filter(
    (e) => e.status === "article" && e.canonicalUrl && e.publishedAt && e.title && e.biz && e.mid && e.idx,
  );
  return usable.map((e, i) => {
    const sourceId = sourceIds[i % sourceIds.length] ?? "corpus";
    const parsed = parseArticle(readFileSync(join(dir, e.file), "utf8"), { url: e.canonicalUrl ?? "" });
    const doc = buildDocument(parsed, {
      source: `来源 ${sourceId}`,
      fetchedAt: new Date(storedAt),
      fetchedUrl: e.canonicalUrl ?? "",
    });
    // The article key `<uin>-<mid>-<idx>`, uin being the base64-decoded biz (computed here, not by src/).
    const key = `${Buffer.from(e.biz ?? "", "base64").toString("utf8")}-${e.mid}-${e.idx}`;
    const article: StoredArticle = {
      key,
      url: doc.url,
      title: doc.title,
      source: doc.source,
      sourceId,
      date: doc.date,
      fetchDate: doc.fetch_date,
      publishedAt: parsed.publishedAt?.getTime() ?? null,
      account: parsed.account,
      author: parsed.author,
      cover: parsed.cover,
      description: parsed.description,
      itemShowType: parsed.itemShowType,
      contentHash: contentHash(doc.body, doc.title),
      document: renderDocument(doc),
      archivePath: `/tmp/wechat-feed-test/articles/${doc.date.replaceAll("-", "/")}/${key}.md`,
      storedAt: storedAt + i,
    };
    return {
      article,
      expected: {
        title: e.title ?? "",
        publishedAt: e.publishedAt ?? "",
        canonicalUrl: e.canonicalUrl ?? "",
        bodyStartNoSpace: e.bodyStartNoSpace ?? "",
      },
      parsed,
    };
  });
}
