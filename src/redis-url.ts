/**
 * Reads `redis.url` into ioredis connection options (pure). Three forms are accepted:
 * `redis://[user:password@]host:port[/db]`, the same with `rediss://` for TLS (managed Redis services),
 * and Redis Sentinel as `redis+sentinel://[user:password@]host:port[,host:port…]/<master name>[/db]`
 * (add `?tls=1` when the master speaks TLS). ioredis parses the first two itself; Sentinel has no URL
 * form in ioredis, so its hosts, master name, credentials and database are taken apart here.
 */
import type { RedisOptions } from "ioredis";

/** A URL ioredis connects to directly, or the options of a Sentinel-managed master. */
export type RedisTarget =
  | { readonly kind: "direct"; readonly url: string }
  | { readonly kind: "sentinel"; readonly options: RedisOptions };

const SENTINEL = /^redis\+sentinel:\/\/(?:([^@/]*)@)?([^/?#]+)\/([^/?#]+)(?:\/(\d{1,2}))?\/?(?:\?([^#]*))?$/;
const HOST_PORT = /^(\[[0-9a-fA-F:]+\]|[A-Za-z0-9._-]+)(?::(\d{1,5}))?$/;
const DEFAULT_SENTINEL_PORT = 26379;

/** Parses `url`; returns a one-line problem instead when it is none of the accepted forms. */
export function parseRedisUrl(url: string): RedisTarget | string {
  if (/^rediss?:\/\//.test(url)) {
    try {
      new URL(url);
      return { kind: "direct", url };
    } catch {
      return "not a valid redis:// or rediss:// URL";
    }
  }
  const m = SENTINEL.exec(url);
  if (m === null) {
    return "expected redis://, rediss:// or redis+sentinel://host:port[,host:port]/<master name>";
  }
  const [, auth, hosts = "", name = "", db, query = ""] = m;
  const sentinels: { host: string; port: number }[] = [];
  for (const entry of hosts.split(",")) {
    const hp = HOST_PORT.exec(entry);
    const port = Number(hp?.[2] ?? DEFAULT_SENTINEL_PORT);
    if (hp === null || port < 1 || port > 65535) return `not a sentinel host:port: ${JSON.stringify(entry)}`;
    sentinels.push({ host: (hp[1] ?? "").replace(/^\[|\]$/g, ""), port });
  }
  const [user, password] = auth === undefined ? [] : auth.split(":", 2).map(decodeURIComponent);
  const tls = new URLSearchParams(query).get("tls") === "1";
  return {
    kind: "sentinel",
    options: {
      sentinels,
      name: decodeURIComponent(name),
      ...(user ? { username: user, sentinelUsername: user } : {}),
      ...(password ? { password, sentinelPassword: password } : {}),
      ...(db === undefined ? {} : { db: Number(db) }),
      ...(tls ? { tls: {}, enableTLSForSentinelMode: true } : {}),
    },
  };
}
