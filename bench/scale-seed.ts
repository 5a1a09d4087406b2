/**
 * Synthetic articles for `bench:scale`: realistic metadata (a long WeChat URL with `__biz` and `sn`, a
 * Chinese title, account, author, a qpic cover, a 60-character description, a deep archive path) and a
 * ~3 KB document, spread round-robin over sources with publish times rising with the index, so the feed
 * window (the newest `limit` of every feed) is exactly the newest `limit × sources` articles. Seeding
 * goes through the store's real save script and the body drop of the prune step.
 */
import type { StoredArticle } from "../src/model.ts";
import type { ArticleStore } from "../src/store/article-store.ts";
import { contentHash } from "../src/store/article-store.ts";
import type { BodyDrop } from "../src/store/body-drop.ts";
import { archivePath } from "../src/store/keys.ts";

const WORDS = "数据 安全 治理 模型 漏洞 攻击 防御 平台 合规 研究 团队 发布 报告 分析 系统 网络 云 服务".split(
  " ",
);
const START = Date.parse("2020-01-01T00:00:00Z");
const STEP_MS = 10 * 60 * 1000;

/** Where and how articles are seeded. */
export interface SeedPlan {
  readonly dataDir: string;
  readonly sources: number;
  /** Items per feed (`feeds.limit`): the window keeps `limit × sources` bodies. */
  readonly limit: number;
}

const word = (i: number, j: number) => WORDS[(i * 7 + j * 13) % WORDS.length] ?? "";
const hex = (i: number, len: number) =>
  (i * 2654435761).toString(16).padStart(8, "0").repeat(8).slice(0, len);

/** The article key of synthetic article `i`. */
export function syntheticKey(i: number): string {
  return `3226319644-${2247000000 + i}-1`;
}

/** Synthetic article number `i`. */
export function syntheticArticle(i: number, plan: SeedPlan): StoredArticle {
  const mid = 2247000000 + i;
  const key = syntheticKey(i);
  const title = `${Array.from({ length: 8 }, (_, j) => word(i, j)).join("")}：第 ${i} 篇`;
  const publishedAt = START + i * STEP_MS;
  const date = new Date(publishedAt + 8 * 3600 * 1000).toISOString().slice(0, 10);
  const body = `# ${title}\n\n${Array.from({ length: 40 }, (_, j) => `${word(i, j)}${word(j, i)}段落内容，`.repeat(3)).join("\n\n")}`;
  const sourceId = `source-${i % plan.sources}`;
  const url = `https://mp.weixin.qq.com/s?__biz=MzIyNjMxOTY0NA==&mid=${mid}&idx=1&sn=${hex(i, 32)}`;
  const fetchDate = `${new Date(publishedAt + 3600_000).toISOString().slice(0, 23)}000`;
  return {
    key,
    url,
    title,
    source: `安全资讯 ${sourceId}`,
    sourceId,
    date,
    fetchDate,
    publishedAt,
    account: "安全内参",
    author: "编辑部",
    cover: `https://mmbiz.qpic.cn/mmbiz_jpg/${hex(i, 40)}${hex(i + 1, 40)}/0?wx_fmt=jpeg`,
    description: Array.from({ length: 20 }, (_, j) => word(i + 1, j))
      .join("")
      .slice(0, 60),
    itemShowType: 0,
    contentHash: contentHash(body, title),
    document: `---\ntitle: ${title}\nurl: ${url}\nsource: 安全资讯 ${sourceId}\ndate: ${date}\nfetch_date: ${fetchDate}\n---\n\n${body}\n`,
    archivePath: archivePath(plan.dataDir, date, key),
    storedAt: publishedAt + 3600_000,
  };
}

/**
 * Seeds articles [from, to) (saved, confirmed archived), then drops the bodies of every article that has
 * left the window since, as the prune step does; resolves to the count of bodies dropped.
 */
export async function seedArticles(
  store: ArticleStore,
  bodies: BodyDrop,
  plan: SeedPlan,
  from: number,
  to: number,
): Promise<number> {
  const BATCH = 500;
  let dropped = 0;
  for (let start = from; start < to; start += BATCH) {
    const batch = Array.from({ length: Math.min(BATCH, to - start) }, (_, j) =>
      syntheticArticle(start + j, plan),
    );
    await Promise.all(
      batch.map(async (a) => {
        await store.saveArticle(a);
        await store.markArchived(a.key, a.contentHash);
      }),
    );
    const windowStart = start + batch.length - plan.limit * plan.sources;
    const leaving = [];
    for (let i = Math.max(0, start - plan.limit * plan.sources); i < windowStart; i++) leaving.push(i);
    const results = await Promise.all(leaving.map((i) => bodies.dropBody(syntheticKey(i))));
    dropped += results.filter(Boolean).length;
  }
  return dropped;
}
