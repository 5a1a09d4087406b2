/**
 * Reads an OPML subscription list into the feed URLs it names; each one is then polled as a feed source.
 *
 * Readers export OPML with folders (nested outlines) and often list one feed in several folders, so every
 * outline is visited depth-first and the URLs are deduplicated. The URLs are not fetched or vetted here: the
 * fetcher's host guard checks each one before any request.
 */
import { type Opml, parseOpml } from "feedsmith";
import { ParseError } from "../errors.ts";

/** One feed named by an OPML outline. */
export interface OpmlFeed {
  readonly url: string;
  readonly title: string | null;
}

/** A parsed OPML listing: its head title and its feeds in document order. */
export interface OpmlListing {
  readonly title: string | null;
  readonly feeds: OpmlFeed[];
}

type Outline = Opml.Outline<string>;

/** Parses OPML text into its feeds (`xmlUrl` of every outline, nested ones included, deduplicated). */
export function parseOpmlListing(text: string): OpmlListing {
  let document: Opml.Document<string>;
  try {
    document = parseOpml(text.replace(/^\uFEFF/, ""));
  } catch (error) {
    const reason = error instanceof Error ? (error.message.split("\n", 1)[0] ?? "") : "unreadable";
    throw new ParseError("PARSE_LISTING", `listing-opml: not an OPML document (${reason.trim()})`, {}, error);
  }
  const feeds: OpmlFeed[] = [];
  const seen = new Set<string>();
  const visit = (outlines: Outline[] | undefined): void => {
    for (const outline of outlines ?? []) {
      const url = outline.xmlUrl?.trim() ?? "";
      const identity = dedupKey(url);
      if (url !== "" && !seen.has(identity)) {
        seen.add(identity);
        feeds.push({ url, title: cleanText(outline.title) ?? cleanText(outline.text) });
      }
      visit(outline.outlines);
    }
  };
  visit(document.body?.outlines);
  return { title: cleanText(document.head?.title), feeds };
}

/** Two spellings of one URL (host case, default port) count once; unparsable text dedups on itself. */
function dedupKey(url: string): string {
  return URL.canParse(url) ? new URL(url).href : url;
}

function cleanText(text: string | undefined): string | null {
  const cleaned = (text ?? "").replace(/\s+/g, " ").trim();
  return cleaned === "" ? null : cleaned;
}
