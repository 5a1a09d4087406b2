/**
 * Markdown bodies for the page types that have no article body (wechat-pages.md section 3): image
 * shares (type 8), text shares (type 10), the share of another article (a type-0 page whose
 * `#js_content` is empty, `10-share-repost.html`), and the video/music/audio/short-content types
 * (5, 6, 7, 17), which become a description plus a link or audio enclosure. Text comes from inline
 * scripts, so it is escaped here exactly as markdown.ts escapes page text.
 */
import { findAll } from "domutils";
import { cleanText, shareText } from "./article-meta.ts";
import { elementRange, findTagById, parseElement, textOf } from "./content-slice.ts";
import { imageSource, normalizeImageUrl } from "./html-repair-media.ts";
import { decodeEntities, type JsValue, jsPath, jsString, readChain, unescapeJs } from "./js-literal.ts";
import { escapeLineStart, escapeText, escapeUrl } from "./markdown-escape.ts";
import type { PageScan } from "./page-scan.ts";
import { parseWeChatUrl } from "./wechat-url.ts";

/** WeChat's voice endpoint, the same one html-repair-media.ts links `mpvoice` cards to. */
const VOICE_ENDPOINT = "https://res.wx.qq.com/voice/getvoice?mediaid=";
const URL_IN_TEXT = /https?:\/\/[^\s<>"'，。！？、；：“”（）【】]+/g;

/** Escapes one line of plain text for Markdown, leaving bare URLs intact so they still autolink. */
function escapeLine(line: string): string {
  let out = "";
  let last = 0;
  for (const m of line.matchAll(URL_IN_TEXT)) {
    out += escapeText(line.slice(last, m.index)) + m[0];
    last = m.index + m[0].length;
  }
  return escapeLineStart(out + escapeText(line.slice(last)));
}

/** Plain text → Markdown: every non-blank line becomes its own paragraph (posts use a line per paragraph). */
export function textToMarkdown(text: string): string {
  return text
    .replace(/\r\n?/g, "\n")
    .split("\n")
    .map((line) => line.replace(/[\s\u00a0]+/g, " ").trim())
    .filter((line) => line !== "")
    .map(escapeLine)
    .join("\n\n");
}

function link(text: string, href: string | null): string {
  return href === null ? escapeText(text) : `[${escapeText(text, true)}](${escapeUrl(href)})`;
}

function joinBlocks(...blocks: readonly (string | null | undefined)[]): string {
  return blocks.filter((b): b is string => b !== null && b !== undefined && b !== "").join("\n\n");
}

/** Undoes `&amp;` layers in a URL from a script (`\x26amp;amp;` in cgiDataNew of `01-article.html`). */
function decodeUrl(raw: string): string {
  let url = raw.trim();
  for (let i = 0; i < 3 && url.includes("&"); i++) {
    const next = decodeEntities(url);
    if (next === url) break;
    url = next;
  }
  return url;
}

/** A string of HTML written by a script (`innerHTML = …`, `document.write(…)`) → plain text. */
function scriptHtmlToText(raw: string): string {
  const html = unescapeJs(raw)
    .replace(/<br\s*\/?>/gi, "\n")
    .replace(/<[^>]*>/g, "");
  return decodeEntities(html);
}

/**
 * The 2018 share template's `#js_content` (wechat-more/01): the text is the string an inline
 * `document.write("…")` script writes, the pictures are the `<img>` elements (`#img_list`).
 */
function readLegacyShare(scan: PageScan): { text: string | undefined; images: string[] } {
  const range = scan.content;
  if (range === null) return { text: undefined, images: [] };
  const slice = scan.html.slice(range.start, range.end);
  const texts: string[] = [];
  for (const m of slice.matchAll(/document\.write\s*\(\s*/g)) {
    const chain = readChain(slice, m.index + m[0].length);
    if (chain.value !== undefined) texts.push(scriptHtmlToText(chain.value));
  }
  const root = parseElement(slice);
  const images = root === null ? [] : findAll((el) => el.name === "img", root.children);
  return {
    text: texts.join("\n").trim() === "" ? undefined : texts.join("\n"),
    images: images.map((img) => imageSource(img.attribs)).filter((url): url is string => url !== null),
  };
}

/**
 * Image share (05, 06): the text, then every picture — the top-level `cdn_url` of each
 * `picture_page_info_list` entry, never the nested `watermark_info`/`share_cover` ones. The 2018
 * template has neither list nor text variable: its `#js_content` holds both (see readLegacyShare).
 */
export function buildImageShareMarkdown(scan: PageScan): string {
  const list: JsValue | undefined =
    scan.object("picture_page_info_list") ?? jsPath(scan.object("cgiDataNew"), "picture_page_info_list");
  const urls: string[] = [];
  if (Array.isArray(list)) {
    for (const entry of list as readonly JsValue[]) {
      const url = jsString(entry, "cdn_url");
      if (url !== undefined && url.trim() !== "") urls.push(decodeUrl(url));
    }
  }
  let text = shareText(scan);
  if (urls.length === 0 && text === undefined) {
    const legacy = readLegacyShare(scan);
    text = legacy.text;
    urls.push(...legacy.images);
  }
  const images = urls.map((url) => `![](${escapeUrl(url)})`);
  return joinBlocks(text === undefined ? null : textToMarkdown(text), ...images);
}

/** Text share (07, 08): the text, whole (the title may have been derived from its first line). */
export function buildTextShareMarkdown(scan: PageScan): string {
  const text = shareText(scan);
  return text === undefined ? "" : textToMarkdown(text);
}

/** Formats seconds as `m:ss`. */
function formatSeconds(raw: string | undefined): string | null {
  const seconds = raw === undefined ? Number.NaN : Number(raw);
  if (!Number.isFinite(seconds) || seconds <= 0) return null;
  const s = Math.round(seconds);
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")}`;
}

/** What a media share's body needs from the page's metadata. */
export interface MediaShareFields {
  readonly title: string;
  readonly description: string | null;
  readonly cover: string | null;
  /** The canonical (or fetch) URL the body links to when the media has no address of its own. */
  readonly pageUrl: string | null;
}

const TENCENT_VID = /^[A-Za-z0-9]{1,32}$/;

/**
 * The video of a video share as a link with its cover: to the Tencent video page when the page names
 * the `vid` (the 2018 `video_detail` template's `window.cgiData`, wechat-more/02), else to the page.
 */
function buildVideoLink(scan: PageScan, fields: MediaShareFields): string {
  const vid = [scan.legacyCgi("vid"), scan.cgi("vid")].find((v) => v !== undefined && TENCENT_VID.test(v));
  const href = vid === undefined ? fields.pageUrl : `https://v.qq.com/x/page/${vid}.html`;
  const label = vid === undefined ? "视频：请在原文中观看" : `视频：${fields.title}`;
  const cover = normalizeImageUrl(fields.cover ?? undefined);
  if (cover === null) return link(label, href);
  const image = `![${escapeText(label, true)}](${escapeUrl(cover)})`;
  return href === null ? image : `[${image}](${escapeUrl(href)})`;
}

/**
 * Video (5), music (6), audio (7) and short-content (17) shares: the description, then a link to the
 * page or, for audio, to the voice file. Apart from the 2018 video template (wechat-more/02) no real
 * capture exists; the other shapes read here are those of the synthetic pages in
 * test/fixtures/synthetic (voiceid/duration variables or cgiDataNew fields).
 */
export function buildMediaShareMarkdown(scan: PageScan, showType: number, fields: MediaShareFields): string {
  // The raw text keeps its line breaks, which the one-line `description` field has flattened.
  const raw = [
    scan.cgi("content_noencode"),
    scan.cgi("desc"),
    scan.legacyCgi("desc"),
    scan.variable("msg_desc"),
  ].find((t) => t !== undefined && t.trim() !== "");
  const description = textToMarkdown(raw === undefined ? (fields.description ?? "") : decodeEntities(raw));
  let media: string;
  if (showType === 7) {
    const voiceId =
      scan.variable("voiceid") ?? scan.cgi("voiceid") ?? scan.cgi("voice_in_appmsg", 0, "voice_id");
    const duration = formatSeconds(scan.variable("duration") ?? scan.cgi("duration"));
    const label = `音频：${fields.title}${duration === null ? "" : `（${duration}）`}`;
    media =
      voiceId === undefined
        ? link(label, fields.pageUrl)
        : link(label, `${VOICE_ENDPOINT}${encodeURIComponent(voiceId.trim())}`);
  } else if (showType === 5) {
    media = buildVideoLink(scan, fields);
  } else if (showType === 6) {
    media = link("音乐：请在原文中收听", fields.pageUrl);
  } else {
    media = link("请在原文中查看", fields.pageUrl);
  }
  return joinBlocks(description, media);
}

function elementAt(html: string, id: string): ReturnType<typeof parseElement> {
  const start = findTagById(html, id);
  const range = start === -1 ? null : elementRange(html, start);
  return range === null ? null : parseElement(html.slice(range.start, range.end));
}

/** The sharer's comment: the string the `#js_share_notice` script assigns to innerHTML (10). */
function shareComment(html: string): string | undefined {
  const start = findTagById(html, "js_share_notice");
  const range = start === -1 ? null : elementRange(html, start);
  if (range === null) return undefined;
  const slice = html.slice(range.start, range.end);
  const assign = /\.innerHTML\s*=\s*/.exec(slice);
  if (assign !== null) {
    const chain = readChain(slice, assign.index + assign[0].length);
    if (chain.value !== undefined) {
      // The string is HTML for innerHTML: `<br>` are line breaks, entities are text.
      return scriptHtmlToText(chain.value);
    }
  }
  // A rendered copy has the comment as the element's own text.
  const el = parseElement(slice);
  const text = el === null ? "" : textOf(el);
  return text === "" ? undefined : text;
}

/** True when the page is a share of another article: an empty body plus the share card (10). */
export function isShareRepost(scan: PageScan): boolean {
  return findTagById(scan.html, "js_share_source") !== -1 || findTagById(scan.html, "js_share_notice") !== -1;
}

/**
 * Share of another article (10): the sharer's comment, then one link to the shared article. Its URL
 * (`#js_share_source` `data-url`, percent-encoded biz, `scene`, `#wechat_redirect`) is normalized; its
 * body is never spliced in.
 */
export function buildShareRepostMarkdown(scan: PageScan): string {
  const { html } = scan;
  const comment = shareComment(html);
  const title = cleanText(textOf(elementAt(html, "original_panel_title")));
  const account = cleanText(textOf(elementAt(html, "js_share_author")));
  const rawUrl = elementAt(html, "js_share_source")?.attribs["data-url"];
  let url: string | null = null;
  if (rawUrl !== undefined && rawUrl.trim() !== "") {
    try {
      url = parseWeChatUrl(rawUrl).url;
    } catch {
      url = null;
    }
  }
  const linkText = title ?? (url === null ? undefined : "原文");
  const card =
    linkText === undefined
      ? null
      : `分享文章：${link(linkText, url)}${account === undefined ? "" : `（${escapeText(account)}）`}`;
  return joinBlocks(comment === undefined ? null : textToMarkdown(comment), card);
}
