/**
 * Adapts stored articles onto the one model publishing renders (`FeedItem`): feeds, the digest and the
 * JSON API all start from here, so the body every reader sees is cut from the stored document the same
 * way. The document's front matter is dropped (its values are already fields of the stored article) and
 * so is the leading `# title` line, because every reader shows the item title above the content.
 * Pure: no I/O, no clock.
 */
import type { FeedItem, StoredArticle } from "../model.ts";
import { readDocument } from "../parsers/front-matter.ts";
import { cleanName, cleanText, cleanTitle } from "../parsers/text-clean.ts";

/** The Markdown body of a document: front matter removed; the document itself when it has none. */
function toBody(document: string): string {
  try {
    return readDocument(document).body;
  } catch {
    // A document without a front-matter block (hand-imported text) is all body; never drop an article.
    return document.replace(/^\uFEFF/, "").replace(/\r\n/g, "\n");
  }
}

/** Removes the first non-blank line when it is a level-one heading (`# title`), and the blank lines after it. */
export function stripTitleHeading(body: string): string {
  const match = /^(?:[ \t]*\n)*[ \t]{0,3}#[ \t]+[^\n]*(?:\n|$)/.exec(body);
  if (match === null) return body;
  return body.slice(match[0].length).replace(/^(?:[ \t]*\n)+/, "");
}

/** A stored name cleaned for display; null stays null. */
function toShownName(name: string | null): string | null {
  return name === null ? null : cleanName(name);
}

/**
 * Maps a stored article to the feed item publishing renders. Titles, names and text are cleaned
 * again (text-clean.ts), so records stored before the cleaning existed publish the same way.
 */
export function toFeedItem(a: StoredArticle): FeedItem {
  return {
    key: a.key,
    title: cleanTitle(a.title),
    url: a.url,
    sourceId: a.sourceId,
    source: cleanName(a.source),
    account: toShownName(a.account),
    author: toShownName(a.author),
    publishedAt: a.publishedAt === null ? null : new Date(a.publishedAt),
    storedAt: new Date(a.storedAt),
    date: a.date,
    cover: a.cover,
    description: a.description === null ? null : cleanText(a.description),
    markdown: stripTitleHeading(cleanText(toBody(a.document))),
    summary: a.summary === undefined ? null : cleanText(a.summary.text),
    category: a.summary?.category ?? null,
  };
}
