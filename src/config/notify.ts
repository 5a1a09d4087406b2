/**
 * The `notify:` list: where operator and reader notifications go. Each target has an id, a type (a
 * JSON webhook, ntfy, Telegram, Feishu, WeCom, DingTalk or email over SMTP), the events it wants and
 * optionally the sources it cares about. Chat targets take their full URL (or, for Telegram, the Bot
 * API base), so tests and self-hosted relays can point them anywhere.
 */
import { z } from "zod";
import { HttpUrlSchema } from "./sources.ts";

/** Every event a target can ask for. */
export const NOTIFY_EVENTS = [
  "article.new",
  "digest.built",
  "source.failing",
  "source.silent",
  "fetch.cooldown",
  "fetch.resumed",
  "budget.exhausted",
  "archive.failed",
  "browser.failed",
] as const;
/** An event name. */
export type NotifyEventName = (typeof NOTIFY_EVENTS)[number];

/** The target types. */
export const NOTIFY_TYPES = ["webhook", "ntfy", "telegram", "feishu", "wecom", "dingtalk", "email"] as const;

/** One notification target. */
export const NotifyTargetSchema = z
  .strictObject({
    /** Names the target in logs and metrics; lower-case letters, digits, `-`. */
    id: z.string().regex(/^[a-z0-9][a-z0-9-]{0,63}$/, { error: 'use lower-case letters, digits and "-"' }),
    /** webhook, ntfy, telegram, feishu, wecom, dingtalk or email. */
    type: z.enum(NOTIFY_TYPES),
    /** webhook/ntfy/feishu/wecom/dingtalk: the URL posted to; telegram: the Bot API base. Default (telegram) `https://api.telegram.org`. */
    url: HttpUrlSchema.optional(),
    /** Events this target receives. */
    events: z.array(z.enum(NOTIFY_EVENTS)).min(1, { error: "must list at least one event" }),
    /** Only events about these source ids (events about no source always pass). Default: all. */
    sources: z.array(z.string().min(1)).optional(),
    /** webhook: HMAC-SHA256 key of the X-Wechat-Feed-Signature header; feishu/dingtalk: the bot's signing secret. */
    secret: z.string().min(1).optional(),
    /** telegram: the bot token; ntfy: an access token (sent as Bearer). */
    token: z.string().min(1).optional(),
    /** telegram: the chat id (number or @channel). */
    chatId: z.string().min(1).optional(),
    /** email: the SMTP server, `smtp://user:pass@host:587` or `smtps://…:465`. */
    smtp: z.url({ protocol: /^smtps?$/, error: "expected an smtp:// or smtps:// URL" }).optional(),
    /** email: the From address. Default `wechat-feed@localhost`. */
    from: z.string().min(3).optional(),
    /** email: the recipients. */
    to: z.array(z.email()).min(1).optional(),
  })
  .superRefine((target, ctx) => {
    const need = (field: "url" | "token" | "chatId" | "smtp" | "to") => {
      if (target[field] === undefined)
        ctx.addIssue({ code: "custom", path: [field], message: `required for type ${target.type}` });
    };
    if (target.type === "telegram") {
      need("token");
      need("chatId");
    } else if (target.type === "email") {
      need("smtp");
      need("to");
    } else need("url");
  });
/** One validated notification target. */
export type NotifyTarget = z.infer<typeof NotifyTargetSchema>;

/** The id of the target that `digest.webhookUrl` stands for. */
export const DIGEST_WEBHOOK_TARGET_ID = "digest-webhook";

/**
 * `digest.webhookUrl` is shorthand for a webhook target receiving `digest.built`, so the digest's
 * summary is delivered like every other notification: queued, retried with backoff, counted.
 */
export function toDigestWebhookTarget(url: string): NotifyTarget {
  return { id: DIGEST_WEBHOOK_TARGET_ID, type: "webhook", url, events: ["digest.built"] };
}

/** The list of targets; ids must be unique (they name rate-limit keys and jobs). */
export const NotifyListSchema = z.array(NotifyTargetSchema).superRefine((targets, ctx) => {
  const seen = new Set<string>();
  for (const [i, target] of targets.entries()) {
    if (seen.has(target.id))
      ctx.addIssue({ code: "custom", path: [i, "id"], message: `duplicate target id "${target.id}"` });
    seen.add(target.id);
  }
});
