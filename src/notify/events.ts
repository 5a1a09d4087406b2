/**
 * The notification event: what happened (`event`), when, about which source, a short headline and an
 * optional link for chat and mail, and the details a webhook receives as JSON. Conditions (a failing
 * source, a cool-down...) carry a `condition` key: they alert once, then stay quiet until cleared.
 */
import type { NotifyEventName } from "../config/notify.ts";

export type { NotifyEventName } from "../config/notify.ts";

/** One event. */
export interface NotifyEvent {
  readonly event: NotifyEventName;
  /** ISO-8601. */
  readonly at: string;
  /** The source the event is about, when it is about one (target `sources:` filters on it). */
  readonly sourceId: string | null;
  /** One readable line. */
  readonly headline: string;
  readonly link: string | null;
  /** Event-specific fields, passed through to webhooks. */
  readonly details: Readonly<Record<string, unknown>>;
  /** Set for conditions: the key that makes it alert once until cleared (e.g. `source.failing:tech`). */
  readonly condition: string | null;
}

/** The webhook body: `{event, at, …details}` plus sourceId, headline and link. */
export function toWebhookBody(e: NotifyEvent): Record<string, unknown> {
  return { ...e.details, event: e.event, at: e.at, sourceId: e.sourceId, headline: e.headline, link: e.link };
}

/** The short text chat and mail targets get: tag, headline, link. */
export function toMessageText(e: NotifyEvent): string {
  const summary = typeof e.details.summary === "string" ? [e.details.summary] : [];
  return [`[wechat-feed] ${e.headline}`, ...summary, ...(e.link === null ? [] : [e.link])].join("\n");
}

/** The subject of a mail. */
export function toSubject(e: NotifyEvent): string {
  return `[wechat-feed] ${e.event}: ${e.headline}`.slice(0, 200);
}
