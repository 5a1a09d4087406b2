/**
 * What the "links rejected" log line says about each link a listing gave that is not a WeChat article
 * URL: the link, shortened and stripped of its query (raw links can carry session parameters such as
 * `key` and `pass_ticket`), and the stable error code. Pure, so the poll job's log stays testable.
 */
import type { RejectedLink } from "../parsers/listing-refs.ts";

/** Most links described in one log line; the line's `count` still gives the total. */
export const MAX_LOGGED_LINKS = 20;
/** Longest shortened link, in characters. */
const MAX_LINK_CHARS = 100;

/** One rejected link as logged. */
export interface LoggedRejectedLink {
  readonly url: string;
  readonly reason: string;
}

/** The first MAX_LOGGED_LINKS rejected links, each with its link shortened (see toShortLink). */
export function toLoggedRejectedLinks(rejected: readonly RejectedLink[]): LoggedRejectedLink[] {
  return rejected.slice(0, MAX_LOGGED_LINKS).map((r) => ({ url: toShortLink(r.link), reason: r.reason }));
}

/**
 * A link fit for a log: scheme, host and path, with `?…` in place of a query or fragment (never their
 * values), cut to MAX_LINK_CHARS; text that is not a URL is only cut; an empty link is `(empty)`.
 */
export function toShortLink(link: string): string {
  const trimmed = link.trim();
  if (trimmed === "") return "(empty)";
  const cut = trimmed.search(/[?#]/);
  const shown = cut === -1 ? trimmed : `${trimmed.slice(0, cut)}?…`;
  return shown.length > MAX_LINK_CHARS ? `${shown.slice(0, MAX_LINK_CHARS - 1)}…` : shown;
}
