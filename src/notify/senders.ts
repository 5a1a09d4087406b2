/**
 * One sender per target type, each following its service's documented API:
 * - webhook: POST `{event, at, …details}` as JSON; with `secret`, `X-Wechat-Feed-Signature:
 *   sha256=<hex HMAC of the body>` so the receiver can check where it came from;
 * - ntfy: POST the text to the topic URL, `Title` and `Click` headers, optional Bearer token;
 * - telegram: Bot API `sendMessage` (`<base>/bot<token>/sendMessage`, JSON `chat_id`, `text`), `ok: true`;
 * - feishu: custom bot, `{msg_type: "text", content: {text}}`, signed with `timestamp` + `sign` when a
 *   secret is set, `code: 0` on success;
 * - wecom: group robot, `{msgtype: "text", text: {content}}`, `errcode: 0`;
 * - dingtalk: custom robot, same body shape as WeCom, `timestamp` + `sign` query when signed, `errcode: 0`;
 * - email: one plain-text mail through nodemailer over SMTP.
 * Failures throw FetchErrors naming the target's origin only: chat webhooks carry their key in the URL.
 */
import { createHmac } from "node:crypto";
import type { Transporter } from "nodemailer";
import type { NotifyTarget } from "../config/notify.ts";
import { FetchError } from "../errors.ts";
import { type NotifyEvent, toMessageText, toSubject, toWebhookBody } from "./events.ts";
import type { Send, SendResponse } from "./http-send.ts";

/** Delivers one event to one target; rejects when the target did not take it. */
export type Sender = (event: NotifyEvent) => Promise<void>;

const JSON_TYPE = { "content-type": "application/json; charset=utf-8" };
const TELEGRAM_API = "https://api.telegram.org";

function origin(url: string): string {
  return new URL(url).origin;
}

/** Throws unless the answer is 2xx and, for chat APIs, their own success flag is set. */
function check(target: NotifyTarget, url: string, res: SendResponse, accepted: (body: unknown) => boolean) {
  let body: unknown = null;
  try {
    body = res.body === "" ? null : JSON.parse(res.body);
  } catch {
    // A non-JSON answer is fine for webhook and ntfy; the chat APIs' check below then fails.
  }
  if (res.status < 200 || res.status > 299 || !accepted(body)) {
    throw new FetchError(
      "FETCH_HTTP_STATUS",
      `notify: ${target.type} target ${target.id} refused (status ${res.status}) at ${origin(url)}`,
      {
        status: res.status,
        target: target.id,
      },
    );
  }
}

const field = (body: unknown, name: string): unknown =>
  typeof body === "object" && body !== null ? (body as Record<string, unknown>)[name] : undefined;

/** Feishu: base64 HMAC-SHA256 keyed by `timestamp\nsecret` over nothing. */
export function signFeishu(secret: string, timestampS: number): string {
  return createHmac("sha256", `${timestampS}\n${secret}`).update("").digest("base64");
}

/** DingTalk: base64 HMAC-SHA256 keyed by the secret over `timestamp\nsecret`. */
export function signDingTalk(secret: string, timestampMs: number): string {
  return createHmac("sha256", secret).update(`${timestampMs}\n${secret}`).digest("base64");
}

/** Creates the sender of `target`; `now` stamps signatures. */
export function createSender(target: NotifyTarget, send: Send, now: () => number): Sender {
  const post = async (
    url: string,
    headers: Record<string, string>,
    body: string,
    ok: (b: unknown) => boolean,
  ) => check(target, url, await send({ url, method: "POST", headers, body }), ok);
  const url = target.url ?? "";
  const always = () => true;
  const errcodeZero = (b: unknown) => field(b, "errcode") === 0;
  switch (target.type) {
    case "webhook":
      return async (event) => {
        const body = JSON.stringify(toWebhookBody(event));
        const headers: Record<string, string> = { ...JSON_TYPE, "x-wechat-feed-event": event.event };
        if (target.secret !== undefined)
          headers["x-wechat-feed-signature"] =
            `sha256=${createHmac("sha256", target.secret).update(body).digest("hex")}`;
        await post(url, headers, body, always);
      };
    case "ntfy":
      return async (event) => {
        const headers: Record<string, string> = {
          "content-type": "text/plain; charset=utf-8",
          tags: event.event,
        };
        // ntfy reads non-ASCII header values as RFC 2047; the title stays ASCII and the text carries the rest.
        headers.title = `wechat-feed ${event.event}`;
        if (event.link !== null) headers.click = event.link;
        if (target.token !== undefined) headers.authorization = `Bearer ${target.token}`;
        await post(url, headers, toMessageText(event), always);
      };
    case "telegram":
      return async (event) => {
        const api = `${(target.url ?? TELEGRAM_API).replace(/\/+$/, "")}/bot${target.token ?? ""}/sendMessage`;
        const body = JSON.stringify({
          chat_id: target.chatId,
          text: toMessageText(event),
          link_preview_options: { is_disabled: true },
        });
        await post(api, JSON_TYPE, body, (b) => field(b, "ok") === true);
      };
    case "feishu":
      return async (event) => {
        const ts = Math.floor(now() / 1000);
        const signed =
          target.secret === undefined ? {} : { timestamp: String(ts), sign: signFeishu(target.secret, ts) };
        const body = JSON.stringify({ ...signed, msg_type: "text", content: { text: toMessageText(event) } });
        await post(url, JSON_TYPE, body, (b) => field(b, "code") === 0 || field(b, "StatusCode") === 0);
      };
    case "wecom":
      return async (event) => {
        await post(
          url,
          JSON_TYPE,
          JSON.stringify({ msgtype: "text", text: { content: toMessageText(event) } }),
          errcodeZero,
        );
      };
    case "dingtalk":
      return async (event) => {
        const ts = now();
        const target2 = new URL(url);
        if (target.secret !== undefined) {
          target2.searchParams.set("timestamp", String(ts));
          target2.searchParams.set("sign", signDingTalk(target.secret, ts));
        }
        const body = JSON.stringify({ msgtype: "text", text: { content: toMessageText(event) } });
        await post(target2.href, JSON_TYPE, body, errcodeZero);
      };
    case "email":
      return createMailSender(target);
  }
}

/**
 * Email through nodemailer over the target's SMTP URL, one transport per target. nodemailer is loaded on
 * the first mail: every CLI command loads this module, few processes ever send a mail.
 */
function createMailSender(target: NotifyTarget): Sender {
  let transporter: Promise<Transporter> | null = null;
  return async (event) => {
    transporter ??= import("nodemailer").then((m) => m.createTransport(target.smtp ?? ""));
    const transport = await transporter;
    await transport.sendMail({
      from: target.from ?? "wechat-feed@localhost",
      to: target.to ?? [],
      subject: toSubject(event),
      text: toMessageText(event),
    });
  };
}
