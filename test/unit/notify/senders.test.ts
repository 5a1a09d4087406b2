// Notification senders against a real local HTTP server: each refuses to count a delivery its service
// did not accept (HTTP error, or a 200 with the API's own failure flag), and the errors name the
// target's origin only. Also the target schema's per-type requirements.
import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, it } from "node:test";
import { NotifyListSchema, type NotifyTarget } from "../../../src/config/notify.ts";
import { isAppError } from "../../../src/errors.ts";
import { createFetchSend } from "../../../src/notify/http-send.ts";
import { buildEvent } from "../../../src/notify/pipeline-events.ts";
import { createSender } from "../../../src/notify/senders.ts";

const event = buildEvent(Date.parse("2026-12-05T00:00:00Z"), "source.failing", {
  sourceId: "tech",
  headline: "source tech failed 3 polls in a row",
  link: "http://feeds.test/",
  condition: "source.failing:tech",
});

describe("senders", () => {
  let server: Server;
  let base = "";
  const answers = new Map<string, { status: number; body: string }>();
  before(async () => {
    server = createServer((req, res) => {
      req.resume();
      const answer = answers.get((req.url ?? "").split("?")[0] ?? "") ?? { status: 404, body: "" };
      res.writeHead(answer.status, { "content-type": "application/json" }).end(answer.body);
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const target = (t: Partial<NotifyTarget> & Pick<NotifyTarget, "type">): NotifyTarget =>
    ({ id: "t", events: ["source.failing"], ...t }) as NotifyTarget;
  const deliver = (t: NotifyTarget) => createSender(t, createFetchSend(5000), Date.now)(event);

  async function assertRefused(t: NotifyTarget): Promise<void> {
    await assert.rejects(deliver(t), (err: unknown) => {
      assert.ok(isAppError(err, "FETCH_HTTP_STATUS"), String(err));
      assert.ok(!err.message.includes("secret-key"), err.message);
      return true;
    });
  }

  it("accepts each service's success answer", async () => {
    answers.set("/ok", { status: 200, body: "" });
    answers.set("/tg/botTOKEN/sendMessage", { status: 200, body: '{"ok":true}' });
    answers.set("/wecom", { status: 200, body: '{"errcode":0}' });
    answers.set("/feishu", { status: 200, body: '{"code":0}' });
    await deliver(target({ type: "webhook", url: `${base}/ok` }));
    await deliver(target({ type: "ntfy", url: `${base}/ok` }));
    await deliver(target({ type: "telegram", url: `${base}/tg`, token: "TOKEN", chatId: "1" }));
    await deliver(target({ type: "wecom", url: `${base}/wecom?key=secret-key` }));
    await deliver(target({ type: "dingtalk", url: `${base}/wecom?access_token=secret-key`, secret: "s" }));
    await deliver(target({ type: "feishu", url: `${base}/feishu` }));
  });

  it("refuses HTTP errors and the APIs' own failure answers", async () => {
    answers.set("/down", { status: 503, body: "" });
    answers.set("/tg/botTOKEN/sendMessage", {
      status: 200,
      body: '{"ok":false,"description":"chat not found"}',
    });
    answers.set("/wecom", { status: 200, body: '{"errcode":93000,"errmsg":"invalid webhook url"}' });
    answers.set("/feishu", { status: 200, body: '{"code":19021,"msg":"sign match fail"}' });
    await assertRefused(target({ type: "webhook", url: `${base}/down?token=secret-key` }));
    await assertRefused(target({ type: "telegram", url: `${base}/tg`, token: "TOKEN", chatId: "1" }));
    await assertRefused(target({ type: "wecom", url: `${base}/wecom?key=secret-key` }));
    await assertRefused(target({ type: "dingtalk", url: `${base}/wecom?access_token=secret-key` }));
    await assertRefused(target({ type: "feishu", url: `${base}/feishu` }));
  });
});

describe("notify target schema", () => {
  const problems = (value: unknown) => {
    const result = NotifyListSchema.safeParse(value);
    return result.success ? [] : result.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`);
  };

  it("requires what each type needs", () => {
    assert.deepEqual(problems([{ id: "a", type: "webhook", events: ["article.new"] }]), [
      "0.url: required for type webhook",
    ]);
    assert.deepEqual(problems([{ id: "a", type: "telegram", events: ["article.new"] }]), [
      "0.token: required for type telegram",
      "0.chatId: required for type telegram",
    ]);
    assert.deepEqual(
      problems([{ id: "a", type: "email", smtp: "smtp://h:25", to: ["a@b.cd"], events: ["digest.built"] }]),
      [],
    );
  });

  it("refuses unknown events, empty event lists and duplicate ids", () => {
    assert.match(
      problems([{ id: "a", type: "ntfy", url: "https://ntfy.sh/x", events: ["article.old"] }]).join(),
      /events\.0/,
    );
    assert.match(
      problems([{ id: "a", type: "ntfy", url: "https://ntfy.sh/x", events: [] }]).join(),
      /at least one event/,
    );
    const twice = { id: "a", type: "ntfy", url: "https://ntfy.sh/x", events: ["article.new"] };
    assert.deepEqual(problems([twice, twice]), ['1.id: duplicate target id "a"']);
  });
});
