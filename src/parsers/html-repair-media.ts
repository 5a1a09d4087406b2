/**
 * URL and media helpers for the body repairs (wechat-pages.md sections 5–6): image sources, link targets,
 * and the replacement nodes for audio, video and account cards. Pure functions over attribute values and
 * small domhandler nodes, kept apart from the tree walk in html-repair.ts so each file stays small.
 */
import { Element, Text } from "domhandler";
import { decodeHTML } from "entities/decode";

const WECHAT_ORIGIN = "https://mp.weixin.qq.com";
const VOICE_ENDPOINT = "https://res.wx.qq.com/voice/getvoice?mediaid=";
const VIDEO_PLACEHOLDER = "视频：请在原文中观看";

/** Normalizes an image URL to absolute https, or returns null for placeholders and unusable values. */
export function normalizeImageUrl(raw: string | undefined): string | null {
  if (raw === undefined) return null;
  let url = raw.trim();
  if (url === "" || url.startsWith("data:")) return null;
  if (url.startsWith("//")) url = `https:${url}`;
  else if (url.startsWith("http://")) url = `https://${url.slice(7)}`;
  // Browser-saved copies (17-20) point `src` at local `_files/` paths, which are useless outside that folder.
  else if (!url.startsWith("https://")) return null;
  // `#imgIndex=2` fragments (03) only drive the page's lazy loader.
  const hash = url.indexOf("#");
  if (hash > 0) url = url.slice(0, hash);
  return url.length > 8 ? url : null;
}

/** Picks the real image URL of an `img`: `data-src`, then `data-original`, then an absolute `src`. */
export function imageSource(attribs: Record<string, string>): string | null {
  return (
    normalizeImageUrl(attribs["data-src"]) ??
    normalizeImageUrl(attribs["data-original"]) ??
    normalizeImageUrl(attribs.src)
  );
}

/** True when an image is recognizably a QR code (alt/title text or a QR endpoint URL). */
export function isQrImage(attribs: Record<string, string>, url: string): boolean {
  const label = `${attribs.alt ?? ""} ${attribs.title ?? ""}`.toLowerCase();
  if (label.includes("二维码") || label.includes("qrcode") || label.includes("qr code")) return true;
  const lower = url.toLowerCase();
  return lower.includes("qrcode") || lower.includes("/qr/code") || lower.includes("showqrcode");
}

/** Normalizes a link target to an absolute URL, or returns null when the anchor should be unwrapped. */
export function normalizeLinkUrl(raw: string | undefined): string | null {
  if (raw === undefined) return null;
  let url = raw.trim();
  // Double-escaped `&amp;amp;` in older editors leaves a literal `&amp;` after parsing.
  if (url.includes("&amp;")) url = url.replaceAll("&amp;", "&");
  if (url === "" || url.startsWith("#")) return null;
  if (url.startsWith("//")) url = `https:${url}`;
  else if (url.startsWith("/")) url = `${WECHAT_ORIGIN}${url}`;
  const colon = url.indexOf(":");
  if (colon <= 0) return null;
  const scheme = url.slice(0, colon).toLowerCase();
  if (scheme === "mailto" || scheme === "tel") return url;
  if (scheme !== "http" && scheme !== "https") return null;
  if (url.startsWith("http://mp.weixin.qq.com/")) url = `https://${url.slice(7)}`;
  if (url.startsWith(`${WECHAT_ORIGIN}/`)) return normalizeWeChatLink(url);
  return url;
}

/** Related-reading links (01, 02, 09, 18) carry `scene`, `chksm` and `#wechat_redirect`; keep the identity. */
function normalizeWeChatLink(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return url;
  }
  const q = parsed.searchParams;
  const biz = q.get("__biz");
  const mid = q.get("mid");
  const idx = q.get("idx");
  const sn = q.get("sn");
  if ((parsed.pathname === "/s" || parsed.pathname === "/mp/appmsg/show") && biz && mid && idx && sn) {
    return `${WECHAT_ORIGIN}/s?__biz=${biz}&mid=${mid}&idx=${idx}&sn=${sn}`;
  }
  if (parsed.pathname.startsWith("/s/")) return `${WECHAT_ORIGIN}${parsed.pathname}`;
  parsed.hash = "";
  return parsed.toString();
}

/** Card titles arrive double-escaped (`name="【Day&amp;nbsp;15】…"` in 03): decode once more, one line. */
function cardText(raw: string | undefined): string {
  if (raw === undefined) return "";
  const decoded = raw.includes("&") ? decodeHTML(raw) : raw;
  return decoded.replace(/[\s\u00a0]+/g, " ").trim();
}

/** Builds a `p` holding one link (or plain text when there is no target). */
function linkParagraph(text: string, href: string | null): Element {
  const textNode = new Text(text);
  if (href === null) return withChildren(new Element("p", {}), [textNode]);
  const anchor = withChildren(new Element("a", { href }), [textNode]);
  return withChildren(new Element("p", {}), [anchor]);
}

/** Sets `children` and the parent pointers in one go. */
function withChildren(el: Element, children: (Element | Text)[]): Element {
  el.children = children;
  for (const child of children) child.parent = el;
  return el;
}

/** Formats a duration in milliseconds (or an already formatted `m:ss` string) as `m:ss`. */
function formatDuration(raw: string | undefined): string | null {
  if (raw === undefined || raw === "") return null;
  if (raw.includes(":")) return raw.trim();
  const ms = Number(raw);
  if (!Number.isFinite(ms) || ms <= 0) return null;
  const total = Math.round(ms / 1000);
  const minutes = Math.floor(total / 60);
  const seconds = total % 60;
  return `${minutes}:${seconds < 10 ? "0" : ""}${seconds}`;
}

/** `mp-common-mpaudio` (03) and legacy `mpvoice` become a titled link to WeChat's voice endpoint. */
export function buildAudioNode(el: Element): Element | null {
  const id = el.attribs.voice_encode_fileid?.trim();
  if (!id) return null;
  const name = cardText(el.attribs.name);
  const duration = formatDuration(el.attribs.play_length);
  let text = name === "" ? "音频" : `音频：${name}`;
  if (duration !== null) text += `（${duration}）`;
  return linkParagraph(text, `${VOICE_ENDPOINT}${encodeURIComponent(id)}`);
}

/** Extracts the `vid` of a v.qq.com player URL in a video iframe's `data-src`/`src`, or null. */
function tencentVid(el: Element): string | null {
  for (const raw of [el.attribs["data-src"], el.attribs.src]) {
    if (raw === undefined || !raw.includes("v.qq.com")) continue;
    let url: URL;
    try {
      url = new URL(raw.startsWith("//") ? `https:${raw}` : raw.replaceAll("&amp;", "&"));
    } catch {
      continue;
    }
    if (url.hostname !== "v.qq.com" && !url.hostname.endsWith(".v.qq.com")) continue;
    const vid = url.searchParams.get("vid");
    if (vid !== null && /^[A-Za-z0-9]{1,32}$/.test(vid)) return vid;
  }
  return null;
}

/** Video embeds: a v.qq.com `vid` links to the Tencent page; anything else (19) points at the article. */
export function buildVideoNode(el: Element, canonicalUrl: string | null): Element {
  const vid = tencentVid(el);
  if (vid !== null) return linkParagraph("视频：腾讯视频", `https://v.qq.com/x/page/${vid}.html`);
  return linkParagraph(VIDEO_PLACEHOLDER, canonicalUrl);
}

/** `mp-common-profile` account cards (01) reduce to the account name, or nothing. */
export function buildProfileNode(el: Element): Element | null {
  const name = cardText(el.attribs["data-nickname"]);
  return name === "" ? null : linkParagraph(`公众号：${name}`, null);
}
