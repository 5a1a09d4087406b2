/**
 * The stored article and its Redis hash encoding. Redis hashes hold only strings, so the mapping is
 * explicit and checked both ways: numbers are written as decimal integers and parsed back to numbers, a
 * null field is simply absent from the hash (an empty string stays an empty string). Nothing is silently
 * turned into a string on the way back (the RSSHub cache bug, architecture.md section 8). The optional
 * `truncated` flag is written as "1" or "0" on every save (so an update by a full re-fetch clears it) and
 * read back as `truncated: true`, or no field at all, as records written before the flag existed are.
 */

import { StoreError } from "../errors.ts";
import type { StoredArticle } from "../model.ts";
import { checkDate, checkId } from "./keys.ts";

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

/** Maps an HGETALL result back to a typed article; null when the hash is empty (no such article). */
export function decodeArticle(redisKey: string, hash: Record<string, string>): StoredArticle | null {
  if (Object.keys(hash).length === 0) return null;
  const malformed = (field: string): StoreError =>
    new StoreError("STORE_UNAVAILABLE", `store: malformed article record ${redisKey}: ${field}`, { field });
  const text = {} as Record<TextField, string>;
  for (const f of TEXT) {
    const v = hash[f];
    if (v === undefined) throw malformed(f);
    text[f] = v;
  }
  const nullableText = {} as Record<NullableTextField, string | null>;
  for (const f of NULLABLE_TEXT) nullableText[f] = hash[f] ?? null;
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
  return {
    ...text,
    ...nullableText,
    ...numbers,
    storedAt,
    ...(truncated === "1" ? { truncated: true } : {}),
    ...(hasSummary ? { summary: { text: summary, category, contentHash: summaryHash, ...path } } : {}),
  };
}
