/**
 * The articles behind the hand-written listing fixtures in test/fixtures/listings, with their keys and
 * normalized URLs written out by hand (never computed by the code under test), plus a fixture reader.
 *
 * Keys: a biz is base64 of the account's decimal uin, e.g. `MzIyNjMxOTY0NA==` is "3226319644", so mid
 * 2247504179 idx 1 of that account is `3226319644-2247504179-1`. Short links have no identity before
 * fetching; their key is `short-<token>` (wechat-pages.md section 1.3).
 */
import { readFileSync } from "node:fs";
import type { ArticleRef } from "../../src/model.ts";

/** Reads a file of test/fixtures/listings as UTF-8. */
export function readListingFixture(name: string): string {
  return readFileSync(new URL(`../fixtures/listings/${name}`, import.meta.url), "utf8");
}

/** One fixture article: its key and the normalized URL parseArticleUrl must give. */
export interface FixtureArticle {
  readonly key: string;
  readonly url: string;
}

const S = "https://mp.weixin.qq.com/s";

/** 码农札记 (biz MzIyNjMxOTY0NA== → uin 3226319644), 夜跑城市 (MzA5MzQyNjU2Nw== → 3093426567),
 * 书房夜话 (MjM5NTgwMTcwMA== → 2395801700), and two short links. */
export const ARTICLES = {
  a1: {
    key: "3226319644-2247504179-1",
    url: `${S}?__biz=MzIyNjMxOTY0NA==&mid=2247504179&idx=1&sn=8c1f7e2a9b3d4c5e6f708192a3b4c5d6`,
  },
  a2: {
    key: "3226319644-2247504179-2",
    url: `${S}?__biz=MzIyNjMxOTY0NA==&mid=2247504179&idx=2&sn=1a2b3c4d5e6f708192a3b4c5d6e7f809`,
  },
  a3: {
    key: "3226319644-2247504166-1",
    url: `${S}?__biz=MzIyNjMxOTY0NA==&mid=2247504166&idx=1&sn=5e0d2c9b8a7f6e5d4c3b2a1908f7e6d5`,
  },
  a4: {
    key: "3226319644-2247504166-2",
    url: `${S}?__biz=MzIyNjMxOTY0NA==&mid=2247504166&idx=2&sn=9f86d081884c7d659a2feaa0c55ad015`,
  },
  b1: {
    key: "3093426567-2650188423-1",
    url: `${S}?__biz=MzA5MzQyNjU2Nw==&mid=2650188423&idx=1&sn=d41d8cd98f00b204e9800998ecf8427e`,
  },
  c3: {
    key: "2395801700-2651234567-3",
    url: `${S}?__biz=MjM5NTgwMTcwMA==&mid=2651234567&idx=3&sn=0cc175b9c0f1b6a831c399e269772661`,
  },
  s1: { key: "short-Xc3kG8pQe1vN0aBdRt7yLw", url: `${S}/Xc3kG8pQe1vN0aBdRt7yLw` },
  s2: { key: "short-p9Q1uZ_k-2aW7sYbH3nJfA", url: `${S}/p9Q1uZ_k-2aW7sYbH3nJfA` },
} as const satisfies Record<string, FixtureArticle>;

/** Builds the expected ref for a fixture article. */
export function expectedRef(article: FixtureArticle, title: string | null, date: string | null): ArticleRef {
  return { url: article.url, key: article.key, title, date: date === null ? null : new Date(date) };
}
