/**
 * The corpus articles the pipeline tests serve from the mock WeChat origin: every entry of
 * ../shared/corpus/wechat/expected.json with status `article` and a full identity (biz, mid, idx and
 * sn), with what the stored document must say about it. Keys are derived here with plain `atob`
 * (`MzIyNjMxOTY0NA==` → uin 3226319644 → `3226319644-2247504179-1`), not by the code under test.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { MockHandler, MockOrigin } from "./mock-wechat-origin.ts";

/** One corpus article with a full identity. */
export interface CorpusArticle {
  readonly file: string;
  readonly biz: string;
  readonly mid: string;
  readonly idx: string;
  readonly sn: string;
  /** `<uin>-<mid>-<idx>`. */
  readonly key: string;
  /** The permanent URL, as expected.json gives it. */
  readonly canonicalUrl: string;
  /** The exact title, or null when only `titleStartsWith` is known (text shares). */
  readonly title: string | null;
  readonly titleStartsWith: string | null;
  /** The document date (Beijing day). */
  readonly date: string;
  /** Path and query that identify it on the mock origin (extra parameters are ignored there). */
  readonly route: string;
}

/** The corpus articles with a full identity, in expected.json order. */
export function readCorpusArticles(dir: string): CorpusArticle[] {
  const entries = JSON.parse(readFileSync(join(dir, "expected.json"), "utf8")) as Record<string, unknown>[];
  const out: CorpusArticle[] = [];
  for (const e of entries) {
    const { biz, mid, idx, sn, date, canonicalUrl } = e;
    if (e.status !== "article") continue;
    if (typeof biz !== "string" || typeof mid !== "string" || typeof idx !== "string") continue;
    if (typeof sn !== "string" || typeof date !== "string" || typeof canonicalUrl !== "string") continue;
    out.push({
      file: String(e.file),
      biz,
      mid,
      idx,
      sn,
      key: `${atob(biz)}-${mid}-${idx}`,
      canonicalUrl,
      title: typeof e.title === "string" ? e.title : null,
      titleStartsWith: typeof e.titleStartsWith === "string" ? e.titleStartsWith : null,
      date,
      route: `/s?__biz=${biz}&mid=${mid}&idx=${idx}`,
    });
  }
  return out;
}

/** Serves every article's page on the mock origin under its long-form route (`extra`: e.g. a delay). */
export function routeCorpusArticles(
  mock: MockOrigin,
  articles: readonly CorpusArticle[],
  extra: Omit<MockHandler, "file"> = {},
): void {
  for (const article of articles) mock.route(article.route, { ...extra, file: article.file });
}
