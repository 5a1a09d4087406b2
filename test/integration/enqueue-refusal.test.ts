/**
 * `wechat-feed enqueue` as a user runs it (child processes, real Redis, the mock WeChat origin): URLs
 * that are not WeChat article links are refused before any network request (exit 2, the reason on
 * stderr in one line, no stack trace, nothing enqueued), `--wait` without a running worker says so in
 * one line, and a valid URL is queued, then answered `duplicate` once a worker has stored it.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { Queue } from "bullmq";
import { createArticleStore } from "../../src/store/article-store.ts";
import { corpusDir, skipReason } from "../support/corpus.ts";
import { type MockOrigin, startMockOrigin } from "../support/mock-wechat-origin.ts";
import { createTestRedis, type TestRedis } from "../support/redis.ts";
import { createServiceHarness, type ServiceHarness, waitFor } from "../support/service-harness.ts";

const REFUSED: ReadonlyArray<readonly [url: string, reason: RegExp]> = [
  ["https://evil.example/s/x", /host not allowed: evil\.example/],
  ["http://127.0.0.1/", /host not allowed: 127\.0\.0\.1/],
  ["https://mp.weixin.qq.com.evil.com/s/x", /host not allowed: mp\.weixin\.qq\.com\.evil\.com/],
  ["file:///etc/passwd", /scheme not allowed: file/],
];

// 01-article.html: biz MzIyNjMxOTY0NA== is base64 of the uin 3226319644.
const ARTICLE_PATH = "/s?__biz=MzIyNjMxOTY0NA==&mid=2247504179&idx=1";
const ARTICLE_URL = `https://mp.weixin.qq.com${ARTICLE_PATH}&sn=52c2c5acc9ff4567b10d1408a333693c&chksm=abc&scene=21#rd`;
const ARTICLE_URL_HTTP = `http://mp.weixin.qq.com${ARTICLE_PATH}&sn=52c2c5acc9ff4567b10d1408a333693c`;
const ARTICLE_KEY = "3226319644-2247504179-1";

/** Asserts a refusal: exit 2, nothing on stdout, one stderr line with every reason, no stack trace. */
function assertRefused(
  result: { code: number | null; stdout: string; stderr: string },
  reasons: readonly RegExp[],
): void {
  assert.equal(result.code, 2, `exit code; stderr: ${result.stderr}`);
  assert.equal(result.stdout, "", "nothing printed on stdout");
  const lines = result.stderr.split("\n").filter((line) => line !== "");
  assert.equal(lines.length, 1, `one stderr line, got:\n${result.stderr}`);
  const [line = ""] = lines;
  for (const reason of reasons) assert.match(line, reason);
  assert.doesNotMatch(result.stderr, /\n\s+at |Error:|node:internal/, "no stack trace");
}

describe("enqueue refusal", { skip: skipReason(corpusDir(), "WeChat corpus") }, () => {
  let t: TestRedis;
  let mock: MockOrigin;
  let h: ServiceHarness;
  let wechat: Queue;

  before(async () => {
    t = await createTestRedis();
    mock = await startMockOrigin();
    mock.route(ARTICLE_PATH, { file: "01-article.html" });
    h = await createServiceHarness({
      prefix: t.prefix,
      config: {
        fetch: { fetcher: "http", origin: mock.origin, minIntervalMs: 0, jitterMs: 0, backoffMs: 100 },
        worker: { concurrency: 1 },
        sources: [],
      },
    });
    wechat = new Queue("wechat", { connection: t.connect(), prefix: t.prefix });
  });
  after(async () => {
    await wechat?.close();
    await h?.cleanup();
    await mock?.close();
    await t?.cleanup();
  });

  it("refuses each bad URL alone, all of them together, and a mix with a valid one", async () => {
    const runs = [
      ...REFUSED.map(([url, reason]) => ({ args: [url], reasons: [reason] })),
      { args: REFUSED.map(([url]) => url), reasons: REFUSED.map(([, reason]) => reason) },
      // One bad URL refuses the whole command: the valid one before it is not enqueued either.
      { args: [ARTICLE_URL, "https://evil.example/s/x"], reasons: [/host not allowed: evil\.example/] },
    ];
    const results = await Promise.all(runs.map((run) => h.runCli(["enqueue", ...run.args])));
    results.forEach((result, i) => {
      assertRefused(result, runs[i]?.reasons ?? []);
    });
    assert.equal(mock.count(), 0, "the mock origin received no request");
    const counts = await wechat.getJobCounts("waiting", "active", "delayed", "completed", "failed");
    const total = Object.values(counts).reduce((sum, n) => sum + n, 0);
    assert.equal(total, 0, `nothing was enqueued: ${JSON.stringify(counts)}`);
  });

  it("says so when --wait has no worker to wait for, instead of timing out", async () => {
    const result = await h.runCli(["enqueue", ARTICLE_URL, "--wait", "--timeout", "90"]);
    assert.equal(result.code, 1, result.stderr);
    assert.equal(result.stdout, `queued ${ARTICLE_KEY}\n`);
    const lines = result.stderr.split("\n").filter((line) => line !== "");
    assert.equal(lines.length, 1, result.stderr);
    assert.match(lines[0] ?? "", /^enqueue: no worker is running, .*wechat-feed start --role worker/);
    assert.ok(result.durationMs < 90_000, "did not sit out the timeout");
    assert.equal(await wechat.count(), 1, "the article stays queued");
  });

  it("queues a valid URL, then answers duplicate once it is stored", async () => {
    const first = await h.runCli(["enqueue", ARTICLE_URL]);
    assert.equal(first.code, 0, first.stderr);
    assert.equal(first.stdout, `queued ${ARTICLE_KEY}\n`);
    assert.equal(mock.count(), 0, "enqueue itself sends no request");

    const again = await h.runCli(["enqueue", ARTICLE_URL_HTTP]);
    assert.equal(again.code, 0, again.stderr);
    assert.equal(again.stdout, `queued ${ARTICLE_KEY}\n`, "still queued: not stored yet");
    assert.equal(await wechat.count(), 1, "the second form did not add a second job");

    const worker = await h.startRole("worker");
    const store = createArticleStore(t.connect(), t.prefix);
    await waitFor(() => store.hasArticle(ARTICLE_KEY), { timeoutMs: 60_000, what: "the article stored" });
    const stop = await worker.stop(15_000);
    assert.equal(stop.code, 0, worker.tail());

    const duplicate = await h.runCli(["enqueue", ARTICLE_URL_HTTP]);
    assert.equal(duplicate.code, 0, duplicate.stderr);
    assert.equal(duplicate.stdout, `duplicate ${ARTICLE_KEY}\n`);
    assert.equal(mock.count("/s"), 1, "the article page was fetched exactly once");
  });
});
