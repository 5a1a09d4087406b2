// buildStoredDocument and its helpers: the key from the URL's identity, our writer's valid YAML, the
// canonical URL, date/fetch_date kept, Beijing-midnight publishedAt, cover, the truncated mark.
import assert from "node:assert/strict";
import path from "node:path";
import { describe, it } from "node:test";
import { parse as parseYaml } from "yaml";
import { isAppError } from "../../../src/errors.ts";
import {
  buildStoredDocument,
  coverOf,
  type DocumentToStore,
  isTruncatedStoredBody,
  publishedAtOfDate,
} from "../../../src/jobs/store-document.ts";
import { readDocument } from "../../../src/parsers/front-matter.ts";

const DATA = "/srv/wf-data";
const CANONICAL =
  "https://mp.weixin.qq.com/s?__biz=MzIyNjMxOTY0NA==&mid=2247504179&idx=1&sn=52c2c5acc9ff4567b10d1408a333693c";
const COVER = "https://mmbiz.qpic.cn/mmbiz_jpg/abc/0?wx_fmt=jpeg";

function doc(patch: Partial<DocumentToStore> = {}): DocumentToStore {
  return {
    title: "观察: [转载] 标题",
    url: `${CANONICAL.replace("https:", "http:")}&chksm=abc123&scene=58#rd`,
    source: "Doonsec's feed",
    date: "2024-07-09",
    fetch_date: "2025-10-06T17:46:02.915375",
    body: `# 观察: [转载] 标题\n\n![cover_image](${COVER})\n\n正文第一段。`,
    truncated: false,
    ...patch,
  };
}

const options = { sourceId: "import", storedAt: 1_800_000_000_000 };

describe("buildStoredDocument", () => {
  it("keys the article by its identity and writes the canonical URL in valid YAML", () => {
    const { article, text } = buildStoredDocument(doc(), options, DATA);
    assert.equal(article.key, "3226319644-2247504179-1");
    assert.equal(article.url, CANONICAL);
    const block = text.split("\n---\n")[0]?.replace(/^---\n/, "") ?? "";
    assert.deepEqual(parseYaml(block), {
      title: "观察: [转载] 标题",
      url: CANONICAL,
      source: "Doonsec's feed",
      date: "2024-07-09",
      fetch_date: "2025-10-06T17:46:02.915375",
    });
    assert.equal(readDocument(text).body, doc().body);
    assert.equal(article.document, text);
    assert.equal(article.archivePath, path.join(DATA, "articles", "2024", "07", "09", `${article.key}.md`));
    assert.equal(article.sourceId, "import");
    assert.equal(article.source, "Doonsec's feed");
    assert.equal(article.fetchDate, "2025-10-06T17:46:02.915375");
    assert.equal(article.storedAt, options.storedAt);
  });

  it("gives every long URL form of one article the same key; short links keep their own", () => {
    const forms = [
      CANONICAL,
      CANONICAL.replaceAll("&", "&amp;"),
      "https://mp.weixin.qq.com/mp/appmsg/show?__biz=MzIyNjMxOTY0NA%3D%3D&appmsgid=2247504179&itemidx=1&sign=52c2c5acc9ff4567b10d1408a333693c",
      "https://mp.weixin.qq.com/s?__biz=MzIyNjMxOTY0NA==&mid=2247504179&idx=1",
    ];
    const keys = new Set(forms.map((url) => buildStoredDocument(doc({ url }), options, DATA).article.key));
    assert.deepEqual([...keys], ["3226319644-2247504179-1"]);
    const short = buildStoredDocument(
      doc({ url: "https://mp.weixin.qq.com/s/AbC_d-1?scene=1" }),
      options,
      DATA,
    );
    assert.equal(short.article.key, "short-AbC_d-1");
    assert.equal(short.article.url, "https://mp.weixin.qq.com/s/AbC_d-1");
    // Without sn, the identity is complete but the URL cannot be the canonical one.
    const noSn = buildStoredDocument(doc({ url: forms[3] }), options, DATA).article;
    assert.equal(noSn.url, forms[3]);
  });

  it("dates publishedAt at Beijing midnight of the document date", () => {
    const { article } = buildStoredDocument(doc(), options, DATA);
    assert.equal(article.publishedAt, Date.parse("2024-07-08T16:00:00Z"));
    assert.equal(publishedAtOfDate("2024-07-09"), Date.parse("2024-07-09T00:00:00+08:00"));
    assert.equal(publishedAtOfDate("1970-01-01"), null);
    // Page metadata of an earlier record wins (reindex).
    const kept = buildStoredDocument(
      doc(),
      { ...options, keep: { publishedAt: 5, account: "号" } },
      DATA,
    ).article;
    assert.equal(kept.publishedAt, 5);
    assert.equal(kept.account, "号");
  });

  it("removes control characters from the fields and the body, drops bidi controls from title and source", () => {
    const prepared = buildStoredDocument(
      doc({
        title: "观察\u0000\u202e标题",
        source: "来源\u0001\u2066",
        body: "正文\u0000第一段。\r\n第二\u009b段。",
      }),
      options,
      DATA,
    );
    assert.equal(prepared.article.title, "观察标题");
    assert.equal(prepared.article.source, "来源");
    assert.ok(!prepared.text.includes("\u0000"));
    const back = readDocument(prepared.text);
    assert.equal(back.title, "观察标题");
    assert.equal(back.source, "来源");
    assert.equal(back.body, "# 观察标题\n\n正文第一段。\n第二段。");
  });

  it("finds the cover line and adds a missing # title", () => {
    assert.equal(buildStoredDocument(doc(), options, DATA).article.cover, COVER);
    assert.equal(coverOf("# t\n\n正文"), null);
    const bare = buildStoredDocument(doc({ body: "只有正文。" }), options, DATA);
    assert.equal(readDocument(bare.text).body, "# 观察: [转载] 标题\n\n只有正文。");
  });

  it("marks truncated documents and keeps a final ... the reindex can see", () => {
    const cut = `# t\n\n${"字".repeat(7900)}`;
    const built = buildStoredDocument(doc({ body: cut, truncated: true }), options, DATA);
    assert.equal(built.article.truncated, true);
    const body = readDocument(built.text).body;
    assert.ok(body.endsWith("\n\n..."));
    assert.equal(isTruncatedStoredBody(body), true);
    assert.equal(isTruncatedStoredBody(`# t\n\n${"字".repeat(7990)}...`), true);
    // Short texts ending in an ellipsis are articles, not cuts.
    assert.equal(isTruncatedStoredBody("# t\n\n未完待续..."), false);
    assert.equal(isTruncatedStoredBody(cut), false);
    assert.equal(buildStoredDocument(doc(), options, DATA).article.truncated, false);
  });

  it("refuses what cannot be stored: a non-WeChat URL, an invalid date, a bad source id", () => {
    assert.throws(
      () => buildStoredDocument(doc({ url: "https://example.com/post" }), options, DATA),
      (e) => isAppError(e, "URL_HOST_DENIED"),
    );
    assert.throws(
      () => buildStoredDocument(doc({ date: "2024-02-30" }), options, DATA),
      (e) => isAppError(e, "STORE_WRITE"),
    );
    assert.throws(
      () => buildStoredDocument(doc(), { ...options, sourceId: "a:b" }, DATA),
      (e) => isAppError(e, "STORE_WRITE"),
    );
    // With a key given (reindex: the file name), an odd URL is kept as written.
    const kept = buildStoredDocument(
      doc({ url: "https://example.com/post" }),
      { ...options, key: "u0123" },
      DATA,
    );
    assert.equal(kept.article.key, "u0123");
    assert.equal(kept.article.url, "https://example.com/post");
  });
});
