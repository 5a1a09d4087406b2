/**
 * The "articles changed" signal between workers and the HTTP server. After a worker stores or updates an
 * article it calls `publishArticleChange`: one MULTI that bumps `<prefix>:version` and publishes the key
 * on `<prefix>:events`. Servers subscribe and rebuild their rendered feeds (debounced). Pub/sub is
 * fire-and-forget, so a message sent while a server is reconnecting is lost; the version counter lets the
 * server notice that with a cheap periodic GET instead of rebuilding on a timer or per request.
 */

import type { Redis } from "ioredis";
import { StoreError } from "../errors.ts";
import { guardRedis } from "./guard.ts";
import { createKeys } from "./keys.ts";

/** One change notice: the article key and the version counter after the change. */
export interface ArticleChange {
  readonly key: string;
  readonly version: number;
}

/** A live subscription; `close` unsubscribes (the subscriber connection stays the caller's). */
export interface ChangeWatch {
  close(): Promise<void>;
}

/** The version counter key and the pub/sub channel of one prefix. */
export function changeFeedKeys(prefix: string): { readonly version: string; readonly events: string } {
  // createKeys validates the prefix (no ':' or glob characters), the same rule as every other key.
  const base = createKeys(prefix).prefix;
  return { version: `${base}:version`, events: `${base}:events` };
}

/** Bumps the version counter and publishes the change; returns the new version. */
export async function publishArticleChange(redis: Redis, prefix: string, key: string): Promise<number> {
  const k = changeFeedKeys(prefix);
  return guardRedis("publishArticleChange", async () => {
    const replies = await redis.multi().incr(k.version).exec();
    const version = Number(replies?.[0]?.[1]);
    if (replies === null || replies[0]?.[0] || !Number.isSafeInteger(version)) {
      throw new StoreError("STORE_WRITE", "change-feed: version increment failed");
    }
    // Published after the INCR so a subscriber that reads the version on receipt sees this change.
    await redis.publish(k.events, JSON.stringify({ key, version }));
    return version;
  });
}

/** The change announcer of one prefix: a named adapter for processes that store or edit articles. */
export function createChangeAnnouncer(redis: Redis, prefix: string): (key: string) => Promise<void> {
  return async (key) => {
    await publishArticleChange(redis, prefix, key);
  };
}

/** The current version counter (0 before the first change). */
export async function readChangeVersion(redis: Redis, prefix: string): Promise<number> {
  const k = changeFeedKeys(prefix);
  return guardRedis("readChangeVersion", async () => {
    const text = await redis.get(k.version);
    const n = text === null ? 0 : Number(text);
    return Number.isSafeInteger(n) ? n : 0;
  });
}

function parseChange(message: string): ArticleChange | null {
  try {
    const value: unknown = JSON.parse(message);
    if (typeof value !== "object" || value === null) return null;
    const { key, version } = value as { key?: unknown; version?: unknown };
    if (typeof key !== "string" || typeof version !== "number") return null;
    return { key, version };
  } catch {
    return null;
  }
}

/**
 * Subscribes `subscriber` (a connection dedicated to pub/sub) to the change channel and calls
 * `onChange` for every well-formed notice. ioredis re-subscribes by itself after a reconnect.
 */
export async function watchArticleChanges(
  subscriber: Redis,
  prefix: string,
  onChange: (change: ArticleChange) => void,
): Promise<ChangeWatch> {
  const k = changeFeedKeys(prefix);
  const listener = (channel: string, message: string): void => {
    if (channel !== k.events) return;
    const change = parseChange(message);
    if (change !== null) onChange(change);
  };
  subscriber.on("message", listener);
  try {
    await guardRedis("watchArticleChanges", async () => {
      await subscriber.subscribe(k.events);
    });
  } catch (err) {
    subscriber.off("message", listener);
    throw err;
  }
  return {
    async close() {
      subscriber.off("message", listener);
      await subscriber.unsubscribe(k.events).catch(() => undefined);
    },
  };
}
