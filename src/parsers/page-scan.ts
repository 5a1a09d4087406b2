/**
 * One read of a raw WeChat page, shared by classification (page-kind.ts) and extraction
 * (wechat-article.ts) so a 3 MB page is scanned once: the inline variables of wechat-pages.md
 * section 2 in a single pass (with the 2018 templates' `window.cgiData`), the `#js_content` range,
 * and — lazily — the `<meta>` tags and a small DOM of the header (from `#activity-name` to
 * `#js_content`, where title, account, byline, reprint card and share card live in every layout of
 * the corpus).
 */
import type { ChildNode } from "domhandler";
import { collectMetas, type ElementRange, findTagById, locateContent, parseSlice } from "./content-slice.ts";
import { type JsValue, jsString } from "./js-literal.ts";
import { scanJsVars } from "./js-vars.ts";

/** Scalar inline variables read from every page. */
const SCALAR_NAMES = [
  "msg_title",
  "nickname",
  "author",
  "ct",
  "create_time",
  "createTime",
  "publish_time",
  "ori_create_time",
  "biz",
  "mid",
  "idx",
  "sn",
  "appmsgid",
  "itemidx",
  "msg_link",
  "msg_cdn_url",
  "msg_desc",
  "msg_source_url",
  "item_show_type",
  "real_item_show_type",
  "copyright_stat",
  "is_user_title",
  "transferTargetLink",
  "voiceid",
  "duration",
] as const;

/** Object literals read from every page. */
const OBJECT_NAMES = ["cgiDataNew", "picture_page_info_list", "text_page_info", "cgiData"] as const;

/** Objects the 2018 templates fill member by member (`d.title = "…"`, `wechat-more/01`, `02`). */
const MEMBER_OBJECTS = ["cgiData"] as const;

/** A name of a scalar inline variable the scan reads. */
export type ScalarName = (typeof SCALAR_NAMES)[number];

/** How far before `#js_content` the header is looked for when `#activity-name` is missing (share pages). */
const HEADER_FALLBACK_CHARS = 20_000;

/** The pieces of a page that every later step reads. */
export interface PageScan {
  readonly html: string;
  /** A scalar variable's first non-empty value (JS escapes undone, entities not), or undefined. */
  readonly variable: (name: ScalarName) => string | undefined;
  /** Whether the variable was assigned a literal at all (even an empty one). */
  readonly hasVariable: (name: ScalarName) => boolean;
  /** A string inside `window.cgiDataNew` (JS escapes undone), or undefined. */
  readonly cgi: (...keys: readonly (string | number)[]) => string | undefined;
  /**
   * A non-empty value of the 2018 templates' `window.cgiData` (JS escapes undone): its `d.*` members,
   * else a key of its object literal (`vid`, `video_title` on the video template).
   */
  readonly legacyCgi: (key: string) => string | undefined;
  /** `window.cgiDataNew`, `window.picture_page_info_list`, `window.text_page_info` or `window.cgiData`. */
  readonly object: (name: (typeof OBJECT_NAMES)[number]) => JsValue | undefined;
  /** The `#js_content` element's range, or null. */
  readonly content: ElementRange | null;
  /** `<meta>` values by property/name (lazy). */
  readonly metas: () => ReadonlyMap<string, string>;
  /** The parsed header region (lazy); empty when the page has neither `#activity-name` nor `#js_content`. */
  readonly header: () => readonly ChildNode[];
}

function lazy<T>(make: () => T): () => T {
  let done = false;
  let value: T | undefined;
  return () => {
    if (!done) {
      value = make();
      done = true;
    }
    return value as T;
  };
}

/** Reads the inline variables and locates `#js_content` once; metas and header are parsed on demand. */
export function scanPage(html: string): PageScan {
  const vars = scanJsVars(html, SCALAR_NAMES, OBJECT_NAMES, MEMBER_OBJECTS);
  const legacyMembers = vars.members.get("cgiData");
  const legacyObject = vars.objects.get("cgiData");
  const content = locateContent(html);
  const cgiData = vars.objects.get("cgiDataNew");
  const header = lazy(() => {
    const end = content?.start ?? -1;
    // The title precedes the body in every layout; searching only the part before it spares share
    // pages (05–08, no #activity-name) a scan of the whole 3 MB page.
    const titleAt = findTagById(end === -1 ? html : html.slice(0, end), "activity-name");
    if (titleAt !== -1 && end > titleAt) return parseSlice(html.slice(titleAt, end));
    if (titleAt !== -1) return parseSlice(html.slice(titleAt, titleAt + HEADER_FALLBACK_CHARS));
    if (end !== -1) return parseSlice(html.slice(Math.max(0, end - HEADER_FALLBACK_CHARS), end));
    return [];
  });
  return {
    html,
    variable: (name) => {
      const v = vars.values.get(name);
      return v === undefined || v === "" ? undefined : v;
    },
    hasVariable: (name) => vars.values.has(name),
    cgi: (...keys) => jsString(cgiData, ...keys),
    legacyCgi: (key) => {
      for (const v of [legacyMembers?.get(key), jsString(legacyObject, key)]) {
        if (v !== undefined && v.trim() !== "") return v;
      }
      return undefined;
    },
    object: (name) => vars.objects.get(name),
    content,
    metas: lazy(() => collectMetas(html)),
    header,
  };
}
