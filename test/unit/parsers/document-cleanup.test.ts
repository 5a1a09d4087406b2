/**
 * Body cleanup of old-archive documents: the seed's chrome (second title, byline, footer UI, button
 * row) goes and its article stays; synthetic bodies pin each rule (2026 widgets, punctuation runs,
 * tail-only labels, code blocks, byline variants), the stub and truncation predicates.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import {
  cleanDocumentBody,
  isStubBody,
  isTruncatedBody,
  readArchiveDocument,
} from "../../../src/parsers/document-cleanup.ts";
import { seedFile, skipReason } from "../../support/corpus.ts";

const COVER = "![cover_image](https://mmbiz.qpic.cn/mmbiz_jpg/abc/0?wx_fmt=jpeg)";
// The footer of a whole-page conversion, as in the seed (one line per UI element).
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
  "![](http://mmbiz.qpic.cn/mmbiz_png/avatar/0?wx_fmt=png)",
  "",
  "某公众号",
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
  "![作者头像](http://mmbiz.qpic.cn/mmbiz_png/avatar/0?wx_fmt=png)",
  "",
  "微信扫一扫可打开此内容，",
  "使用完整服务",
  "",
  "：",
  "，",
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
].join("\n");

function lines(text: string): string[] {
  return text.split("\n").map((line) => line.trim());
}

describe("cleanDocumentBody on the seed", { skip: skipReason(seedFile(), "seed file") }, () => {
  const file = seedFile();
  const doc = readArchiveDocument(file === null ? "---\n---\n" : readFileSync(file, "utf8"));
  const cleaned = lines(doc.cleanedBody);

  it("keeps the first # title and the cover line, drops the second title and the byline", () => {
    assert.equal(cleaned[0], "# 两个 AI 圈的明星，成了阿里云的新「代言人」");
    assert.equal(
      cleaned[2]?.startsWith(
        "![cover_image](https://mmbiz.qpic.cn/mmbiz_jpg/8cu01Kavc5aTKEIiaWxIULl9gG52icv9oT88D8gZrgTau2Fw8fGutBxcul9aBqEwvKbsKIf86PNjneEueFl1Rj2w/0",
      ),
      true,
    );
    assert.equal(cleaned.filter((line) => line.startsWith("# ")).length, 1);
    assert.ok(!cleaned.includes("拉风的极客"));
    assert.ok(!cleaned.includes("极客公园"));
  });

  it("keeps the article text", () => {
    for (const text of [
      "阿里正在建设一个更加开放的 AI 生态。",
      "产业升级背后一定经历着基础设施的变化。阿里云看到了这一趋势，在动作上也有前瞻性。",
      "显化和务实的增长之外，「开放心态」也在带来更有意义的回报。",
      "**如何影响云计算市场的格局？**",
    ]) {
      assert.ok(cleaned.includes(text), text);
    }
  });

  it("drops the footer lines from 预览时标签不可点 to 听过", () => {
    for (const chrome of [
      "预览时标签不可点",
      "微信扫一扫",
      "关注该公众号",
      "继续滑动看下一个",
      "轻触阅读原文",
      "向上滑动看下一个",
      "知道了",
      "使用小程序",
      "取消",
      "允许",
      "×",
      "分析",
      "![跳转二维码]()",
      "![]()",
      "使用完整服务",
      "：",
      "，",
      "。",
      "视频",
      "小程序",
      "赞",
      "在看",
      "分享",
      "留言",
      "收藏",
      "听过",
    ]) {
      assert.ok(!cleaned.includes(chrome), chrome);
    }
    assert.ok(!cleaned.some((line) => line.startsWith("![作者头像]")));
    assert.equal(
      cleaned
        .at(-1)
        ?.startsWith(
          "![](https://mmbiz.qpic.cn/mmbiz_gif/8cu01Kavc5YR1a8dIHV2UrCdNIhialnevdQkialrf9oMibXZhuHeD0nPUHuFlYzYB4WYzwnTbhSyAvj9ibZb7ibewPw/640",
        ),
      true,
    );
  });

  it("is neither a stub nor truncated", () => {
    assert.equal(doc.stub, false);
    assert.equal(doc.truncated, false);
  });
});

describe("cleanDocumentBody", () => {
  it("removes the whole byline up to the account given as a hint, author repeated", () => {
    const body = [
      "# 标题",
      "",
      COVER,
      "",
      "# 标题",
      "",
      "原创",
      "",
      "张三",
      "",
      "张三",
      "",
      "某公众号",
      "",
      "正文第一段。",
    ].join("\n");
    assert.equal(
      cleanDocumentBody(body, "标题", { account: "某公众号" }),
      ["# 标题", "", COVER, "", "正文第一段。"].join("\n"),
    );
  });

  it("finds the account in the footer when no hint is given", () => {
    const body = [
      "# 标题",
      "",
      COVER,
      "",
      "# 标题",
      "",
      "作者",
      "",
      "某公众号",
      "",
      "短句。",
      "",
      FOOTER,
    ].join("\n");
    assert.equal(cleanDocumentBody(body, "标题"), ["# 标题", "", COVER, "", "短句。"].join("\n"));
  });

  it("drops only the 原创 badge when the account is unknown", () => {
    const body = ["# 标题", "", "# 标题", "", "原创", "", "作者", "", "正文。"].join("\n");
    assert.equal(cleanDocumentBody(body, "标题"), ["# 标题", "", "作者", "", "正文。"].join("\n"));
  });

  it("matches the second title despite markdownify escapes", () => {
    const body = ["# a_b 标题", "", "# a\\_b 标题", "", "正文。"].join("\n");
    assert.equal(cleanDocumentBody(body, "a_b 标题"), ["# a_b 标题", "", "正文。"].join("\n"));
  });

  it("keeps a second h1 that is not the title (our own documents may start content with one)", () => {
    const body = ["# 标题", "", COVER, "", "某公众号", "", "# 第一章", "", "正文。"].join("\n");
    assert.equal(cleanDocumentBody(body, "标题"), body);
  });

  it("removes 2026 widgets, empty images and lone punctuation runs anywhere", () => {
    const body = [
      "# 标题",
      "",
      "在小说阅读器读本章",
      "去阅读",
      "",
      "第一段。",
      "",
      "![]()",
      "",
      "在小说阅读器中沉浸阅读",
      "",
      "：",
      "，",
      "。",
      "",
      "第二段。",
    ].join("\n");
    assert.equal(cleanDocumentBody(body, "标题"), ["# 标题", "", "第一段。", "", "第二段。"].join("\n"));
  });

  it("keeps button-row words and a single punctuation line inside the article", () => {
    const body = [
      "# 标题",
      "",
      "分享",
      "",
      "。",
      "",
      "收藏",
      "",
      "结尾。",
      "",
      "分享",
      "留言",
      "收藏",
      "听过",
    ].join("\n");
    assert.equal(
      cleanDocumentBody(body, "标题"),
      ["# 标题", "", "分享", "", "。", "", "收藏", "", "结尾。"].join("\n"),
    );
  });

  it("leaves fenced code alone", () => {
    const code = ["```", "取消", "", "", "预览时标签不可点", "```"].join("\n");
    const body = ["# 标题", "", code, "", "正文。"].join("\n");
    assert.equal(cleanDocumentBody(body, "标题"), body);
  });

  it("keeps trailing spaces of kept lines (Markdown hard breaks)", () => {
    const body = "# 标题\n\n第一行  \n第二行\n\n听过";
    assert.equal(cleanDocumentBody(body, "标题"), "# 标题\n\n第一行  \n第二行");
  });

  it("collapses blank runs and accepts CRLF", () => {
    const body = ["# 标题", "", "", "", "一。", "", "", "二。", "", "听过"].join("\r\n");
    assert.equal(cleanDocumentBody(body, "标题"), "# 标题\n\n一。\n\n二。");
  });
});

describe("isStubBody", () => {
  it("is true for a title and cover only", () => {
    assert.equal(isStubBody(`# 标题\n\n${COVER}`, "标题"), true);
    assert.equal(isStubBody("# 标题", "标题"), true);
    assert.equal(isStubBody("", "标题"), true);
  });

  it("is true for the verification and deleted pages", () => {
    assert.equal(
      isStubBody("# 标题\n\n## 环境异常\n\n当前环境异常，完成验证后即可继续访问。\n\n去验证", "标题"),
      true,
    );
    assert.equal(
      isStubBody(
        "# 标题\n\n该内容已被发布者删除\n\n[微信公众平台运营中心](https://mp.weixin.qq.com/webpoc/ruleCenter?type=oa)",
        "标题",
      ),
      true,
    );
  });

  it("is false when any article text or picture is left", () => {
    assert.equal(isStubBody("# 标题\n\n正文。", "标题"), false);
    assert.equal(isStubBody(`# 标题\n\n${COVER}\n\n![](https://mmbiz.qpic.cn/x/640)`, "标题"), false);
    assert.equal(
      isStubBody(`# 标题\n\n该内容已被发布者删除，这是一篇谈删除的文章。\n\n${"正文。".repeat(200)}`, "标题"),
      false,
    );
  });
});

describe("isTruncatedBody", () => {
  const head = `# 标题\n\n${COVER}\n\n`;
  const cut = (n: number, unit = "字") => `# 标题\n\n${`${COVER}\n\n${unit.repeat(n)}`.slice(0, 8000)}`;

  it("is true for '# title', a blank line, 8,000 characters and '...'", () => {
    assert.equal(isTruncatedBody(`${cut(9000)}...`), true);
    assert.equal(isTruncatedBody(`${cut(9000)}...\n`.replaceAll("\n", "\r\n")), true);
  });

  it("counts code points as the Python writer did", () => {
    const astral = `# 标题\n\n${"😀".repeat(8000)}...`;
    assert.equal(isTruncatedBody(astral), true);
  });

  it("is false for other lengths or without the dots", () => {
    assert.equal(isTruncatedBody(cut(9000)), false);
    assert.equal(isTruncatedBody(`${head}${"字".repeat(7000)}...`), false);
    assert.equal(isTruncatedBody(`${head}${"字".repeat(20000)}...`), false);
    assert.equal(isTruncatedBody("# 标题\n\n未完待续..."), false);
  });
});

describe("readArchiveDocument", () => {
  it("reads a blank stub and flags it", () => {
    const text = [
      "---",
      "title: 中国信通院敖立: 万物智联",
      "source: Doonsec's feed",
      "---",
      "",
      "# 中国信通院敖立: 万物智联",
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
    ].join("\n");
    const doc = readArchiveDocument(text);
    assert.equal(doc.title, "中国信通院敖立: 万物智联");
    assert.equal(doc.cleanedBody, "# 中国信通院敖立: 万物智联");
    assert.equal(doc.stub, true);
    assert.equal(doc.truncated, false);
  });
});
