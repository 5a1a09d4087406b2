import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  compileTerm,
  createSourceFilter,
  findSourceFilterProblem,
} from "../../../src/publish/item-filter.ts";
import { makeFeedItem } from "../../support/feed-item-factory.ts";

const items = [
  makeFeedItem(1, { title: "招聘：后端工程师", author: "HR" }),
  makeFeedItem(2, { title: "Rust 入门", author: "张三", markdown: "短" }),
  makeFeedItem(3, {
    title: "深度长文",
    author: "李四",
    markdown: "这是一篇关于 Rust 与 Go 的长文。".repeat(20),
  }),
];
const keep = (rules: Parameters<typeof createSourceFilter>[0]) =>
  items.filter(createSourceFilter(rules)).map((i) => i.title);

describe("compileTerm", () => {
  it("matches a keyword literally and case-insensitively", () => {
    assert.equal(compileTerm("rust").test("Learn RUST today"), true);
    assert.equal(compileTerm("a.b").test("axb"), false);
    assert.equal(compileTerm("a.b").test("a.b"), true);
  });

  it("reads /regex/ as a case-sensitive pattern and /regex/i as case-insensitive", () => {
    assert.equal(compileTerm("/^Ru.t$/").test("Rust"), true);
    assert.equal(compileTerm("/^ru.t$/").test("Rust"), false);
    assert.equal(compileTerm("/^ru.t$/i").test("Rust"), true);
  });
});

describe("createSourceFilter", () => {
  it("keeps everything without rules", () => {
    assert.equal(keep({}).length, 3);
  });

  it("include keeps items matching a term in title, author or body", () => {
    assert.deepEqual(keep({ include: ["rust"] }), ["Rust 入门", "深度长文"]);
    assert.deepEqual(keep({ include: ["HR"] }), ["招聘：后端工程师"]);
    assert.deepEqual(keep({ include: ["/Go 的长文/"] }), ["深度长文"]);
  });

  it("exclude drops items matching any term", () => {
    assert.deepEqual(keep({ exclude: ["/^招聘/", "张三"] }), ["深度长文"]);
  });

  it("minChars drops short bodies, counted in characters", () => {
    assert.deepEqual(keep({ minChars: 100 }), ["深度长文"]);
  });

  it("names the bad term of an invalid regex", () => {
    assert.match(findSourceFilterProblem({ exclude: ["ok", "/a(/"] }) ?? "", /^invalid pattern "a\("/);
    assert.equal(findSourceFilterProblem({ include: ["/fine/"] }), null);
  });
});
