// ConfigSchema and SourceSchema: defaults, field rules, cross-field rules, and the example file keeping
// every schema key documented.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { parse as parseYaml } from "yaml";
import { ConfigSchema, listConfigKeys } from "../../../src/config/schema.ts";
import { findCronProblem, SourceListSchema, SourceSchema } from "../../../src/config/sources.ts";

const exampleText = readFileSync(
  new URL("../../../config/wechat-feed.example.yaml", import.meta.url),
  "utf8",
);

/** The keys the configuration must offer (from the project brief), independent of the schema code. */
const REQUIRED_KEYS = [
  "redis.url",
  "redis.prefix",
  "dataDir",
  "server.host",
  "server.port",
  "server.publicUrl",
  "server.apiToken",
  "fetch.fetcher",
  "fetch.origin",
  "fetch.minIntervalMs",
  "fetch.jitterMs",
  "fetch.timeoutMs",
  "fetch.maxBytes",
  "fetch.userAgent",
  "fetch.cooldown.initialMs",
  "fetch.cooldown.maxMs",
  "fetch.attempts",
  "fetch.backoffMs",
  "fetch.dailyBudget",
  "fetch.allowedPrivateHosts",
  "fetch.maxItemsPerListing",
  "browser.executablePath",
  "browser.concurrency",
  "worker.concurrency",
  "jobs.timeoutMs",
  "log.level",
  "feeds.limit",
  "feeds.title",
  "feeds.manualName",
  "digest.schedule",
  "digest.timezone",
  "digest.webhookUrl",
  "imageProxy.enabled",
  "imageProxy.secret",
  "sources",
  "sources[].id",
  "sources[].type",
  "sources[].url",
  "sources[].urls",
  "sources[].file",
  "sources[].name",
  "sources[].schedule",
  "sources[].timezone",
  "sources[].enabled",
  "sources[].fetcher",
  "sources[].tags",
];

describe("ConfigSchema defaults", () => {
  it("fills every documented default from an empty object", () => {
    const config = ConfigSchema.parse({});
    assert.deepEqual(config.redis, { url: "redis://127.0.0.1:6379", prefix: "wf" });
    assert.equal(config.dataDir, "./data");
    assert.deepEqual(config.server, {
      host: "0.0.0.0",
      port: 8080,
      opsPort: 9464,
      publicUrl: "http://localhost:8080",
    });
    assert.equal(config.fetch.fetcher, "browser");
    assert.equal(config.fetch.origin, "https://mp.weixin.qq.com");
    assert.equal(config.fetch.minIntervalMs, 5000);
    assert.equal(config.fetch.jitterMs, 1000);
    assert.equal(config.fetch.timeoutMs, 30_000);
    assert.equal(config.fetch.maxBytes, 15 * 1024 * 1024);
    assert.match(
      config.fetch.userAgent,
      /^Mozilla\/5\.0 \(Windows NT 10\.0; Win64; x64\) .* Chrome\/\d+\.0\.0\.0 Safari\/537\.36$/,
    );
    assert.deepEqual(config.fetch.cooldown, { initialMs: 3_600_000, maxMs: 86_400_000 });
    assert.equal(config.fetch.attempts, 5);
    assert.equal(config.fetch.backoffMs, 30_000);
    assert.equal(config.fetch.dailyBudget, undefined);
    assert.deepEqual(config.fetch.allowedPrivateHosts, []);
    assert.equal(config.fetch.maxItemsPerListing, 500);
    assert.deepEqual(config.browser, { concurrency: 2 });
    assert.ok(config.worker.concurrency >= 1);
    assert.ok(config.jobs.timeoutMs > config.fetch.timeoutMs);
    assert.equal(config.log.level, "info");
    assert.equal(config.feeds.limit, 50);
    assert.equal(typeof config.feeds.title, "string");
    assert.deepEqual(config.digest, { schedule: "0 8 * * *", timezone: "Asia/Shanghai", groupBy: "source" });
    const { systemPrompt, userPrompt, categories, ...summarize } = config.summarize;
    assert.deepEqual(summarize, {
      enabled: false,
      baseUrl: "https://api.openai.com/v1",
      model: "gpt-4o-mini",
      maxInputChars: 8000,
      timeoutMs: 60_000,
      concurrency: 1,
      attempts: 5,
      backoffMs: 30_000,
    });
    assert.match(systemPrompt, /摘要/);
    assert.ok(userPrompt.includes("{title}") && userPrompt.includes("{content}"));
    assert.equal(categories.at(-1), "Others");
    assert.deepEqual(config.imageProxy, { enabled: false });
    assert.deepEqual(config.alerts, { failingAfter: 3, silentFactor: 3, maxPerMinute: 20 });
    assert.deepEqual(config.notify, []);
    assert.deepEqual(config.sources, []);
  });
});

describe("ConfigSchema rules", () => {
  const rejects = (input: unknown, path: string) => {
    const result = ConfigSchema.safeParse(input);
    assert.equal(result.success, false, `expected ${JSON.stringify(input)} to be rejected`);
    const paths = result.error?.issues.map((issue) => issue.path.join(".")) ?? [];
    assert.ok(paths.includes(path), `expected an issue at ${path}, got ${paths.join(", ")}`);
  };

  it("requires the summarize categories to end in Others and a private summarize endpoint to be listed", () => {
    rejects({ summarize: { categories: ["AI", "Tech"] } }, "summarize.categories");
    rejects({ summarize: { enabled: true, baseUrl: "http://127.0.0.1:11434/v1" } }, "summarize.baseUrl");
    const local = { enabled: true, baseUrl: "http://127.0.0.1:11434/v1" };
    assert.ok(
      ConfigSchema.safeParse({ summarize: local, fetch: { allowedPrivateHosts: ["127.0.0.1:11434"] } })
        .success,
    );
    assert.ok(
      ConfigSchema.safeParse({ summarize: { ...local, enabled: false } }).success,
      "off: not checked",
    );
  });

  it("rejects unknown keys at every level", () => {
    rejects({ colour: "red" }, "");
    rejects({ fetch: { cooldown: { initalMs: 5 } } }, "fetch.cooldown");
  });

  it("requires fetch.origin to be a bare http(s) origin and normalizes a trailing slash", () => {
    rejects({ fetch: { origin: "https://mp.weixin.qq.com/s" } }, "fetch.origin");
    rejects({ fetch: { origin: "ftp://127.0.0.1" } }, "fetch.origin");
    assert.equal(
      ConfigSchema.parse({ fetch: { origin: "http://127.0.0.1:3999/" } }).fetch.origin,
      "http://127.0.0.1:3999",
    );
  });

  it("checks the relations between fields", () => {
    rejects({ fetch: { cooldown: { initialMs: 7_200_000, maxMs: 3_600_000 } } }, "fetch.cooldown.initialMs");
    rejects({ jobs: { timeoutMs: 20_000 } }, "jobs.timeoutMs");
    rejects({ imageProxy: { enabled: true } }, "imageProxy.secret");
    assert.equal(
      ConfigSchema.safeParse({ imageProxy: { enabled: true, secret: "x".repeat(16) } }).success,
      true,
    );
  });

  it("validates ports, levels, fetchers and the redis URL", () => {
    rejects({ server: { port: 70_000 } }, "server.port");
    rejects({ log: { level: "verbose" } }, "log.level");
    rejects({ fetch: { fetcher: "chrome" } }, "fetch.fetcher");
    rejects({ redis: { url: "http://127.0.0.1:6379" } }, "redis.url");
    rejects({ redis: { prefix: "wf:test" } }, "redis.prefix");
    for (const prefix of ["{wf", "wf}", "{a}{b}", "{}", "{w:f}", ""])
      rejects({ redis: { prefix } }, "redis.prefix");
    for (const prefix of ["{wf}", "{wf}-prod", "prod{wf}", "wf.2"]) {
      assert.equal(ConfigSchema.parse({ redis: { prefix } }).redis.prefix, prefix);
    }
    for (const url of [
      "rediss://user:pw@redis.example.com:6380/1",
      "redis+sentinel://s1:26379,s2:26379/mymaster",
      "redis+sentinel://:pw@10.0.0.5/main/2?tls=1",
    ]) {
      assert.equal(ConfigSchema.parse({ redis: { url } }).redis.url, url);
    }
    rejects({ redis: { url: "redis+sentinel://s1:26379" } }, "redis.url");
    rejects({ digest: { timezone: "Beijing" } }, "digest.timezone");
  });

  it("turns digest.webhookUrl into a webhook target for digest.built, beside the listed ones", () => {
    const url = "https://hooks.example.com/digest";
    const chat = { id: "chat", type: "ntfy", url: "https://ntfy.example.com/t", events: ["article.new"] };
    const config = ConfigSchema.parse({ digest: { webhookUrl: url }, notify: [chat] });
    assert.deepEqual(config.notify, [
      chat,
      { id: "digest-webhook", type: "webhook", url, events: ["digest.built"] },
    ]);
    assert.deepEqual(ConfigSchema.parse({ notify: [chat] }).notify, [chat]);
    rejects({ digest: { webhookUrl: url }, notify: [{ ...chat, id: "digest-webhook" }] }, "notify.0.id");
  });
});

describe("SourceSchema", () => {
  const ok = (input: object) => SourceSchema.parse(input);
  const bad = (input: object) =>
    assert.equal(SourceSchema.safeParse(input).success, false, JSON.stringify(input));

  it("applies source defaults and leaves name unset", () => {
    const source = ok({ id: "a", type: "feed", url: "https://rss.example.com/a.xml" });
    assert.equal(source.schedule, "*/30 * * * *");
    assert.equal(source.timezone, "Asia/Shanghai");
    assert.equal(source.enabled, true);
    assert.equal(source.name, undefined);
    assert.equal(source.fetcher, undefined);
  });

  it("accepts each source type", () => {
    ok({ id: "f", type: "feed", url: "http://rss.example.com/f.xml" });
    ok({ id: "o", type: "opml", url: "https://rss.example.com/list.opml", fetcher: "http" });
    ok({ id: "al", type: "album", url: "https://mp.weixin.qq.com/mp/appmsgalbum?__biz=MzA=&album_id=1" });
    ok({ id: "u1", type: "urls", urls: ["https://mp.weixin.qq.com/s/x"] });
    ok({ id: "u2", type: "urls", file: "list.txt", enabled: false });
  });

  it("accepts tags in any script and refuses ones that cannot name a URL path", () => {
    const feed = { id: "t", type: "feed", url: "https://e.com/f" };
    assert.deepEqual(ok({ ...feed, tags: ["tech", "科技", "a_b-1"] }).tags, ["tech", "科技", "a_b-1"]);
    for (const tag of ["", "a b", "a/b", "x".repeat(65), "a.b"]) bad({ ...feed, tags: [tag] });
  });

  it("validates filter terms with RE2 at load, defaulting minChars to 0", () => {
    const feed = { id: "t", type: "feed", url: "https://e.com/f" };
    assert.equal(ok({ ...feed, filter: { include: ["AI"] } }).filter?.minChars, 0);
    const result = SourceSchema.safeParse({ ...feed, filter: { exclude: ["/(a)\\1/"] } });
    assert.equal(result.success, false);
    assert.match(result.error?.issues[0]?.message ?? "", /^invalid pattern "\(a\)\\\\1"/);
    bad({ ...feed, filter: { minChars: -1 } });
    bad({ ...feed, filter: { includes: ["typo"] } });
  });

  it("checks source ids", () => {
    for (const id of ["abc", "a-1", "0day", "x".repeat(64)]) ok({ id, type: "feed", url: "https://e.com/f" });
    for (const id of ["", "-a", "A", "a_b", "a:b", "a b", "é", "x".repeat(65)])
      bad({ id, type: "feed", url: "https://e.com/f" });
  });

  it("checks tags: letters of any script, digits, - and _, nothing that could leave a path", () => {
    const feed = { id: "f", type: "feed", url: "https://e.com/f" };
    assert.deepEqual(ok({ ...feed, tags: ["科技", "news", "a-b_1"] }).tags, ["科技", "news", "a-b_1"]);
    assert.equal(ok(feed).tags, undefined);
    for (const tag of ["", "-a", "a/b", "..", "a.b", "a b", "a%2F", "x".repeat(65)])
      bad({ ...feed, tags: [tag] });
    const issue = SourceSchema.safeParse({ ...feed, tags: ["a/b"] }).error?.issues[0];
    assert.match(issue?.message ?? "", /^invalid tag "a\/b": use letters, digits/);
  });

  it("checks urls per type", () => {
    bad({ id: "f", type: "feed", url: "file:///etc/passwd" });
    bad({ id: "f", type: "feed" });
    bad({ id: "al", type: "album", url: "https://mp.weixin.qq.com/s/abc" });
    bad({ id: "al", type: "album", url: "https://mp.weixin.qq.com.evil.com/mp/appmsgalbum?album_id=1" });
    bad({ id: "u", type: "urls" });
    bad({ id: "u", type: "urls", urls: ["https://mp.weixin.qq.com/s/x"], file: "list.txt" });
    bad({ id: "u", type: "urls", urls: [] });
    bad({ id: "u", type: "feed", urls: ["https://mp.weixin.qq.com/s/x"], url: "https://e.com/f" });
    bad({ id: "x", type: "rss", url: "https://e.com/f" });
  });

  it("rejects duplicate ids in a list", () => {
    const list = (ids: string[]) => ids.map((id) => ({ id, type: "feed", url: `https://e.com/${id}` }));
    assert.equal(SourceListSchema.safeParse(list(["a", "b"])).success, true);
    const result = SourceListSchema.safeParse(list(["a", "b", "a"]));
    assert.deepEqual(
      result.error?.issues.map((issue) => issue.path),
      [[2, "id"]],
    );
  });
});

describe("findCronProblem", () => {
  it("accepts valid expressions", () => {
    for (const expression of [
      "*/30 * * * *",
      "0 8 * * *",
      "0 */2 * * 1-5",
      "15,45 9-18 * * *",
      "0 0 1 * *",
      "*/10 * * * * *",
    ]) {
      assert.equal(findCronProblem(expression), null, expression);
    }
  });

  it("rejects invalid ones, including steps node-cron would silently accept", () => {
    for (const expression of [
      "*/61 * * * *",
      "*/60 * * * *",
      "0 */24 * * *",
      "61 * * * *",
      "0 25 * * *",
      "every hour",
      "",
      "* * *",
    ]) {
      const problem = findCronProblem(expression);
      assert.ok(
        problem?.startsWith(`invalid cron expression ${JSON.stringify(expression)}`),
        `${expression}: ${problem}`,
      );
    }
  });
});

describe("config/wechat-feed.example.yaml documents the schema", () => {
  it("the schema offers every required key", () => {
    const keys = new Set(listConfigKeys());
    for (const key of REQUIRED_KEYS) assert.ok(keys.has(key), `schema lacks ${key}`);
  });

  it("every schema key outside sources is set in the example", () => {
    const example = parseYaml(exampleText) as Record<string, unknown>;
    for (const key of listConfigKeys()) {
      if (key.startsWith("sources[") || key.startsWith("notify[")) continue;
      let node: unknown = example;
      for (const part of key.split(".")) {
        assert.ok(typeof node === "object" && node !== null && part in node, `example lacks ${key}`);
        node = (node as Record<string, unknown>)[part];
      }
    }
  });

  it("every notification target key is described", () => {
    for (const key of listConfigKeys().filter((k) => k.startsWith("notify[]."))) {
      const name = key.slice("notify[].".length);
      assert.match(exampleText, new RegExp(`^#   ${name} +\\S`, "m"), `no description of notify[].${name}`);
    }
  });

  it("every source key is described and used in the commented examples", () => {
    const commented = exampleText.slice(exampleText.indexOf("\n# sources:\n"));
    for (const key of listConfigKeys().filter((k) => k.startsWith("sources[]."))) {
      const name = key.slice("sources[].".length);
      assert.match(exampleText, new RegExp(`^#   ${name} +\\S`, "m"), `no description of sources[].${name}`);
      // A nested key (`filter.include`) appears in the example as `include:` under its parent.
      const last = name.split(".").at(-1) ?? name;
      assert.match(commented, new RegExp(`^#\\s+(- )?${last}:`, "m"), `no example of sources[].${name}`);
    }
  });
});
