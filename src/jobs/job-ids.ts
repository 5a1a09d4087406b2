/**
 * Deterministic BullMQ job ids (pure). The same work always gets the same id, so two scheduler
 * processes or a hundred manual submissions add one job. BullMQ forbids `:` in custom ids and
 * rejects integer-like ones; every id here has a letter prefix and only `[A-Za-z0-9_-]`.
 */

/** The UTC slot of a scheduled tick, e.g. `20260103T013000Z`: the scheduled time, not the wall clock. */
export function tickSlot(scheduledAt: Date): string {
  return scheduledAt
    .toISOString()
    .replace(/\.\d{3}Z$/, "Z")
    .replace(/[-:]/g, "");
}

/** `discover-<sourceId>-<slot>`: one poll job per source and tick. */
export function tickJobId(sourceId: string, scheduledAt: Date): string {
  return `discover-${sourceId}-${tickSlot(scheduledAt)}`;
}

/** `poll-<sourceId>-<ms>`: a poll asked for by hand (`wechat-feed poll`), unique per request. */
export function manualPollJobId(sourceId: string, requestedAt: Date): string {
  return `poll-${sourceId}-${requestedAt.getTime()}`;
}

/** `article-<key>`: one fetch job per article key (`<uin>-<mid>-<idx>`, `short-<token>`, `u<hash>`). */
export function articleJobId(key: string): string {
  return `article-${key}`;
}

/** `album-<key>-<cursor>`: one job per album page. */
export function albumJobId(albumKey: string, cursor: string | null): string {
  return `${albumKey}-${cursor === null ? "first" : cursor.replace(/[^A-Za-z0-9_-]/g, "_")}`;
}

/** `digest-<YYYYMMDD>`: one digest per Beijing day. */
export function digestJobId(day: string): string {
  return `digest-${day.replace(/-/g, "")}`;
}

/** `summarize-<key>-<first 16 hex of the content hash>`: one job per article content. */
export function summarizeJobId(key: string, contentHash: string): string {
  return `summarize-${key}-${contentHash.slice(0, 16)}`;
}
