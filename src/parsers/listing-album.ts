/**
 * Reads a WeChat album (合集) listing, as the HTML page or as its `f=json` paging response, and builds the
 * URL of the next JSON page.
 *
 * No real album capture exists yet; the shapes follow wechat-pages.md section 10 and the synthetic fixtures in
 * test/fixtures/listings/album.html and album.json. WeChat quirks handled here: `create_time` is Unix seconds as
 * a string, `continue_flag` is "0"/"1", a one-article page returns `article_list` as a bare object instead of
 * an array, and JSON urls keep HTML-escaped `&amp;` (parseArticleUrl decodes those later).
 */

import type { Document, Element } from "domhandler";
import { findAll, findOne, getAttributeValue, textContent } from "domutils";
import { decodeHTML } from "entities";
import { InvalidUrlError, ParseError } from "../errors.ts";
import { parseBoundedHtml } from "./html-parse.ts";
import type { ListingItem } from "./listing-refs.ts";
import { fromUnixSeconds } from "./time.ts";
import { parseWeChatUrl } from "./wechat-url.ts";

/** Where the next JSON page starts: the last article of the current page. */
export interface AlbumCursor {
  readonly beginMsgid: string;
  readonly beginItemidx: string;
}

/** A parsed album HTML page: the album's name and its entries in page order. */
export interface AlbumHtmlListing {
  readonly title: string | null;
  readonly items: ListingItem[];
}

/** A parsed album JSON page: its entries, whether WeChat has more, and the cursor for the next page. */
export interface AlbumJsonListing {
  readonly items: ListingItem[];
  readonly continueFlag: boolean;
  readonly nextCursor: AlbumCursor | null;
}

/** Articles per JSON page; WeChat's own album page asks for 10–20. */
const PAGE_SIZE = 20;

/** Parses an album HTML page: `li[data-link]` entries with `data-title` and `.js_article_create_time`. */
export function parseAlbumHtml(html: string): AlbumHtmlListing {
  const document = parseBoundedHtml(html, "PARSE_LISTING");
  // Prefer the album list itself, so a "related albums" block elsewhere on the page cannot leak entries in.
  const list = findOne((el) => hasClass(el, "js_album_list"), document) ?? document;
  const items = findAll(
    (el) => el.name === "li" && getAttributeValue(el, "data-link") !== undefined,
    list,
  ).map((li): ListingItem => {
    const timeEl = findOne((el) => hasClass(el, "js_article_create_time"), li);
    return {
      link: getAttributeValue(li, "data-link")?.trim() ?? "",
      title: cleanText(getAttributeValue(li, "data-title") ?? titleText(li)),
      date: timeEl === null ? null : fromUnixDigits(textContent(timeEl)),
    };
  });
  return { title: albumTitle(document), items };
}

/** Parses an album `f=json` response; `base_resp.ret` ≠ 0 or a non-album body throws PARSE_LISTING. */
export function parseAlbumJson(text: string): AlbumJsonListing {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new ParseError("PARSE_LISTING", "listing-album: album response is not JSON", {}, error);
  }
  if (!isRecord(data))
    throw new ParseError("PARSE_LISTING", "listing-album: album response is not an object");
  const baseResp = isRecord(data.base_resp) ? data.base_resp : {};
  const ret = Number(baseResp.ret ?? 0);
  if (ret !== 0) {
    const errmsg = stringField(baseResp.errmsg).slice(0, 200);
    throw new ParseError("PARSE_LISTING", `listing-album: album response base_resp.ret ${ret}`, {
      ret,
      errmsg,
    });
  }
  const resp = data.getalbum_resp;
  if (!isRecord(resp))
    throw new ParseError("PARSE_LISTING", "listing-album: album response has no getalbum_resp");
  const list = resp.article_list;
  // A one-article page returns article_list as a bare object; an empty page may omit it.
  const rows = (Array.isArray(list) ? list : list === undefined || list === null ? [] : [list]).filter(
    isRecord,
  );
  const items = rows.map(
    (row): ListingItem => ({
      // Left escaped: parseArticleUrl decodes `&amp;`, and a full HTML decode would also turn a param
      // spelled like a legacy entity (`&not=`) into a symbol.
      link: stringField(row.url).trim(),
      title: cleanText(decodeHTML(stringField(row.title))),
      date: fromUnixDigits(stringField(row.create_time)),
    }),
  );
  const continueFlag = String(resp.continue_flag ?? "0").trim() === "1";
  const last = rows.at(-1);
  const beginMsgid = stringField(last?.msgid).trim();
  const beginItemidx = stringField(last?.itemidx).trim();
  const nextCursor =
    continueFlag && beginMsgid !== "" && beginItemidx !== "" ? { beginMsgid, beginItemidx } : null;
  return { items, continueFlag, nextCursor };
}

/**
 * Builds the `f=json` paging URL for an album URL, starting after `cursor` when given. Throws InvalidUrlError
 * when `albumUrl` is not a WeChat album URL, so nothing but mp.weixin.qq.com album paths is ever requested.
 */
export function buildAlbumPageUrl(albumUrl: string, cursor?: AlbumCursor): string {
  const parsed = parseWeChatUrl(albumUrl);
  if (parsed.form !== "album") {
    throw new InvalidUrlError("URL_NOT_ARTICLE", `listing-album: not an album URL: ${parsed.url}`);
  }
  const params: [string, string][] = [
    ["action", "getalbum"],
    ["__biz", parsed.biz],
    ["album_id", parsed.albumId],
    ["f", "json"],
    ["count", String(PAGE_SIZE)],
  ];
  if (cursor !== undefined) {
    params.push(["begin_msgid", cursor.beginMsgid], ["begin_itemidx", cursor.beginItemidx]);
  }
  // `=` stays literal so the biz reads as in every other WeChat URL (`…NA==`).
  const query = params.map(([name, value]) => `${name}=${encodeURIComponent(value).replace(/%3D/g, "=")}`);
  return `https://mp.weixin.qq.com/mp/appmsgalbum?${query.join("&")}`;
}

/** The album name: `#js_tag_name` on the page, else og:title, else the document title. */
function albumTitle(nodes: Document): string | null {
  const tag = findOne((el) => getAttributeValue(el, "id") === "js_tag_name", nodes);
  if (tag !== null && cleanText(textContent(tag)) !== null) return cleanText(textContent(tag));
  const og = findOne((el) => el.name === "meta" && getAttributeValue(el, "property") === "og:title", nodes);
  const ogTitle = og === null ? null : cleanText(getAttributeValue(og, "content"));
  if (ogTitle !== null) return ogTitle;
  const title = findOne((el) => el.name === "title", nodes);
  return title === null ? null : cleanText(textContent(title));
}

/** An entry without `data-title` still shows its title in `.album__item-title-wrp`. */
function titleText(li: Element): string | undefined {
  const el = findOne((node) => hasClass(node, "album__item-title-wrp"), li);
  return el === null ? undefined : textContent(el);
}

function hasClass(el: Element, name: string): boolean {
  return (getAttributeValue(el, "class") ?? "").split(/\s+/).includes(name);
}

function fromUnixDigits(text: string): Date | null {
  const trimmed = text.trim();
  return /^\d{9,11}$/.test(trimmed) ? fromUnixSeconds(trimmed) : null;
}

function stringField(value: unknown): string {
  return typeof value === "string" || typeof value === "number" ? String(value) : "";
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function cleanText(text: string | undefined): string | null {
  const cleaned = (text ?? "").replace(/\s+/g, " ").trim();
  return cleaned === "" ? null : cleaned;
}
