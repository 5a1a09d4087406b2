/**
 * The summary document, in chainreactors/picker's format: front matter `title, url, source, date,
 * fetch_date, category` (category `Others` when none), then `# <title> - 摘要`, the summary, and a
 * `## 参考链接` numbered list of the links found in the article. Writes it (valid YAML, like our article
 * documents) and reads it back leniently, ours and picker's alike, with the article reader's line-based
 * front matter. Also finds the links of an article body. Pure.
 */
import type { DocumentFields } from "../model.ts";
import { readDocument, toYamlScalar } from "./front-matter.ts";

/** A summary document's values. */
export interface SummaryDocument extends DocumentFields {
  readonly category: string;
  /** The summary text (Markdown), trimmed. */
  readonly summary: string;
  /** The article's links, in the listed order. */
  readonly links: readonly string[];
}

const KEYS = ["title", "url", "source", "date", "fetch_date", "category"] as const;
const HEADING_SUFFIX = " - 摘要";
const LINKS_HEADING = "## 参考链接";
const DEFAULT_CATEGORY = "Others";
// Inline links `[text](url)` (not images) and bare URLs; a bare URL stops before closing punctuation.
const MARKDOWN_LINK = /(!?)\[[^\]\n]*\]\(<?(https?:\/\/[^\s)>]+)>?(?:\s+"[^"\n]*")?\)/g;
const BARE_URL = /https?:\/\/[^\s<>"'()[\]]+[^\s<>"'()[\].,;:!?，。；：！？、）】]/g;

/** Renders a summary document; an empty category becomes `Others`. */
export function renderSummaryDocument(doc: SummaryDocument): string {
  const values = { ...doc, category: doc.category.trim() === "" ? DEFAULT_CATEGORY : doc.category };
  const front = KEYS.map((key) => `${key}: ${toYamlScalar(values[key])}`);
  const lines = ["---", ...front, "---", "", `# ${doc.title}${HEADING_SUFFIX}`, "", doc.summary.trim()];
  if (doc.links.length > 0) {
    lines.push("", LINKS_HEADING, "", ...doc.links.map((link, i) => `${i + 1}. ${link}`));
  }
  return `${lines.join("\n")}\n`;
}

/**
 * Reads a summary document (ours or picker's); null when the text is not one: no front matter, or
 * neither a `category` key nor a `# … - 摘要` heading.
 */
export function readSummaryDocument(text: string): SummaryDocument | null {
  let read: ReturnType<typeof readDocument>;
  try {
    read = readDocument(text);
  } catch {
    return null;
  }
  const lines = read.body.split("\n");
  const headingAt = lines.findIndex((line) => line.trim() !== "");
  const heading = lines[headingAt]?.trim() ?? "";
  const isHeading = heading.startsWith("# ") && heading.endsWith(HEADING_SUFFIX.trim());
  if (!isHeading && read.fields.category === undefined) return null;
  const rest = isHeading ? lines.slice(headingAt + 1) : lines;
  const linksAt = rest.map((line) => line.trim()).lastIndexOf(LINKS_HEADING);
  const summaryLines = linksAt < 0 ? rest : rest.slice(0, linksAt);
  const links = linksAt < 0 ? [] : rest.slice(linksAt + 1).flatMap(toListedLink);
  return {
    title: read.title,
    url: read.url,
    source: read.source,
    date: read.date,
    fetch_date: read.fetch_date,
    category: (read.fields.category ?? "").trim() || DEFAULT_CATEGORY,
    summary: summaryLines.join("\n").trim(),
    links,
  };
}

function toListedLink(line: string): string[] {
  const match = /^\s*\d+[.)]\s+(\S+)\s*$/.exec(line);
  return match?.[1] === undefined ? [] : [match[1]];
}

/**
 * The http(s) links of an article body in order of first appearance, each once: inline links and
 * bare URLs. Images (`![…](…)`) are not references and are left out, as are links inside them.
 */
export function extractArticleLinks(markdown: string): string[] {
  const inline = [...markdown.matchAll(MARKDOWN_LINK)];
  const ordered = inline.filter((m) => m[1] === "").map((m) => ({ at: m.index, url: m[2] ?? "" }));
  // Blank out every inline link and image so their URLs are not found again as bare URLs.
  let rest = markdown;
  for (const m of inline)
    rest = rest.slice(0, m.index) + " ".repeat(m[0].length) + rest.slice(m.index + m[0].length);
  for (const m of rest.matchAll(BARE_URL)) ordered.push({ at: m.index, url: m[0] });
  ordered.sort((a, b) => a.at - b.at);
  return [...new Set(ordered.map((entry) => entry.url))];
}
