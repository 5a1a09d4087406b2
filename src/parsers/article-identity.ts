/**
 * Article identity from a scanned page (wechat-pages.md section 1.3): (biz, mid, idx) from the inline
 * variables, cgiDataNew or the 2018 `window.cgiData`, else from a long-form link in the page (`og:url` alone in the
 * scripts-stripped `26-article-2024-mercury-fixture.html`), else from the URL the page was fetched from.
 */
import type { ArticleIdentity } from "../model.ts";
import { decodeEntities } from "./js-literal.ts";
import type { PageScan } from "./page-scan.ts";
import { buildCanonicalUrl, parseWeChatUrl } from "./wechat-url.ts";

const BIZ_RE = /^[A-Za-z0-9+/]+={0,2}$/;
const NUM_RE = /^[1-9][0-9]*$/;
const SN_RE = /^[A-Za-z0-9]{8,64}$/;

function sameIdentity(a: ArticleIdentity, b: ArticleIdentity): boolean {
  return a.biz.replace(/=+$/, "") === b.biz.replace(/=+$/, "") && a.mid === b.mid && a.idx === b.idx;
}

/**
 * The article identity (biz, mid, idx), its sn and the canonical URL. Variables and cgiDataNew come
 * first; `msg_link`, `og:url`, `cgiDataNew.link` and finally the fetch URL fill what they lack, an sn
 * only when its link names the same article. Without an sn the canonical URL is null (`22`).
 */
export function readIdentity(
  scan: PageScan,
  url: string | undefined,
): { identity: ArticleIdentity | null; sn: string | null; canonicalUrl: string | null } {
  const biz = scan.variable("biz") ?? scan.cgi("bizuin") ?? scan.legacyCgi("biz");
  const mid = scan.variable("mid") ?? scan.variable("appmsgid") ?? scan.cgi("mid") ?? scan.legacyCgi("mid");
  const idx = scan.variable("idx") ?? scan.variable("itemidx") ?? scan.cgi("idx") ?? scan.legacyCgi("idx");
  let identity: ArticleIdentity | null =
    biz !== undefined &&
    mid !== undefined &&
    idx !== undefined &&
    BIZ_RE.test(biz) &&
    NUM_RE.test(mid) &&
    NUM_RE.test(idx)
      ? { biz, mid, idx }
      : null;
  const rawSn = scan.variable("sn") ?? scan.cgi("sn") ?? scan.legacyCgi("sn");
  let sn = rawSn !== undefined && SN_RE.test(rawSn) ? rawSn : null;
  // Links fill what the variables lack: 26 has only og:url; a short msg_link (01) adds nothing;
  // wechat-more/02 (2018 video template) has mid/idx/sn only in `d.msg_link`.
  const metas = scan.metas();
  const links = [
    scan.variable("msg_link"),
    scan.legacyCgi("msg_link"),
    metas.get("og:url"),
    scan.cgi("link"),
    url,
  ];
  for (const link of links) {
    if (identity !== null && sn !== null) break;
    if (link === undefined || link.trim() === "") continue;
    let parsed: ReturnType<typeof parseWeChatUrl>;
    try {
      parsed = parseWeChatUrl(decodeEntities(link));
    } catch {
      continue;
    }
    if (parsed.form !== "long") continue;
    if (identity === null) identity = parsed.identity;
    if (sn === null && parsed.sn !== null && sameIdentity(identity, parsed.identity)) sn = parsed.sn;
  }
  let canonicalUrl: string | null = null;
  if (identity !== null && sn !== null) {
    try {
      canonicalUrl = buildCanonicalUrl(identity, sn);
    } catch {
      canonicalUrl = null;
    }
  }
  return { identity, sn, canonicalUrl };
}
