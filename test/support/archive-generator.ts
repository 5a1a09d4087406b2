/**
 * Writes a deterministic (seeded) archive of article documents in the old archive's format, with the
 * defects wechat-pages.md section 9 lists: unquoted invalid-YAML titles (`: `, leading `[`), whole-page
 * chrome (cover, second `# title`, byline, footer junk, button row), stubs shaped like
 * ../shared/corpus/archive-sample 25/37/44 (blank, verification, deleted), bodies cut at 8,000 characters
 * plus `...`, the same article under several long-URL forms, dates and sources, and a few files that
 * are not documents at all. It returns the counts an import must report, computed from what it wrote
 * (never from the importer), and the article each key must end up as.
 */
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";

/** The article an import must store under one key. */
export interface ExpectedArticle {
  readonly key: string;
  readonly title: string;
  readonly truncated: boolean;
  /** The `date` of the copy that must win (its archive file lives under this date). */
  readonly date: string;
  /** A text only the winning copy holds, or null when every copy has the same body. */
  readonly marker: string | null;
  /** Every URL form written for this article. */
  readonly urls: readonly string[];
}

/** What was generated: the expected summary counts and articles. */
export interface GeneratedArchive {
  /** Document files (`.md`/`.txt`) written; other files are extra. */
  readonly files: number;
  readonly expected: {
    readonly imported: number;
    readonly duplicates: number;
    readonly stubs: number;
    readonly truncated: number;
    readonly unreadable: number;
  };
  readonly articles: ReadonlyMap<string, ExpectedArticle>;
}

/** mulberry32: a tiny seeded PRNG, so the archive is the same on every run. */
function createRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const ACCOUNTS = ["极客公园", "安全内参", "看雪学苑", "中国信息安全", "嘶吼专业版", "青藤云安全"];
const FEEDS = ["Doonsec's feed", "安全资讯聚合"];
const WORDS =
  "数据 安全 治理 模型 漏洞 攻击 防御 平台 合规 研究 团队 发布 报告 分析 系统 网络 云 服务 用户 隐私 技术 产业 风险 能力 架构 工程 开源 协议 实践 方案".split(
    " ",
  );
const FOOTER = [
  "预览时标签不可点",
  "",
  "![]()",
  "",
  "微信扫一扫",
  "关注该公众号",
  "",
  "继续滑动看下一个",
  "",
  "轻触阅读原文",
  "",
  "{account}",
  "",
  "向上滑动看下一个",
  "",
  "知道了",
  "",
  "![]()",
  "微信扫一扫",
  "使用小程序",
  "",
  "取消",
  "允许",
  "",
  "×",
  "分析",
  "",
  "![跳转二维码]()",
  "",
  "微信扫一扫可打开此内容，",
  "使用完整服务",
  "",
  "：",
  "，",
  "。",
  "",
  "视频",
  "小程序",
  "赞",
  "，轻点两下取消赞",
  "在看",
  "，轻点两下取消在看",
  "分享",
  "留言",
  "收藏",
  "听过",
];
// The three stub shapes of the archive sample: 25.md (blank), 37.md (verification), 44.md (deleted).
const STUB_BODIES = [
  ["：", "，", "。", "", "视频", "小程序", "赞", "，轻点两下取消赞", "在看", "，轻点两下取消在看"],
  [
    "## 环境异常",
    "",
    "当前环境异常，完成验证后即可继续访问。",
    "",
    "去验证",
    "",
    "：",
    "，",
    "。",
    "",
    "视频",
    "小程序",
    "赞",
  ],
  [
    "该内容已被发布者删除",
    "",
    "[微信公众平台运营中心](https://mp.weixin.qq.com/webpoc/ruleCenter?type=oa)",
    "",
    "：",
    "，",
    "。",
    "",
    "视频",
    "赞",
  ],
];

interface Identity {
  readonly uin: string;
  readonly mid: string;
  readonly idx: string;
  readonly sn: string;
}

/** One file to write, with what the importer must make of it. */
interface PlannedFile {
  readonly relative: string;
  readonly content: string | Buffer;
}

/** Writes the archive under `dir` (about `total` document files) and returns what an import must report. */
export async function writeGeneratedArchive(
  dir: string,
  seed: number,
  total = 1000,
): Promise<GeneratedArchive> {
  const random = createRandom(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  const int = (min: number, max: number) => min + Math.floor(random() * (max - min + 1));
  const digits = (n: number) => Array.from({ length: n }, () => String(int(0, 9))).join("");
  const hex = (n: number) => Array.from({ length: n }, () => "0123456789abcdef"[int(0, 15)]).join("");
  const pad = (n: number) => String(n).padStart(2, "0");
  const randomDate = () => `${int(2023, 2025)}-${pad(int(1, 12))}-${pad(int(1, 28))}`;
  const fetchDate = () =>
    `2025-10-0${int(1, 9)}T${pad(int(0, 23))}:${pad(int(0, 59))}:${pad(int(0, 59))}.${digits(6)}`;
  const sentence = () => `${Array.from({ length: int(8, 20) }, () => pick(WORDS)).join("")}。`;
  const paragraph = () => Array.from({ length: int(2, 6) }, sentence).join("");
  const newIdentity = (): Identity => ({
    uin: `${int(1, 3)}${digits(9)}`,
    mid: `2247${digits(6)}`,
    idx: String(int(1, 8)),
    sn: hex(32),
  });
  const keyOf = (id: Identity) => `${id.uin}-${id.mid}-${id.idx}`;

  // The URL forms of one identity (wechat-pages.md 1.2); short links have no identity, so none here.
  const urlForms = (id: Identity): string[] => {
    const biz = btoa(id.uin);
    const q = `__biz=${biz}&mid=${id.mid}&idx=${id.idx}&sn=${id.sn}`;
    return [
      `https://mp.weixin.qq.com/s?${q}`,
      `https://mp.weixin.qq.com/s?${q}&chksm=${hex(40)}&scene=58&subscene=0#rd`,
      `http://mp.weixin.qq.com/s?${q}`,
      `https://mp.weixin.qq.com/s?${q.replaceAll("&", "&amp;")}`,
      `https://mp.weixin.qq.com/s?__biz=${encodeURIComponent(biz)}&mid=${id.mid}&idx=${id.idx}&sn=${id.sn}#wechat_redirect`,
      `https://mp.weixin.qq.com/mp/appmsg/show?__biz=${biz}&appmsgid=${id.mid}&itemidx=${id.idx}&sign=${id.sn}`,
      `https://MP.WEIXIN.QQ.COM/s?__biz=${biz}&mid=${id.mid}&idx=${id.idx}`,
    ];
  };

  const frontMatter = (title: string, url: string, source: string, date: string) =>
    `---\ntitle: ${title}\nurl: ${url}\nsource: ${source}\ndate: ${date}\nfetch_date: ${fetchDate()}\n---\n\n`;
  /** The old converter's text of a whole page: cover, second title, byline, content, footer. */
  const pageText = (title: string, account: string, paragraphs: readonly string[]) =>
    [
      `![cover_image](https://mmbiz.qpic.cn/mmbiz_jpg/${hex(24)}/0?wx_fmt=jpeg)`,
      "",
      `# ${title}`,
      "",
      ...(random() < 0.4 ? ["原创", ""] : []),
      `作者${pick(WORDS)}`,
      "",
      account,
      "",
      ...paragraphs.flatMap((p) => [p, ""]),
      ...FOOTER.map((line) => line.replace("{account}", account)),
    ].join("\n");

  const planned: PlannedFile[] = [];
  let counter = 0;
  const place = (date: string, ext = "md") => {
    counter++;
    return `${date.replaceAll("-", "/")}/daily/n${String(counter).padStart(4, "0")}.${ext}`;
  };

  // Not documents: no front matter, binary junk, an unclosed block, a URL that is no WeChat article.
  const unreadable = [
    () => "# 只是一篇笔记\n\n没有前置元数据。\n",
    () => Buffer.from(Array.from({ length: 600 }, (_, i) => (i % 97 === 0 ? 0 : int(0, 255)))),
    () => `---\ntitle: 未闭合\nurl: https://mp.weixin.qq.com/s/abc\n\n# 未闭合\n`,
    () =>
      frontMatter("别处的文章", "https://example.com/post/1", "博客", randomDate()) +
      "# 别处的文章\n\n正文。\n",
  ];
  const unreadableCount = 12;
  for (let i = 0; i < unreadableCount; i++) {
    const make = unreadable[i % unreadable.length];
    planned.push({
      relative: place(randomDate(), i % 5 === 4 ? "txt" : "md"),
      content: make === undefined ? "" : make(),
    });
  }

  // Article groups: copies of one article under several URL forms, dates and sources.
  const articles = new Map<string, ExpectedArticle>();
  const copies: { file: PlannedFile; key: string; truncated: boolean; best: boolean }[] = [];
  const stubCount = 150;
  let budget = total - unreadableCount - stubCount;
  let n = 0;
  const identities: Identity[] = [];
  while (budget > 0) {
    n++;
    const id = newIdentity();
    const key = keyOf(id);
    if (articles.has(key)) continue;
    identities.push(id);
    const roll = random();
    const kind =
      roll < 0.55 ? "single" : roll < 0.65 ? "cut" : roll < 0.85 ? "multi" : roll < 0.93 ? "mixed" : "cuts";
    let size = kind === "single" || kind === "cut" ? 1 : int(2, 4);
    size = Math.min(size, budget);
    budget -= size;
    const account = pick(ACCOUNTS);
    const titleBase = `${pick(WORDS)}${pick(WORDS)}${pick(WORDS)}观察 第${n}期`;
    const title = pick([
      titleBase,
      titleBase,
      titleBase,
      `观察: ${titleBase}`,
      `[转载] ${titleBase}`,
      `【${account}】${titleBase}`,
    ]);
    const long = kind === "cut" || kind === "cuts" || kind === "mixed";
    const paragraphs: string[] = [];
    while (paragraphs.join("\n\n").length < (long ? 9500 : int(600, 3000))) paragraphs.push(paragraph());
    const marker = `独有结尾段落${key}。${paragraph()}${paragraph()}`;
    // One page text per variant, so copies of a variant are identical apart from their front matter.
    const withMarker = pageText(title, account, [...paragraphs, marker]);
    const without = pageText(title, account, paragraphs);
    const forms = urlForms(id);
    const urls: string[] = [];
    const allCut = kind === "cut" || kind === "cuts";
    const groupFiles: { file: PlannedFile; truncated: boolean; date: string; hasMarker: boolean }[] = [];
    for (let c = 0; c < size; c++) {
      // "mixed": the first copy is full, the others cut; "multi": only the first has the marker paragraph.
      const truncated = allCut || (kind === "mixed" && c > 0);
      const hasMarker = !allCut && c === 0;
      const url = forms[(n + c) % forms.length] ?? "";
      urls.push(url);
      const date = randomDate();
      // Cut copies keep the account as source: the reader then strips the same byline from each, so
      // their cleaned bodies tie and the first by path wins.
      const source = !allCut && random() < 0.25 ? pick(FEEDS) : account;
      const text = hasMarker ? withMarker : without;
      const body = truncated
        ? `# ${title}\n\n${[...text].slice(0, 8000).join("")}...`
        : `# ${title}\n\n${text}`;
      const file = {
        relative: place(date, counter % 10 === 3 ? "txt" : "md"),
        content: frontMatter(title, url, source, date) + body,
      };
      groupFiles.push({ file, truncated, date, hasMarker });
    }
    // The winner: the full copy with the marker; with every copy cut (same text), the first by path.
    const sorted = [...groupFiles].sort((a, b) => compare(a.file.relative, b.file.relative));
    const winner = sorted.find((g) => g.hasMarker) ?? sorted[0];
    const bestIndex = winner === undefined ? -1 : groupFiles.indexOf(winner);
    groupFiles.forEach((g, i) => {
      copies.push({ file: g.file, key, truncated: g.truncated, best: i === bestIndex });
      planned.push(g.file);
    });
    articles.set(key, {
      key,
      title,
      truncated: allCut,
      date: winner?.date ?? "",
      marker: allCut ? null : marker,
      urls,
    });
  }

  // Stubs: some are failed fetches of articles that also have real copies, the rest of other articles.
  for (let i = 0; i < stubCount; i++) {
    const id = i < 20 ? (identities[(i * 7) % identities.length] ?? newIdentity()) : newIdentity();
    const title = `${pick(WORDS)}${pick(WORDS)}速递 ${i}`;
    const date = randomDate();
    const body = [`# ${title}`, "", ...(STUB_BODIES[i % STUB_BODIES.length] ?? [])].join("\n");
    planned.push({
      relative: place(date),
      content: frontMatter(title, urlForms(id)[i % 4] ?? "", pick(ACCOUNTS), date) + body,
    });
  }
  // Files that are not documents at all are ignored, not counted.
  planned.push(
    { relative: "manifest.json", content: "{}" },
    { relative: "img/cover.png", content: Buffer.from([0x89, 0x50]) },
  );

  for (const file of planned) {
    const target = path.join(dir, file.relative);
    await mkdir(path.dirname(target), { recursive: true });
    await writeFile(target, file.content);
  }
  const truncatedGroups = [...articles.values()].filter((a) => a.truncated).length;
  return {
    files: planned.filter((f) => /\.(md|txt)$/.test(f.relative)).length,
    expected: {
      imported: articles.size,
      duplicates: copies.length - articles.size,
      stubs: stubCount,
      truncated: truncatedGroups,
      unreadable: unreadableCount,
    },
    articles,
  };
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
