/**
 * Acceptance of issue 13's formats: every scope (all, one source, the manual feed, tags, digest) in
 * RSS 2.0, Atom 1.0 and JSON Feed 1.1, served by the real server over real Redis, read back by a feed
 * library (feedsmith), by python3-feedparser and by newsboat, each finding the RSS feed's items and
 * ids; 304 for each; gzip and brotli bodies that decode to the same bytes; self links; alternate links
 * on the digest page; static copies of every format.
 */
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { brotliDecompressSync, gunzipSync } from "node:zlib";
import { decodeHTML } from "entities";
import { parseAtomFeed, parseJsonFeed, parseRssFeed } from "feedsmith";
import type { StoredArticle } from "../../../src/model.ts";
import {
  feedparserPython,
  feedparserReadsJson,
  hasNewsboat,
  parseWithFeedparser,
  readerSkip,
  reloadWithNewsboat,
} from "../../support/feed-readers.ts";
import { makeArticle } from "../../support/seed-articles.ts";
import { parseStrictXml } from "../../support/strict-xml.ts";
import { startTestServer, type TestServer } from "../../support/test-server.ts";

// 11:00 in Beijing: the digests of 2025-11-19 and 2025-11-20 (08:00 to 08:00 Beijing) are closed.
const NOW = new Date("2025-11-20T03:00:00Z");
const COVER = "https://mmbiz.qpic.cn/mmbiz_png/cover1/0?wx_fmt=png";

function seed(n: number, sourceId: string, title: string, extra: { source?: string; cover?: string } = {}) {
  const at = Date.parse("2025-11-18T02:00:00Z") + n * 3_600_000 * 5;
  return makeArticle({
    key: `100000000${n}-${20 + n}-1`,
    title,
    sourceId,
    publishedAt: new Date(at - 600_000).toISOString(),
    storedAt: at,
    text: `第一段：${title} 的正文 & <尖括号> "引号"。\n\n第二段 ${n}。`,
    ...extra,
  });
}

const ARTICLES: StoredArticle[] = [
  seed(1, "alpha", "阿尔法的第一篇", { cover: COVER }),
  seed(2, "alpha", '标题里有 <b>标签</b> & "引号" ]]> 结束'),
  seed(3, "alpha", "阿尔法的第三篇"),
  seed(4, "beta", "贝塔的文章"),
  seed(5, "beta", "贝塔的第二篇", { cover: "https://mmbiz.qpic.cn/mmbiz_jpg/c5/0?wx_fmt=jpeg" }),
  seed(6, "manual", "手动加入的一篇", { source: "某个公众号" }),
  seed(7, "manual", "手动加入的另一篇", { source: "另一个公众号" }),
];

const keysOf = (ids: readonly string[]) =>
  ARTICLES.filter((a) => ids.includes(a.sourceId))
    .map((a) => a.key)
    .sort();

/** Scope paths (without extension) and the article keys each must list. */
const SCOPES: readonly { readonly path: string; readonly keys: readonly string[] }[] = [
  { path: "/feed", keys: keysOf(["alpha", "beta", "manual"]) },
  { path: "/feeds/alpha", keys: keysOf(["alpha"]) },
  { path: "/feeds/manual", keys: keysOf(["manual"]) },
  { path: `/tags/${encodeURIComponent("科技")}`, keys: keysOf(["alpha"]) },
  { path: "/tags/news", keys: keysOf(["alpha", "beta"]) },
  { path: "/digest", keys: ["digest-2025-11-19", "digest-2025-11-20"] },
];
const FORMATS = ["xml", "atom", "json"] as const;
const ATOM_ID = "urn:wechat-feed:";

const textOf = (html: string): string => decodeHTML(html.replace(/<[^>]*>/g, "")).replace(/\s+/g, "");

/** An Atom text construct's value (feedsmith gives a string or `{ value }`). */
const textValue = (t: string | { readonly value?: string } | undefined): string =>
  typeof t === "string" ? t : (t?.value ?? "");

interface Item {
  readonly id: string;
  readonly title: string;
  readonly link: string;
  readonly date: number;
  readonly text: string;
}

/** The items of one body, read with feedsmith's parser of its format, ids in RSS guid form. */
function readItems(format: (typeof FORMATS)[number], body: string): Item[] {
  if (format === "xml") {
    parseStrictXml(body);
    return (parseRssFeed(body).items ?? []).map((i) => ({
      id: i.guid?.value ?? "",
      title: i.title ?? "",
      link: i.link ?? "",
      date: Date.parse(i.pubDate ?? ""),
      text: textOf(i.content?.encoded ?? ""),
    }));
  }
  if (format === "atom") {
    parseStrictXml(body);
    return (parseAtomFeed(body).entries ?? []).map((e) => ({
      id: (e.id ?? "").replace(ATOM_ID, ""),
      title: textValue(e.title),
      link: e.links?.find((l) => l.rel === "alternate")?.href ?? "",
      date: Date.parse(e.published ?? ""),
      text: textOf(textValue(e.content)),
    }));
  }
  return (parseJsonFeed(JSON.parse(body)).items ?? []).map((i) => ({
    id: i.id ?? "",
    title: i.title ?? "",
    link: i.url ?? "",
    date: Date.parse(i.date_published ?? ""),
    text: textOf(i.content_html ?? ""),
  }));
}

describe("feeds in every format and scope", () => {
  let server: TestServer;
  const bodies = new Map<string, { body: string; etag: string; lastModified: string }>();
  const url = (path: string) => `${server.base}${path}`;

  before(async () => {
    server = await startTestServer({
      articles: ARTICLES,
      settings: {
        sources: [
          { id: "alpha", name: "阿尔法", tags: ["科技", "news"] },
          { id: "beta", tags: ["news"] },
        ],
      },
      deps: () => ({ now: () => NOW }),
    });
    for (const scope of SCOPES) {
      for (const ext of FORMATS) {
        const res = await fetch(url(`${scope.path}.${ext}`));
        assert.equal(res.status, 200, `${scope.path}.${ext}`);
        bodies.set(`${scope.path}.${ext}`, {
          body: await res.text(),
          etag: res.headers.get("etag") ?? "",
          lastModified: res.headers.get("last-modified") ?? "",
        });
      }
    }
  });
  after(async () => {
    await server?.close();
  });

  const body = (path: string) => bodies.get(path)?.body ?? "";

  it("lists the same items, ids, titles, links, dates and content in RSS, Atom and JSON Feed", () => {
    for (const scope of SCOPES) {
      const rss = readItems("xml", body(`${scope.path}.xml`));
      assert.deepEqual(rss.map((i) => i.id).sort(), [...scope.keys], `${scope.path}.xml`);
      for (const ext of ["atom", "json"] as const) {
        assert.deepEqual(readItems(ext, body(`${scope.path}.${ext}`)), rss, `${scope.path}.${ext}`);
      }
    }
  });

  it("serves each format with its content type, validators and a self link to itself", async () => {
    const types = {
      xml: "application/rss+xml; charset=utf-8",
      atom: "application/atom+xml; charset=utf-8",
      json: "application/feed+json; charset=utf-8",
    };
    for (const scope of SCOPES) {
      for (const ext of FORMATS) {
        const path = `${scope.path}.${ext}`;
        const res = await fetch(url(path));
        assert.equal(res.headers.get("content-type"), types[ext], path);
        assert.match(res.headers.get("etag") ?? "", /^"[A-Za-z0-9_-]{10,}"$/, path);
        assert.ok(res.headers.get("last-modified"), path);
        const self = `${server.settings.publicUrl}${path}`;
        const text = await res.text();
        if (ext === "xml")
          assert.equal(parseRssFeed(text).atom?.links?.find((l) => l.rel === "self")?.href, self);
        if (ext === "atom")
          assert.equal(parseAtomFeed(text).links?.find((l) => l.rel === "self")?.href, self);
        if (ext === "json") assert.equal(parseJsonFeed(JSON.parse(text)).feed_url, self);
      }
    }
  });

  it("names the feed of hand-added articles 手动添加, not after an article's account", () => {
    assert.equal(parseRssFeed(body("/feeds/manual.xml")).title, "手动添加 · 测试订阅");
    assert.equal(textValue(parseAtomFeed(body("/feeds/manual.atom")).title), "手动添加 · 测试订阅");
    assert.equal(parseJsonFeed(JSON.parse(body("/feeds/manual.json"))).title, "手动添加 · 测试订阅");
    assert.equal(parseRssFeed(body("/feeds/alpha.xml")).title, "阿尔法 · 测试订阅");
  });

  it("gives covers as enclosures with no made-up length", () => {
    for (const scope of SCOPES.slice(0, 2)) {
      assert.doesNotMatch(body(`${scope.path}.xml`), /length="0"/);
      assert.doesNotMatch(body(`${scope.path}.atom`), /length="0"/);
      assert.doesNotMatch(body(`${scope.path}.json`), /size_in_bytes/);
    }
    const rss = parseRssFeed(body("/feeds/alpha.xml")).items?.find((i) => i.guid?.value === ARTICLES[0]?.key);
    assert.deepEqual(rss?.enclosures, [{ url: COVER, type: "image/png" }]);
    const atom = parseAtomFeed(body("/feeds/alpha.atom")).entries?.find(
      (e) => e.id === `${ATOM_ID}${ARTICLES[0]?.key}`,
    );
    assert.deepEqual(
      atom?.links?.find((l) => l.rel === "enclosure"),
      { href: COVER, rel: "enclosure", type: "image/png" },
    );
    const json = parseJsonFeed(JSON.parse(body("/feeds/alpha.json"))).items?.find(
      (i) => i.id === ARTICLES[0]?.key,
    );
    assert.deepEqual(json?.attachments, [{ url: COVER, mime_type: "image/png" }]);
  });

  it("answers 304 for every format and scope, by ETag and by date", async () => {
    for (const [path, { etag, lastModified }] of bodies) {
      const byTag = await fetch(url(path), { headers: { "If-None-Match": etag } });
      assert.equal(byTag.status, 304, `${path} If-None-Match`);
      assert.equal(byTag.headers.get("etag"), etag);
      const byDate = await fetch(url(path), { headers: { "If-Modified-Since": lastModified } });
      assert.equal(byDate.status, 304, `${path} If-Modified-Since`);
      const stale = await fetch(url(path), { headers: { "If-None-Match": '"stale"' } });
      assert.equal(stale.status, 200, `${path} stale tag`);
      await stale.arrayBuffer();
    }
  });

  it("sends gzip and brotli bodies that decode to the same bytes, with their own ETags and Vary", async () => {
    const raw = (path: string, encoding: string) =>
      fetch(url(path), { headers: { "Accept-Encoding": encoding } }).then(async (res) => ({
        res,
        bytes: Buffer.from(await res.arrayBuffer()),
      }));
    // undici's fetch decodes bodies itself, so the encoded bytes are read with node:http instead.
    const { get } = await import("node:http");
    const encoded = (path: string, encoding: string) =>
      new Promise<{ headers: Record<string, string | string[] | undefined>; bytes: Buffer }>(
        (resolve, reject) => {
          get(url(path), { headers: { "Accept-Encoding": encoding } }, (res) => {
            const chunks: Buffer[] = [];
            res.on("data", (c: Buffer) => chunks.push(c));
            res.on("end", () => resolve({ headers: res.headers, bytes: Buffer.concat(chunks) }));
          }).on("error", reject);
        },
      );
    for (const scope of SCOPES) {
      for (const ext of FORMATS) {
        const path = `${scope.path}.${ext}`;
        const identity = await encoded(path, "identity");
        assert.equal(identity.headers["content-encoding"], undefined, path);
        assert.equal(identity.headers.vary, "Accept-Encoding", path);
        assert.equal(identity.bytes.toString("utf8"), body(path));
        const gzip = await encoded(path, "gzip, deflate");
        assert.equal(gzip.headers["content-encoding"], "gzip", path);
        assert.deepEqual(gunzipSync(gzip.bytes), identity.bytes, `${path} gzip`);
        const br = await encoded(path, "gzip, deflate, br");
        assert.equal(br.headers["content-encoding"], "br", path);
        assert.deepEqual(brotliDecompressSync(br.bytes), identity.bytes, `${path} br`);
        assert.ok(br.bytes.length < identity.bytes.length, `${path} br is smaller`);
        const tags = new Set([identity.headers.etag, gzip.headers.etag, br.headers.etag]);
        assert.equal(tags.size, 3, `${path}: one ETag per encoding`);
        const notModified = await fetch(url(path), {
          headers: { "Accept-Encoding": "br", "If-None-Match": String(br.headers.etag) },
        });
        assert.equal(notModified.status, 304, `${path} br 304`);
        const refused = await raw(path, "br;q=0, gzip;q=0");
        assert.equal(refused.res.headers.get("content-encoding"), null, `${path} q=0`);
      }
    }
  });

  it("links every digest format from the digest page's head", async () => {
    const html = await (await fetch(url("/digest"))).text();
    for (const [ext, type] of [
      ["xml", "application/rss+xml"],
      ["atom", "application/atom+xml"],
      ["json", "application/feed+json"],
    ] as const) {
      const link = new RegExp(
        `<link rel="alternate" type="${type.replace("+", "\\+")}" title="[^"]*" href="([^"]+)" />`,
      ).exec(html);
      assert.equal(
        link?.[1],
        `${server.settings.publicUrl}/digest.${ext}`,
        `${ext} in ${html.slice(0, 1200)}`,
      );
    }
  });

  it("writes a static copy of every format and scope", () => {
    for (const scope of SCOPES) {
      for (const ext of FORMATS) {
        const file = join(server.dataDir, "public", `${decodeURIComponent(scope.path.slice(1))}.${ext}`);
        assert.ok(existsSync(file), file);
        assert.equal(readFileSync(file, "utf8"), body(`${scope.path}.${ext}`));
      }
    }
  });

  it("honours ?limit= in every format and scope it applies to, newest items first", async () => {
    for (const scope of SCOPES.filter((s) => s.path !== "/digest")) {
      const newest = readItems("xml", body(`${scope.path}.xml`)).slice(0, 2);
      for (const ext of FORMATS) {
        const res = await fetch(url(`${scope.path}.${ext}?limit=2`));
        assert.equal(res.status, 200, `${scope.path}.${ext}?limit=2`);
        assert.deepEqual(readItems(ext, await res.text()), newest, `${scope.path}.${ext}?limit=2`);
      }
    }
  });

  it("404s an unknown tag or source in every format", async () => {
    for (const ext of FORMATS) {
      for (const path of [`/tags/nope.${ext}`, `/feeds/nope.${ext}`, `/tags/%E0%A4.${ext}`]) {
        const res = await fetch(url(path));
        assert.equal(res.status, 404, path);
        await res.arrayBuffer();
      }
    }
  });

  describe("python3-feedparser", {
    skip: readerSkip(feedparserPython !== null, "python3-feedparser"),
  }, () => {
    it("reads RSS and Atom of every scope with bozo false and the RSS feed's items", async () => {
      const urls = SCOPES.flatMap((s) => [url(`${s.path}.xml`), url(`${s.path}.atom`)]);
      const parsed = await parseWithFeedparser(urls);
      for (const feed of parsed) {
        assert.equal(feed.bozo, false, `${feed.url}: ${feed.error}`);
        assert.match(feed.version, feed.url.endsWith(".xml") ? /^rss20$/ : /^atom10$/, feed.url);
        assert.ok(
          feed.links.some((l) => l.rel === "self" && feed.url.endsWith(new URL(l.href).pathname)),
          feed.url,
        );
        const path = new URL(feed.url).pathname;
        const rss = readItems("xml", body(`${path.replace(/\.atom$/, ".xml")}`));
        assert.deepEqual(
          feed.entries.map((e) => ({
            id: e.id.replace(ATOM_ID, ""),
            title: e.title,
            link: e.link,
            date: Date.parse(e.published ?? ""),
          })),
          rss.map((i) => ({ id: i.id, title: i.title, link: i.link, date: i.date })),
          feed.url,
        );
        for (const e of feed.entries)
          for (const enc of e.enclosures) assert.notEqual(enc.length, "0", feed.url);
      }
    });

    it("reads JSON Feed with bozo false", {
      skip: feedparserReadsJson
        ? false
        : "this python3-feedparser has no JSON Feed parser (Debian's 6.0.x reads XML only)",
    }, async () => {
      for (const feed of await parseWithFeedparser(SCOPES.map((s) => url(`${s.path}.json`)))) {
        assert.equal(feed.bozo, false, `${feed.url}: ${feed.error}`);
        const rss = readItems("xml", body(`${new URL(feed.url).pathname.replace(/\.json$/, ".xml")}`));
        assert.deepEqual(
          feed.entries.map((e) => e.id),
          rss.map((i) => i.id),
          feed.url,
        );
      }
    });
  });

  describe("newsboat", { skip: readerSkip(hasNewsboat && feedparserPython !== null, "newsboat") }, () => {
    it("reloads RSS and Atom of every scope and stores the RSS feed's items", async () => {
      for (const scope of SCOPES) {
        const rss = readItems("xml", body(`${scope.path}.xml`));
        for (const ext of ["xml", "atom"]) {
          const feedUrl = url(`${scope.path}.${ext}`);
          const items = await reloadWithNewsboat(feedUrl);
          assert.equal(items.length, rss.length, `${feedUrl}: newsboat stored ${items.length} items`);
          assert.deepEqual(
            items.map((i) => i.guid.replace(ATOM_ID, "")).sort(),
            rss.map((i) => i.id).sort(),
            feedUrl,
          );
          assert.deepEqual(items.map((i) => i.title).sort(), rss.map((i) => i.title).sort(), feedUrl);
        }
      }
    });
  });
});
