/**
 * The reading page of one archived article (`/articles/<key>`): title, byline and time, a notice when
 * WeChat no longer serves the article (tombstoned: deleted, blocked...), the body rendered through the
 * same Markdown renderer and allowlist sanitizer as feed content (images through the proxy when on),
 * and a link to the original. So an article WeChat deleted stays readable here. Also the 404 page of
 * an unknown key. Pure: the time of the tombstone comes in as data.
 */
import type { FeedItem, PageClass } from "../model.ts";
import { toBeijingMinute } from "./digest.ts";
import { itemTime, toFeedLine } from "./feed-entry.ts";
import { renderHtmlPage } from "./html-page.ts";
import { renderArticleHtml } from "./markdown-html.ts";
import { sanitizeHtml, toHttpUrl } from "./sanitize.ts";
import { escapeXml } from "./xml.ts";

/** Why WeChat no longer serves an article we archived (its tombstone). */
export interface SourceGone {
  readonly pageClass: PageClass;
  /** When we found out. */
  readonly at: Date;
}

const GONE_REASON: Partial<Record<PageClass, string>> = {
  deleted: "该文章已被发布者删除",
  violation: "该文章因违规已无法在微信查看",
  "send-failed": "该文章在微信发送失败，无法查看",
  "account-blocked": "该公众号已被封禁",
  "account-gone": "该公众号已注销",
  migrated: "该公众号已迁移",
  unavailable: "该文章在微信暂时无法查看",
  "under-review": "该文章在微信审核中",
};

const CSS = `
h1 { font-size: 1.6em; line-height: 1.35; margin: 0 0 8px; }
h1 + p { color: var(--muted); margin: 0 0 20px; font-size: .88em; }
blockquote { margin: 0 0 20px; padding: 10px 14px; border-left: 4px solid var(--line); background: var(--card);
  border-radius: 6px; }
main > div img { max-width: 100%; height: auto; }
main > div pre { overflow-x: auto; background: var(--card); padding: 12px; border-radius: 6px; }
main > div table { border-collapse: collapse; display: block; overflow-x: auto; }
main > div th, main > div td { border: 1px solid var(--line); padding: 4px 8px; }
h1 ~ blockquote { border-left-color: #cf222e; }
hr { border: 0; border-top: 1px solid var(--line); margin: 32px 0 16px; }
`;

/** The one-line notice of a tombstoned article, with the day we found out. */
function toGoneNotice(gone: SourceGone): string {
  const reason = GONE_REASON[gone.pageClass] ?? "该文章已无法在微信查看";
  return `${reason}（${toBeijingMinute(gone.at)} 发现）。以下是本站存档的副本。`;
}

/** Renders the reading page of `item`, marked as gone from WeChat when `gone` is given. */
export function renderArticlePage(
  item: FeedItem,
  gone: SourceGone | null,
  imageUrl?: (url: string) => string,
): string {
  const options = imageUrl === undefined ? {} : { imageUrl };
  const title = toFeedLine(item.title, 512) || "（无标题）";
  const byline = [item.account, item.author, toBeijingMinute(itemTime(item))]
    .map((part) => toFeedLine(part ?? ""))
    .filter((part, i, all) => part !== "" && all.indexOf(part) === i);
  const original = toHttpUrl(item.url);
  const head = [
    `<h1>${escapeXml(title)}</h1>`,
    `<p>${escapeXml(byline.join(" · "))}</p>`,
    ...(gone === null ? [] : [`<blockquote>${escapeXml(toGoneNotice(gone))}</blockquote>`]),
  ].join("\n");
  const link =
    original === null
      ? ""
      : `<hr /><p><a href="${escapeXml(original)}">${gone === null ? "在微信中阅读原文" : "微信原文链接（已失效）"}</a></p>`;
  const body = `${sanitizeHtml(head)}\n<div>\n${renderArticleHtml(item.markdown, options)}\n</div>\n${sanitizeHtml(link)}`;
  return renderHtmlPage({ title, css: CSS, body });
}

/** The page of a key we have no article for. */
export function renderArticleNotFoundPage(): string {
  const body = sanitizeHtml(
    "<h1>没有这篇文章</h1><p>本站存档中没有这个地址对应的文章：它可能从未被收录，或地址有误。</p>",
  );
  return renderHtmlPage({ title: "没有这篇文章", css: CSS, body });
}
