/** Builds FeedItems for publishing tests: realistic defaults, any field overridable. */
import type { FeedItem } from "../../src/model.ts";

/** A FeedItem with plausible WeChat values; `n` varies the key, ids and times. */
export function makeFeedItem(n: number, overrides: Partial<FeedItem> = {}): FeedItem {
  const mid = 2247504100 + n;
  // The body's byline follows the item's author and account, as the document format writes it.
  const author = overrides.author === undefined ? "拉风的极客" : overrides.author;
  const account = overrides.account === undefined ? "极客公园" : overrides.account;
  const byline = [author, account].filter((name): name is string => name !== null && name !== "");
  return {
    key: `3226319644-${mid}-1`,
    title: `第 ${n} 篇：两个 AI 圈的明星`,
    url: `https://mp.weixin.qq.com/s?__biz=MzIyNjMxOTY0NA==&mid=${mid}&idx=1&sn=0f16a1981e543e20a01d5aae363bbc4${n % 10}`,
    sourceId: "geekpark",
    source: "极客公园",
    account,
    author,
    publishedAt: new Date(Date.UTC(2026, 0, 2, n, 30, 0)),
    storedAt: new Date(Date.UTC(2026, 0, 2, n, 45, 0)),
    date: "2026-01-02",
    cover: `https://mmbiz.qpic.cn/mmbiz_jpg/abc${n}/0?wx_fmt=jpeg`,
    description: null,
    markdown: [
      `![cover_image](https://mmbiz.qpic.cn/mmbiz_jpg/abc${n}/0?wx_fmt=jpeg)`,
      "",
      ...byline.flatMap((name) => [name, ""]),
      `今年为云厂商站台的合作企业，大多表达了类似观点。这是第 ${n} 篇文章的正文。`,
      "",
      "| 名称 | 数量 |",
      "| --- | ---: |",
      "| 甲 | 1 |",
      "",
      `![图](https://mmbiz.qpic.cn/mmbiz_png/img${n}/640?wx_fmt=png&from=appmsg)`,
    ].join("\n"),
    ...overrides,
  };
}
