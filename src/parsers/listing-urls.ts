/**
 * Reads a plain-text URL list (a `urls` source): one URL per line.
 *
 * Lines are hand-edited, so the reader is forgiving: blank lines and `#` comment lines are skipped, a trailing
 * ` # note` after the URL is dropped (a URL holds no whitespace, so `#rd` fragments stay intact), and stray
 * whitespace, CRLF endings and a BOM are ignored. Everything else is passed on as a link, junk included, so
 * toArticleRefs can report it instead of it vanishing silently.
 */
import type { ListingItem } from "./listing-refs.ts";

/** Parses a URL list into listing items, in file order; URL lists carry no titles or dates. */
export function parseUrlList(text: string): ListingItem[] {
  const items: ListingItem[] = [];
  for (const rawLine of text.replace(/^\uFEFF/, "").split(/\r?\n|\r/)) {
    const line = rawLine.replace(/\s+#.*$/, "").trim();
    if (line === "" || line.startsWith("#")) continue;
    items.push({ link: line, title: null, date: null });
  }
  return items;
}
