/**
 * Cleans the bodies of documents from the existing archive (chainreactors/picker), whose converter
 * turned the whole WeChat page into Markdown (../shared/docs/wechat-pages.md section 9): a second
 * `# title`, the byline, the footer UI and 2026 widgets come with the article. Cleaning keeps the
 * first `# title` and the cover line and drops that chrome; it also flags stubs (failed fetches saved
 * as articles) and bodies cut at 8,000 characters. Phrases that could be article text ("分享", "取消"...)
 * are only removed where the page puts them: after the footer marker or in the trailing button rows.
 */
import { type ReadDocument, readDocument } from "./front-matter.ts";

/** A document read from the existing archive, with its cleaned body and quality flags. */
export interface ArchiveDocument extends ReadDocument {
  /** The body without page chrome (see `cleanDocumentBody`). */
  readonly cleanedBody: string;
  /** No article text is left after cleaning (verification, deleted or blank page saved as an article). */
  readonly stub: boolean;
  /** The body was cut at 8,000 characters and `...` appended. */
  readonly truncated: boolean;
}

/** Optional hints for `cleanDocumentBody`. */
export interface CleanOptions {
  /** The account name when known (the document's `source` often is); helps find the end of the byline. */
  readonly account?: string | null;
}

// UI phrases that never occur as a whole line of article text: removed wherever they stand.
const CHROME_LINES = new Set([
  "预览时标签不可点",
  "微信扫一扫",
  "关注该公众号",
  "继续滑动看下一个",
  "轻触阅读原文",
  "向上滑动看下一个",
  "知道了",
  "使用小程序",
  "微信扫一扫可打开此内容，",
  "微信扫一扫可打开此内容，使用完整服务",
  "使用完整服务",
  "，轻点两下取消赞",
  "，轻点两下取消在看",
  // 2026 widgets (novel-reader promotion), seen in archive files fetched in 2026.
  "在小说阅读器读本章",
  "去阅读",
  "在小说阅读器中沉浸阅读",
]);
// Short labels of the footer dialogs and the trailing button row: removed only in the tail
// (archive-sample/01.md … 58.md all end with 视频 / 小程序 / 赞 / … / 听过).
const TAIL_LINES = new Set(["阅读原文", "取消", "允许", "×", "分析", "视频", "小程序", "赞", "在看", "分享"]);
const TAIL_LINES_2 = new Set(["留言", "收藏", "听过"]);
// Where the footer begins: everything from here on is page UI (the seed's footer starts with it).
const FOOTER_START = new Set(["预览时标签不可点", "继续滑动看下一个", "轻触阅读原文", "向上滑动看下一个"]);
// `![跳转二维码]()`, `![作者头像](…)` and empty `![]()` images.
const CHROME_IMAGE = /^!\[(?:跳转二维码|作者头像)\]\([^)]*\)$|^!\[\]\(\)$/;
const LONE_PUNCTUATION = /^[：，。]$/;
const FENCE = /^(?:```|~~~)/;

function isTailChrome(line: string): boolean {
  return (
    line === "" ||
    CHROME_LINES.has(line) ||
    TAIL_LINES.has(line) ||
    TAIL_LINES_2.has(line) ||
    CHROME_IMAGE.test(line) ||
    LONE_PUNCTUATION.test(line)
  );
}

// Compares titles the way both old headings can differ: markdownify escapes (`\_`) and spacing.
function normalizeHeading(line: string): string {
  return line.replace(/^#\s+/, "").replace(/[\\\s]+/g, "");
}

// A byline line: one short paragraph of plain text (no Markdown markup, no image, no link).
function isBylineLike(line: string): boolean {
  return line.length > 0 && [...line].length <= 40 && !/^[!#>*\-+|`[]/.test(line) && !line.includes("**");
}

/** The account name the footer repeats before 向上滑动看下一个 (seed 000 and archive-sample/06.md show it). */
function footerAccount(lines: readonly string[]): string | null {
  const at = lines.indexOf("向上滑动看下一个");
  for (let i = at - 1; i >= 0 && i >= at - 3; i--) {
    const line = lines[i] ?? "";
    if (line !== "" && isBylineLike(line)) return line;
  }
  return null;
}

/** Index just past the byline that starts at `from` (skipping blank lines), or `from` when none is found. */
function bylineEnd(lines: readonly string[], from: number, accounts: readonly string[]): number {
  const candidates: number[] = [];
  for (let i = from; i < lines.length && candidates.length < 4; i++) {
    const line = lines[i] ?? "";
    if (line === "") continue;
    if (!isBylineLike(line)) break;
    candidates.push(i);
  }
  // The byline is [原创] [author, sometimes twice] account; it ends at the account name.
  for (const index of candidates) {
    if (accounts.includes(lines[index] ?? "")) return index + 1;
  }
  // Account unknown: drop only the 原创 badge, never guess which short line is the author.
  const first = candidates[0];
  return first !== undefined && lines[first] === "原创" ? first + 1 : from;
}

/**
 * Removes the page chrome of an archive body: the second `# title` and the byline after it, footer
 * lines and images, lone `：`/`，`/`。` runs, the trailing button row and 2026 widgets. Keeps the
 * first `# title` and the cover line; returns the body with single blank lines between paragraphs.
 */
export function cleanDocumentBody(body: string, title: string, options: CleanOptions = {}): string {
  const raw = body.replace(/\r\n/g, "\n").split("\n");
  // Decisions use trimmed lines; kept lines are written as they were (trailing spaces are hard breaks).
  const lines = raw.map((line) => line.trim());
  const accounts = [footerAccount(lines), options.account ?? null]
    .filter((a): a is string => a !== null && a.trim() !== "")
    .map((a) => a.trim());

  // Head: first `# title`, optional cover, then the page's own `# title` (#activity-name) and byline.
  let i = 0;
  const head: string[] = [];
  while (i < lines.length && lines[i] === "") i++;
  if ((lines[i] ?? "").startsWith("# ")) head.push(raw[i++] ?? "");
  while (i < lines.length && lines[i] === "") i++;
  if ((lines[i] ?? "").startsWith("![cover_image](")) head.push(raw[i++] ?? "");
  while (i < lines.length && lines[i] === "") i++;
  const second = lines[i] ?? "";
  const titles = [title, head[0] ?? ""].map(normalizeHeading).filter((t) => t !== "");
  const hasHeading = (head[0] ?? "").startsWith("# ");
  if (hasHeading && second.startsWith("# ") && titles.includes(normalizeHeading(second))) {
    i = bylineEnd(lines, i + 1, accounts);
  }

  // Footer: cut at its first marker line (outside code), then peel the trailing button row.
  let end = lines.length;
  let inCode = false;
  for (let k = i; k < lines.length; k++) {
    const text = lines[k] ?? "";
    if (FENCE.test(text)) inCode = !inCode;
    if (!inCode && FOOTER_START.has(text)) {
      end = k;
      break;
    }
  }
  while (end > i && isTailChrome(lines[end - 1] ?? "")) end--;

  const out: string[] = [...head.flatMap((line) => [line, ""])];
  inCode = false;
  for (let k = i; k < end; k++) {
    const text = lines[k] ?? "";
    if (FENCE.test(text)) inCode = !inCode;
    if (!inCode && text !== "" && isChromeLine(lines, k)) continue;
    if (!inCode && text === "") {
      if (out.length > 0 && out[out.length - 1] !== "") out.push("");
      continue;
    }
    out.push(raw[k] ?? "");
  }
  while (out.length > 0 && out[out.length - 1] === "") out.pop();
  return out.join("\n");
}

// A chrome line anywhere in the body: a UI phrase, a chrome image, or part of a run of lone punctuation.
function isChromeLine(lines: readonly string[], k: number): boolean {
  const text = lines[k] ?? "";
  if (CHROME_LINES.has(text) || CHROME_IMAGE.test(text)) return true;
  if (!LONE_PUNCTUATION.test(text)) return false;
  const neighbour = (offset: number) => LONE_PUNCTUATION.test(lines[k + offset] ?? "");
  return neighbour(-1) || neighbour(1);
}

// First lines of WeChat failure pages as the old converter wrote them (archive-sample/37.md,
// 44.md, 56.md; markers from wechat-pages.md section 4).
const FAILURE_MARKERS = [
  /^(?:##\s*)?环境异常$/,
  /^当前环境异常/,
  /^该内容已被发布者删除/,
  /^The content has been deleted by the author/i,
  /^(?:##\s*)?此内容因违规无法查看/,
  /^(?:##\s*)?(?:该内容暂时无法查看|发送失败无法查看|内容审核中)/,
  /^此帐号已(?:被屏蔽|自主注销)/,
  /^该公众号已迁移/,
];
const FAILURE_MAX_CHARS = 300;

/** True when a cleaned body holds no article text: only the title and cover, or a failure page. */
export function isStubBody(cleaned: string, title: string): boolean {
  const wanted = normalizeHeading(title);
  const lines = cleaned
    .replace(/\r\n/g, "\n")
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line !== "" && !line.startsWith("![cover_image]("));
  // The document's own `# title` line is not article text, nor is any heading repeating the title.
  const content = lines.filter(
    (line, k) => !(line.startsWith("# ") && (k === 0 || normalizeHeading(line) === wanted)),
  );
  if (content.length === 0) return true;
  const first = content[0] ?? "";
  return FAILURE_MARKERS.some((re) => re.test(first)) && content.join("").length <= FAILURE_MAX_CHARS;
}

const CUT_CHARS = 8000;
const CUT_TOLERANCE = 4;

/**
 * True when a body was cut by the old writer: it ends in `...` and the text after its `# title`
 * line is 8,000 characters plus the `...` (Python's `len`, i.e. code points; archive-sample 17–24, 38).
 */
export function isTruncatedBody(body: string): boolean {
  const text = body.replace(/\r\n/g, "\n").trimEnd();
  if (!text.endsWith("...")) return false;
  const newline = text.indexOf("\n");
  const content = text.startsWith("# ") && newline >= 0 ? text.slice(newline + 1) : text;
  const kept = [...content.replace(/^\n+/, "")].length - 3;
  return Math.abs(kept - CUT_CHARS) <= CUT_TOLERANCE;
}

/** Reads an archive document leniently and adds its cleaned body and stub/truncated flags. */
export function readArchiveDocument(text: string): ArchiveDocument {
  const doc = readDocument(text);
  const cleanedBody = cleanDocumentBody(doc.body, doc.title, { account: doc.source });
  const stub = isStubBody(cleanedBody, doc.title);
  return { ...doc, cleanedBody, stub, truncated: !stub && isTruncatedBody(doc.body) };
}
