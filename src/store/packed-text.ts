/**
 * The compact text pieces of the packed article record (`article-record.ts` owns the record itself):
 * long common prefixes (the WeChat article and image hosts, the archive layout) stored once here instead
 * of in every record, and the split of the record's JSON into hash values of at most 64 bytes (Redis
 * keeps a hash whose values all fit `hash-max-listpack-value`, 64 by default, as a compact listpack).
 */
import { sep } from "node:path";

const CHUNK_BYTES = 64;
const URL_PREFIXES = [
  "https://mp.weixin.qq.com/s?__biz=",
  "https://mp.weixin.qq.com/s/",
  "https://mmbiz.qpic.cn/",
] as const;

/** A URL with a known prefix becomes `[prefix index, rest]`, so the prefix costs two bytes. */
export function packUrl(url: string | null): string | [number, string] | null {
  if (url === null) return null;
  const i = URL_PREFIXES.findIndex((p) => url.startsWith(p));
  return i < 0 ? url : [i, url.slice(URL_PREFIXES[i]?.length)];
}

/** The URL `packUrl` packed; undefined when `v` is neither a string, null nor a known prefix pair. */
export function unpackUrl(v: unknown): string | null | undefined {
  if (v === null || typeof v === "string") return v;
  if (!Array.isArray(v) || typeof v[1] !== "string") return undefined;
  const prefix = URL_PREFIXES[Number(v[0])];
  return prefix === undefined ? undefined : prefix + v[1];
}

/** The archive path of the layout (`<root>/articles/YYYY/MM/DD/<key>.md`) is stored as `[root]`. */
export function packPath(archivePath: string, date: string, key: string): string | [string] {
  const [y, m, d] = date.split("-");
  const tail = `${sep}articles${sep}${y}${sep}${m}${sep}${d}${sep}${key}.md`;
  return archivePath.endsWith(tail) ? [archivePath.slice(0, -tail.length)] : archivePath;
}

/** The archive path `packPath` packed for (`key`, `date`); undefined when `v` is malformed. */
export function unpackPath(v: unknown, key: string, date: string): string | undefined {
  if (typeof v === "string") return v;
  if (!Array.isArray(v) || typeof v[0] !== "string") return undefined;
  const [y, m, d] = date.split("-");
  return `${v[0]}${sep}articles${sep}${y}${sep}${m}${sep}${d}${sep}${key}.md`;
}

/** Splits `text` at character boundaries into pieces of at most CHUNK_BYTES UTF-8 bytes. */
export function chunk(text: string): string[] {
  const out: string[] = [];
  let cur = "";
  let bytes = 0;
  for (const ch of text) {
    const n = Buffer.byteLength(ch);
    if (bytes + n > CHUNK_BYTES) {
      out.push(cur);
      cur = "";
      bytes = 0;
    }
    cur += ch;
    bytes += n;
  }
  if (cur !== "") out.push(cur);
  return out;
}

/** Joins the `p0`, `p1`... chunks of a packed hash back into its JSON text. */
export function joinChunks(hash: Record<string, string>): string {
  let text = "";
  for (let i = 0; hash[`p${i}`] !== undefined; i++) text += hash[`p${i}`];
  return text;
}
