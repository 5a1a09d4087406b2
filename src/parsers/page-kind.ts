/**
 * Classifies a fetched WeChat page before extraction (wechat-pages.md section 4). Success comes
 * first: a page with an `item_show_type` metadata block or a `#js_content` holding text is an article
 * whatever it quotes (an article may say "已被删除"). Only then are failure markers looked for, in
 * the visible text of `<title>` and `<body>` (scripts and styles removed) and in the final URL.
 */
import type { ClassifiedPage } from "../model.ts";
import { findTagById, hasVisibleText, titleText, visibleText } from "./content-slice.ts";
import { type PageScan, scanPage } from "./page-scan.ts";

interface MarkerRule {
  readonly pageClass: ClassifiedPage;
  readonly phrases: readonly string[];
}

/**
 * Marker phrases, most specific first: a verification page must never read as anything else, and
 * account-level states outrank article-level ones. 帐号/账号 are both in use, so both are listed.
 */
const MARKERS: readonly MarkerRule[] = [
  { pageClass: "verification", phrases: ["环境异常", "完成验证后即可继续访问"] },
  {
    pageClass: "migrated",
    phrases: [
      "该公众号已迁移",
      "原帐号迁移时未将文章素材同步至新帐号",
      "原账号迁移时未将文章素材同步至新账号",
    ],
  },
  { pageClass: "account-gone", phrases: ["此帐号已自主注销", "此账号已自主注销"] },
  { pageClass: "account-blocked", phrases: ["此帐号已被屏蔽", "此账号已被屏蔽"] },
  // 11-deleted.html, 12-deleted-en.html
  { pageClass: "deleted", phrases: ["该内容已被发布者删除", "The content has been deleted by the author"] },
  // 13-violation.html, 14-violation.html (English reason, Chinese title)
  {
    pageClass: "violation",
    phrases: ["此内容因违规无法查看", "Unable to view this content because it violates regulation"],
  },
  { pageClass: "send-failed", phrases: ["发送失败无法查看"] },
  { pageClass: "under-review", phrases: ["内容审核中"] },
  // 15-unavailable.html: a 934-byte page whose <title> is the phrase
  { pageClass: "unavailable", phrases: ["该内容暂时无法查看"] },
  // wechat-more/03: an expired temporary link (`/s?src=…&timestamp=…&signature=…`); 参数错误 is
  // what a temporary link with broken signing parameters shows.
  { pageClass: "expired", phrases: ["链接已过期", "参数错误"] },
];

/**
 * An HTML document: failure and account pages always are one. Text that merely quotes a marker
 * (README.md names 环境异常) is no WeChat page at all, so it is `unknown`.
 */
const HTML_DOCUMENT = /<(?:html|head|body|title)[\s>]/i;

/** URL paths under mp.weixin.qq.com that are WeChat pages but never articles. */
const NOT_ARTICLE_PATHS = /^\/mp\/(?:profile_ext|getverifyinfo|appmsgalbum|homepage|aboutbiz)\b/;

/**
 * Markup of account pages, which are never articles: the "about" page (16: `.item-desc` fields) and
 * the history/profile page (wechat-more/04, `profile_ext?action=home`: `.page_profile_info` and the
 * `msgList` of recent posts).
 */
const NOT_ARTICLE_MARKUP: readonly RegExp[] = [
  /class\s*=\s*["'][^"']*\b(?:item-desc|page_profile_info)\b/,
  /\bvar\s+msgList\s*=/,
];

/** The page's item_show_type (variable or cgiDataNew), or null when the page declares none. */
export function showTypeOf(scan: PageScan): number | null {
  const raw = scan.variable("item_show_type") ?? scan.cgi("item_show_type");
  return raw !== undefined && /^\d+$/.test(raw.trim()) ? Number(raw) : null;
}

function urlPath(finalUrl: string | undefined): string {
  if (finalUrl === undefined) return "";
  try {
    return new URL(finalUrl).pathname;
  } catch {
    return "";
  }
}

/** True when the page is a success page: an item_show_type, or a `#js_content` with text or pictures. */
export function isArticleScan(scan: PageScan): boolean {
  if (showTypeOf(scan) !== null) return true;
  const c = scan.content;
  if (c === null) return false;
  const body = scan.html.slice(c.innerStart, c.end);
  // A body of pictures only is still an article.
  return hasVisibleText(body) || /<img\b[^>]*\s(?:data-src|src)\s*=\s*["']?(?:https?:)?\/\//i.test(body);
}

/** Classifies an already scanned page (see classifyPage). */
export function classifyScan(scan: PageScan, finalUrl?: string): ClassifiedPage {
  if (isArticleScan(scan)) return "article";
  const { html } = scan;
  const path = urlPath(finalUrl);
  if (/captcha/i.test(path) || findTagById(html, "js_verify") !== -1) return "verification";
  if (scan.variable("transferTargetLink") !== undefined) return "migrated";
  if (!HTML_DOCUMENT.test(html)) return "unknown";
  const title = titleText(html);
  const text = `${title} ${visibleText(html)}`;
  for (const rule of MARKERS) {
    if (rule.phrases.some((phrase) => text.includes(phrase))) return rule.pageClass;
  }
  // 16-profile-about.html: the account "about" page (<title> 关于公众号, .item-desc, getverifyinfo link).
  if (
    title === "关于公众号" ||
    NOT_ARTICLE_MARKUP.some((re) => re.test(html)) ||
    html.includes("/mp/getverifyinfo") ||
    NOT_ARTICLE_PATHS.test(path)
  ) {
    return "not-article";
  }
  return "unknown";
}

/** Classifies a raw WeChat page; `finalUrl` is the URL after redirects (a captcha path means verification). */
export function classifyPage(html: string, finalUrl?: string): ClassifiedPage {
  return classifyScan(scanPage(html), finalUrl);
}
