/**
 * Notifications from a running worker to local receivers: a `start --role worker` child over real
 * Redis fetches from the mock WeChat origin; a local HTTP server stands in for the webhook, the
 * Telegram Bot API, ntfy, Feishu, WeCom and DingTalk, and an `smtp-server` for the mail server. A poll
 * that stores an article must bring `article.new` to every target within 30 s (the webhook's body
 * signed with its secret, a well-formed `sendMessage`, a mail with the title); a verification page must
 * bring `fetch.cooldown` to the webhook; each exactly once.
 */
import assert from "node:assert/strict";
import { createHmac } from "node:crypto";
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { SMTPServer } from "smtp-server";
import { corpusDir, skipReason } from "../support/corpus.ts";
import { type CorpusArticle, readCorpusArticles, routeCorpusArticles } from "../support/corpus-articles.ts";
import { type MockOrigin, startMockOrigin } from "../support/mock-wechat-origin.ts";
import { createTestRedis, type TestRedis } from "../support/redis.ts";
import { createServiceHarness, type ServiceHarness, waitFor } from "../support/service-harness.ts";

const dir = corpusDir();
const WX = "https://mp.weixin.qq.com";
const NEVER = "0 0 1 1 *";
const SECRET = "webhook-secret-for-tests";
const BOT_TOKEN = "123456:TEST-token";
const CAPTCHA = { biz: btoa("3000000055"), mid: "2650000005", key: "3000000055-2650000005-1" };
const SN = "0cc175b9c0f1b6a831c399e269772661";

interface Received {
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
  readonly at: number;
}

/** One HTTP server standing in for every chat API and the webhook, answering each API's success shape. */
async function startReceiver(): Promise<{ base: string; got: Received[]; server: Server }> {
  const got: Received[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const path = req.url ?? "";
      got.push({ path, headers: req.headers, body: Buffer.concat(chunks).toString("utf8"), at: Date.now() });
      const answer = path.startsWith("/tg/")
        ? { ok: true, result: { message_id: 1 } }
        : path.startsWith("/feishu")
          ? { code: 0, msg: "success" }
          : path.startsWith("/wecom") || path.startsWith("/dingtalk")
            ? { errcode: 0, errmsg: "ok" }
            : {};
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(answer));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, got, server };
}

describe("notifications to local receivers", { skip: skipReason(dir, "WeChat corpus") }, () => {
  let t: TestRedis;
  let mock: MockOrigin;
  let h: ServiceHarness;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  let smtp: SMTPServer;
  const mails: { from: string; to: string[]; data: string }[] = [];
  let good: CorpusArticle;

  before(async () => {
    t = await createTestRedis();
    mock = await startMockOrigin();
    receiver = await startReceiver();
    smtp = new SMTPServer({
      authOptional: true,
      disabledCommands: ["STARTTLS", "AUTH"],
      logger: false,
      onData(stream, session, callback) {
        let data = "";
        stream.on("data", (c: Buffer) => (data += c.toString("utf8")));
        stream.on("end", () => {
          const from = session.envelope.mailFrom === false ? "" : session.envelope.mailFrom.address;
          mails.push({ from, to: session.envelope.rcptTo.map((r) => r.address), data });
          callback();
        });
      },
    });
    await new Promise<void>((resolve) => smtp.listen(0, "127.0.0.1", resolve));
    const smtpPort = (smtp.server.address() as AddressInfo).port;
    good = (dir === null ? [] : readCorpusArticles(dir))[0] as CorpusArticle;
    routeCorpusArticles(mock, [good]);
    mock.route(`/s?__biz=${CAPTCHA.biz}&mid=${CAPTCHA.mid}&idx=1`, { mode: "captchaRedirect" });
    const r = receiver.base;
    const news = ["article.new"];
    h = await createServiceHarness({
      prefix: t.prefix,
      config: {
        server: { host: "127.0.0.1", opsPort: 0, publicUrl: "http://feeds.test" },
        fetch: {
          fetcher: "http",
          origin: mock.origin,
          minIntervalMs: 0,
          jitterMs: 0,
          // The local receivers stand in for the chat services: listed, as a user lists a LAN bridge.
          allowedPrivateHosts: [new URL(r).host],
        },
        sources: [
          {
            id: "reading",
            type: "urls",
            urls: [`${WX}/s?__biz=${good.biz}&mid=${good.mid}&idx=${good.idx}&sn=${good.sn}`],
            schedule: NEVER,
          },
          {
            id: "guarded",
            type: "urls",
            urls: [`${WX}/s?__biz=${CAPTCHA.biz}&mid=${CAPTCHA.mid}&idx=1&sn=${SN}`],
            schedule: NEVER,
          },
        ],
        notify: [
          {
            id: "ops",
            type: "webhook",
            url: `${r}/hook`,
            secret: SECRET,
            events: ["article.new", "fetch.cooldown"],
          },
          {
            id: "tg",
            type: "telegram",
            url: `${r}/tg`,
            token: BOT_TOKEN,
            chatId: "-100200300",
            events: news,
          },
          {
            id: "mail",
            type: "email",
            smtp: `smtp://127.0.0.1:${smtpPort}`,
            from: "feed@example.org",
            to: ["me@example.org"],
            events: news,
          },
          { id: "push", type: "ntfy", url: `${r}/ntfy/wechat`, events: news },
          { id: "fs", type: "feishu", url: `${r}/feishu/hook/abc`, secret: "feishu-secret", events: news },
          { id: "wx", type: "wecom", url: `${r}/wecom/send?key=abc`, events: news },
          {
            id: "dd",
            type: "dingtalk",
            url: `${r}/dingtalk/send?access_token=abc`,
            secret: "SECabc",
            events: news,
          },
          { id: "other", type: "webhook", url: `${r}/other`, sources: ["guarded"], events: news },
        ],
      },
    });
    await h.startRole("worker");
  });
  after(async () => {
    await h?.cleanup();
    await new Promise<void>((resolve) => smtp?.close(() => resolve()));
    receiver?.server.close();
    await mock?.close();
    await t?.cleanup();
  });

  const hooks = (event: string) =>
    receiver.got.filter((g) => g.path === "/hook" && g.headers["x-wechat-feed-event"] === event);

  it("brings article.new to every target within 30 s of the poll that stored it", async () => {
    const polled = Date.now();
    assert.equal((await h.runCli(["poll", "reading"])).code, 0);
    await waitFor(() => hooks("article.new").length === 1, {
      timeoutMs: 30_000,
      what: "article.new at the webhook",
    });
    const [hook] = hooks("article.new");
    assert.ok(hook !== undefined && hook.at - polled < 30_000);
    const body = JSON.parse(hook.body) as Record<string, unknown>;
    assert.equal(body.event, "article.new");
    assert.ok(!Number.isNaN(Date.parse(String(body.at))) && String(body.at).endsWith("Z"));
    assert.equal(body.key, good.key);
    assert.equal(body.sourceId, "reading");
    const signature = `sha256=${createHmac("sha256", SECRET).update(hook.body).digest("hex")}`;
    assert.equal(hook.headers["x-wechat-feed-signature"], signature);

    await waitFor(() => mails.length === 1 && receiver.got.filter((g) => g.path !== "/hook").length >= 5, {
      timeoutMs: 30_000,
      what: "the chat targets and the mail",
    });
    const tg = receiver.got.find((g) => g.path === `/tg/bot${BOT_TOKEN}/sendMessage`);
    assert.ok(tg !== undefined, "Telegram sendMessage");
    assert.match(String(tg.headers["content-type"]), /^application\/json/);
    const message = JSON.parse(tg.body) as { chat_id: string; text: string };
    assert.equal(message.chat_id, "-100200300");
    assert.match(message.text, /^\[wechat-feed\] .+\nhttps:\/\/mp\.weixin\.qq\.com\/s\?__biz=/);
    const title = String(body.title);
    assert.ok(message.text.includes(title), message.text);

    const mail = mails[0];
    assert.deepEqual(mail?.to, ["me@example.org"]);
    assert.equal(mail?.from, "feed@example.org");
    assert.match(mail?.data ?? "", /^Subject: /m);
    assert.match(mail?.data ?? "", /mp\.weixin\.qq\.com/);

    const ntfy = receiver.got.find((g) => g.path === "/ntfy/wechat");
    assert.equal(ntfy?.headers.title, "wechat-feed article.new");
    assert.ok(ntfy?.body.includes(title));
    const feishu = JSON.parse(
      receiver.got.find((g) => g.path === "/feishu/hook/abc")?.body ?? "{}",
    ) as Record<string, unknown>;
    assert.equal(feishu.msg_type, "text");
    const signed = createHmac("sha256", `${String(feishu.timestamp)}\nfeishu-secret`)
      .update("")
      .digest("base64");
    assert.equal(feishu.sign, signed);
    const wecom = JSON.parse(receiver.got.find((g) => g.path === "/wecom/send?key=abc")?.body ?? "{}") as {
      msgtype: string;
      text: { content: string };
    };
    assert.equal(wecom.msgtype, "text");
    assert.ok(wecom.text.content.includes(title));
    const ding = receiver.got.find((g) => g.path.startsWith("/dingtalk/send?access_token=abc&timestamp="));
    assert.ok(ding !== undefined, "DingTalk call signed in the query");
    const q = new URL(ding.path, receiver.base).searchParams;
    const dingSign = createHmac("sha256", "SECabc")
      .update(`${q.get("timestamp")}\nSECabc`)
      .digest("base64");
    assert.equal(q.get("sign"), dingSign);
    // The target filtered on another source got nothing.
    assert.equal(receiver.got.filter((g) => g.path === "/other").length, 0);
  });

  it("brings fetch.cooldown to the webhook once when WeChat serves a verification page", async () => {
    assert.equal((await h.runCli(["poll", "guarded"])).code, 0);
    await waitFor(() => hooks("fetch.cooldown").length === 1, { timeoutMs: 30_000, what: "fetch.cooldown" });
    const body = JSON.parse(hooks("fetch.cooldown")[0]?.body ?? "{}") as { until: string; level: number };
    assert.ok(Date.parse(body.until) > Date.now());
    assert.equal(body.level, 1);
    // A second poll meets the same cool-down: the condition is active, so nothing new is sent.
    assert.equal((await h.runCli(["poll", "guarded"])).code, 0);
    await sleep(3000);
    assert.equal(hooks("fetch.cooldown").length, 1);
    assert.equal(hooks("article.new").length, 1);
    assert.equal(mails.length, 1);
  });
});
