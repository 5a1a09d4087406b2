/**
 * The stored article and its Redis hash encoding, in both of its forms: the full form (every field plus
 * the rendered document) while the article is in the feed window, and the packed form (metadata only,
 * see below) once its body lives only in the archive. Every reader of an article hash decodes it here.
 * Redis hashes hold only strings, so the mapping is
 * explicit and checked both ways: numbers are written as decimal integers and parsed back to numbers, a
 * null field is simply absent from the hash (an empty string stays an empty string). Nothing is silently
 * turned into a string on the way back (the RSSHub cache bug, architecture.md section 8). The optional
 * `truncated` flag is written as "1" or "0" on every save (so an update by a full re-fetch clears it) and
 * read back as `truncated: true`, or no field at all, as records written before the flag existed are.
 */

import { StoreError } from "../errors.ts";
import type { StoredArticle } from "../model.ts";
import { checkDate, checkId } from "./keys.ts";
import { chunk, joinChunks, packPath, packUrl, unpackPath, unpackUrl } from "./packed-text.ts";

type TextField =
  | "key"
  | "url"
  | "title"
  | "source"
  | "sourceId"
  | "date"
  | "fetchDate"
  | "contentHash"
  | "document"
  | "archivePath";
type NullableTextField = "account" | "author" | "cover" | "description";
type NullableNumberField = "publishedAt" | "itemShowType" | "updatedAt";

const TEXT: readonly TextField[] = [
  "key",
  "url",
  "title",
  "source",
  "sourceId",
  "date",
  "fetchDate",
  "contentHash",
  "document",
  "archivePath",
];
const NULLABLE_TEXT: readonly NullableTextField[] = ["account", "author", "cover", "description"];
const NULLABLE_NUMBER: readonly NullableNumberField[] = ["publishedAt", "itemShowType", "updatedAt"];

/** The hash fields to set and the (null) fields to delete for one article. */
export interface EncodedArticle {
  readonly set: readonly (readonly [string, string])[];
  readonly nulls: readonly string[];
}

function invalid(key: string, field: string): StoreError {
  return new StoreError("STORE_WRITE", `store: invalid article field ${field} for ${key.slice(0, 80)}`, {
    field,
  });
}

/** Validates an article and maps it to hash fields; `updatedAt` is managed by the save script. */
export function encodeArticle(a: StoredArticle): EncodedArticle {
  checkId("article key", a.key);
  checkId("source id", a.sourceId);
  checkDate(a.date);
  const set: [string, string][] = [];
  const nulls: string[] = [];
  for (const f of TEXT) {
    const v: unknown = a[f];
    if (typeof v !== "string") throw invalid(a.key, f);
    set.push([f, v]);
  }
  if (a.contentHash === "") throw invalid(a.key, "contentHash");
  for (const f of NULLABLE_TEXT) {
    const v: unknown = a[f];
    if (v === null) nulls.push(f);
    else if (typeof v === "string") set.push([f, v]);
    else throw invalid(a.key, f);
  }
  for (const f of ["publishedAt", "itemShowType"] as const) {
    const v: unknown = a[f];
    if (v === null) nulls.push(f);
    else if (typeof v === "number" && Number.isSafeInteger(v)) set.push([f, String(v)]);
    else throw invalid(a.key, f);
  }
  if (!Number.isSafeInteger(a.storedAt)) throw invalid(a.key, "storedAt");
  set.push(["storedAt", String(a.storedAt)]);
  const truncated: unknown = a.truncated ?? false;
  if (typeof truncated !== "boolean") throw invalid(a.key, "truncated");
  // Always written, "0" included: a full re-fetch saving over a truncated record must clear the flag.
  set.push(["truncated", truncated ? "1" : "0"]);
  return { set, nulls };
}

function parseInteger(text: string | undefined): number | null | undefined {
  if (text === undefined) return null;
  return /^-?\d{1,16}$/.test(text) ? Number(text) : undefined;
}

/** A decoded record: the article, with `document` null when its body is only in the archive. */
export type ArticleRecord = Omit<StoredArticle, "document"> & {
  readonly document: string | null;
  /** Byte length of the document (what its archive file holds). */
  readonly bytes: number;
};

/** The article key of an article hash key (`<prefix>:article:<key>`; keys hold no `:`). */
function articleKeyOf(redisKey: string): string {
  return redisKey.slice(redisKey.lastIndexOf(":") + 1);
}

/** Maps an HGETALL result of either form back to a typed record; null when the hash is empty. */
export function decodeArticle(redisKey: string, hash: Record<string, string>): ArticleRecord | null {
  if (Object.keys(hash).length === 0) return null;
  const malformed = (field: string): StoreError =>
    new StoreError("STORE_UNAVAILABLE", `store: malformed article record ${redisKey}: ${field}`, { field });
  const numbers = {} as Record<NullableNumberField, number | null>;
  for (const f of NULLABLE_NUMBER) {
    const v = parseInteger(hash[f]);
    if (v === undefined) throw malformed(f);
    numbers[f] = v;
  }
  const storedAt = parseInteger(hash.storedAt);
  if (storedAt === undefined || storedAt === null) throw malformed("storedAt");
  const truncated = hash.truncated;
  if (truncated !== undefined && truncated !== "0" && truncated !== "1") throw malformed("truncated");
  const { summary, category, summaryHash, summaryPath } = hash;
  const hasSummary = summary !== undefined && category !== undefined && summaryHash !== undefined;
  const path = summaryPath === undefined ? {} : { path: summaryPath };
  const common = {
    storedAt,
    updatedAt: numbers.updatedAt,
    ...(truncated === "1" ? { truncated: true } : {}),
    ...(hasSummary ? { summary: { text: summary, category, contentHash: summaryHash, ...path } } : {}),
  };
  if (hash[PACKED_MARK] !== undefined) {
    const key = articleKeyOf(redisKey);
    const fields = decodePackedText(key, joinChunks(hash));
    if (typeof fields === "string") throw malformed(fields);
    const bytes = parseInteger(hash.bytes);
    const { contentHash, sourceId } = hash;
    if (bytes === undefined || bytes === null) throw malformed("bytes");
    if (contentHash === undefined || sourceId === undefined) throw malformed("contentHash");
    return { ...fields, key, contentHash, sourceId, document: null, bytes, ...common };
  }
  const text = {} as Record<TextField, string>;
  for (const f of TEXT) {
    const v = hash[f];
    if (v === undefined) throw malformed(f);
    text[f] = v;
  }
  const nullableText = {} as Record<NullableTextField, string | null>;
  for (const f of NULLABLE_TEXT) nullableText[f] = hash[f] ?? null;
  const bytes = Buffer.byteLength(text.document);
  return { ...text, ...nullableText, ...numbers, bytes, ...common };
}

// ---- The packed form: an article outside the feed window, without its body ----
//
// A hash whose every value is at most 64 bytes stays a listpack in Redis (hash-max-listpack-value), about
// half the memory of the hashtable the full form needs. So the packed form keeps the fields other modules
// read by name (`contentHash`, `storedAt`, `sourceId`, `updatedAt`, `truncated`, the summary fields) as they are, adds
// `bytes` (the document's byte length, for the archive repair's size check), and puts everything else in
// one JSON array split into fields `p0`, `p1`... of at most 64 bytes each (`packed-text.ts`).

/** Field of the first packed chunk: present exactly when a record is in the packed form. */
export const PACKED_MARK = "p0";
/** The packed form of `a` as hash fields (every value ≤ 64 bytes); `a` must have passed `encodeArticle`. */
export function encodePackedArticle(a: StoredArticle): (readonly [string, string])[] {
  encodeArticle(a);
  const packed = [
    packPath(a.archivePath, a.date, a.key),
    packUrl(a.url),
    a.title,
    a.source,
    a.date,
    a.fetchDate,
    a.publishedAt,
    a.account,
    a.author,
    packUrl(a.cover),
    a.description,
    a.itemShowType,
  ];
  const set: [string, string][] = [
    ["contentHash", a.contentHash],
    ["storedAt", String(a.storedAt)],
    ["sourceId", a.sourceId],
    ["bytes", String(Buffer.byteLength(a.document))],
  ];
  if (a.updatedAt !== undefined && a.updatedAt !== null) set.push(["updatedAt", String(a.updatedAt)]);
  if (a.truncated === true) set.push(["truncated", "1"]);
  // The summary (summarize.enabled) stays as it is: it is short, read by the feeds and not in the archive
  // file. A summarized packed record may then outgrow the listpack; the summary document keeps a copy.
  if (a.summary !== undefined) {
    set.push(["summary", a.summary.text], ["category", a.summary.category]);
    set.push(["summaryHash", a.summary.contentHash]);
    if (a.summary.path !== undefined) set.push(["summaryPath", a.summary.path]);
  }
  chunk(JSON.stringify(packed)).forEach((c, i) => {
    set.push([`p${i}`, c]);
  });
  return set;
}

const str = (v: unknown): string | undefined => (typeof v === "string" ? v : undefined);
const strOrNull = (v: unknown): string | null | undefined =>
  v === null || typeof v === "string" ? v : undefined;
const intOrNull = (v: unknown): number | null | undefined =>
  v === null || Number.isSafeInteger(v) ? (v as number | null) : undefined;

/** Decodes the JSON of a packed record: the metadata fields, or the name of the first malformed one. */
function decodePackedText(key: string, text: string): PackedFields | string {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return "packed";
  }
  if (!Array.isArray(v) || v.length !== 12) return "packed";
  const date = str(v[4]);
  if (date === undefined) return "date";
  const fields = {
    archivePath: unpackPath(v[0], key, date),
    url: unpackUrl(v[1]),
    title: str(v[2]),
    source: str(v[3]),
    date,
    fetchDate: str(v[5]),
    publishedAt: intOrNull(v[6]),
    account: strOrNull(v[7]),
    author: strOrNull(v[8]),
    cover: unpackUrl(v[9]),
    description: strOrNull(v[10]),
    itemShowType: intOrNull(v[11]),
  };
  for (const [name, value] of Object.entries(fields)) if (value === undefined) return name;
  return fields as PackedFields;
}

/** The metadata a packed record holds in its chunks. */
export type PackedFields = Pick<
  StoredArticle,
  | "archivePath"
  | "url"
  | "title"
  | "source"
  | "date"
  | "fetchDate"
  | "publishedAt"
  | "account"
  | "author"
  | "cover"
  | "description"
  | "itemShowType"
>;

/** The archive path held by a packed record's JSON text (as the save script answers it), or null. */
export function packedArchivePath(key: string, text: string): string | null {
  const fields = decodePackedText(key, text);
  return typeof fields === "string" ? null : fields.archivePath;
}
