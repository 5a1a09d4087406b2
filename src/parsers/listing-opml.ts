/**
 * Reads an OPML subscription list into the feed URLs it names; each one is then polled as a feed source.
 *
 * Readers export OPML with folders (nested outlines) and often list one feed in several folders, so every
 * outline is visited depth-first and the URLs are deduplicated. A feed's folders and its `category`
 * attribute (comma-separated, each maybe a `/a/b` path) become its tags, in the tag alphabet of config
 * `sources[].tags`; a feed listed in several folders gets all of them. The URLs are not fetched or
 * vetted here: the fetcher's host guard checks each one before any request.
 */
import { type Opml, parseOpml } from "feedsmith";
import { ParseError } from "../errors.ts";

/** One feed named by an OPML outline. */
export interface OpmlFeed {
  readonly url: string;
  readonly title: string | null;
  /** Its folders' names and categories as tags, outermost first, deduplicated. */
  readonly tags: readonly string[];
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
  const feeds: { url: string; title: string | null; tags: string[] }[] = [];
  const byIdentity = new Map<string, (typeof feeds)[number]>();
  const visit = (outlines: Outline[] | undefined, folders: readonly string[]): void => {
    for (const outline of outlines ?? []) {
      const url = outline.xmlUrl?.trim() ?? "";
      const identity = dedupKey(url);
      const tags = [...folders, ...toCategoryTags(outline.category)];
      const known = byIdentity.get(identity);
      if (url !== "" && known === undefined) {
        const feed = { url, title: cleanText(outline.title) ?? cleanText(outline.text), tags: unique(tags) };
        byIdentity.set(identity, feed);
        feeds.push(feed);
      } else if (known !== undefined) {
        known.tags = unique([...known.tags, ...tags]);
      }
      // An outline with a feed URL is a feed, not a folder: its name does not tag its children.
      const folder = url === "" ? toTag(outline.text ?? outline.title ?? "") : null;
      visit(outline.outlines, folder === null ? folders : [...folders, folder]);
    }
  };
  visit(document.body?.outlines, []);
  return { title: cleanText(document.head?.title), feeds };
}

/** Two spellings of one URL (host case, default port) count once; unparsable text dedups on itself. */
function dedupKey(url: string): string {
  return URL.canParse(url) ? new URL(url).href : url;
}

/**
 * The tag form of a folder or category name: words joined by `-`, only letters, digits, `-` and `_`,
 * starting with a letter or digit; null when nothing is left.
 */
export function toTag(name: string): string | null {
  const tag = name
    .trim()
    .replace(/\s+/g, "-")
    .replace(/[^\p{L}\p{N}_-]/gu, "")
    // Tags start with a letter or digit (config sources[].tags), so `-AI` and `_x` lose their lead.
    .replace(/^[_-]+/, "")
    .slice(0, 64);
  return tag === "" ? null : tag;
}

/** The tags of a `category` attribute: comma-separated entries, each a name or a `/a/b` path. */
function toCategoryTags(category: string | undefined): string[] {
  return (category ?? "").split(",").flatMap((entry) =>
    entry.split("/").flatMap((part) => {
      const tag = toTag(part);
      return tag === null ? [] : [tag];
    }),
  );
}

function unique(values: readonly string[]): string[] {
  return [...new Set(values)];
}

function cleanText(text: string | undefined): string | null {
  const cleaned = (text ?? "").replace(/\s+/g, " ").trim();
  return cleaned === "" ? null : cleaned;
}
