/**
 * The one Lua script behind `saveArticle`. Compare-and-write must be a single atomic step: BullMQ delivers
 * at least once and several workers may fetch the same article at the same moment, so "read the stored
 * hash, then decide" in TypeScript would let two writers both report "stored" or interleave an edit.
 *
 * Semantics, for the article hash at KEYS[1]:
 * - stored content hash equals the new one → touch nothing at all, answer `unchanged`;
 * - no hash yet → write every field, index it (all + per source), mark it seen, answer `stored`;
 * - different hash → overwrite the fields in place, keep the first `storedAt`, set `updatedAt` to this
 *   save's time, move it between per-source indexes if its source changed, answer `updated` plus the
 *   previous archive path when that path changed (the caller deletes the old file).
 * The index score is `publishedAt` (ms), falling back to the kept `storedAt`. A stored or updated article
 * joins the archive-pending set (KEYS[6]) in the same step: Redis is ahead of the archive until the caller
 * has written the file and called `markArchived`, so a crash or a failed write in between stays visible
 * and the repair sweep finds it.
 * Archive stream (optional KEYS[7]): a save that hands its file to the archiver role also appends
 * `key`, `hash` and `previous` (the old path to delete) to that stream in the same step, so no change can
 * be saved without its entry. Entries are never trimmed here: only the archiver trims what it acknowledged.
 * An update over a packed record (body dropped, `article-record.ts`) first deletes the whole hash, so no
 * packed field outlives it, and answers the packed text as a third element: the caller decodes the
 * previous archive path from it, since only the record module knows that encoding.
 * The old per-source index key is built in Lua from a prefix; fine on the standalone Redis we deploy,
 * which is also why clients with ioredis' `keyPrefix` option are refused by the store.
 */

import type { Redis, Result } from "ioredis";

declare module "ioredis" {
  interface RedisCommander<Context> {
    /** Defined by `defineSaveArticle`: the key count (6, or 7 with the archive stream), the keys, then the arguments. */
    wfSaveArticle(...args: string[]): Result<[string, string, string], Context>;
    /** Defined by `defineSaveArticle`: leaves the pending set when the archived hash is still current. */
    wfMarkArchived(...args: string[]): Result<number, Context>;
  }
}

const LUA = `
local old = redis.call('HMGET', KEYS[1], 'contentHash', 'storedAt', 'sourceId', 'archivePath')
if old[1] == ARGV[2] then
  return {'unchanged', '', ''}
end
local n = tonumber(ARGV[8])
local fields = {}
for i = 9, 8 + 2 * n do fields[#fields + 1] = ARGV[i] end
local nulls = {}
for i = 9 + 2 * n, #ARGV do nulls[#nulls + 1] = ARGV[i] end
local existed = redis.call('EXISTS', KEYS[1]) == 1
local packed = ''
if existed and redis.call('HEXISTS', KEYS[1], 'p0') == 1 then
  local i = 0
  while true do
    local part = redis.call('HGET', KEYS[1], 'p' .. i)
    if not part then break end
    packed = packed .. part
    i = i + 1
  end
  redis.call('DEL', KEYS[1])
end
local storedAt = ARGV[5]
local outcome = 'stored'
local previous = ''
redis.call('HSET', KEYS[1], unpack(fields))
if #nulls > 0 then redis.call('HDEL', KEYS[1], unpack(nulls)) end
if existed then
  outcome = 'updated'
  if old[2] then storedAt = old[2] end
  redis.call('HSET', KEYS[1], 'storedAt', storedAt, 'updatedAt', ARGV[5])
  if old[4] and old[4] ~= ARGV[7] then previous = old[4] end
  if old[3] and old[3] ~= ARGV[3] then
    local oldIndex = ARGV[4] .. old[3]
    redis.call('ZREM', oldIndex, ARGV[1])
    if redis.call('EXISTS', oldIndex) == 0 then redis.call('SREM', KEYS[5], old[3]) end
  end
else
  redis.call('HDEL', KEYS[1], 'updatedAt')
end
local score = ARGV[6]
if score == '' then score = storedAt end
redis.call('ZADD', KEYS[2], score, ARGV[1])
redis.call('ZADD', KEYS[3], score, ARGV[1])
redis.call('SADD', KEYS[4], ARGV[1])
redis.call('SADD', KEYS[5], ARGV[3])
redis.call('SADD', KEYS[6], ARGV[1])
if KEYS[7] then
  redis.call('XADD', KEYS[7], '*', 'key', ARGV[1], 'hash', ARGV[2], 'previous', previous)
end
return {outcome, previous, packed}
`;

/** Arguments of one script call, already validated and encoded by the article store. */
export interface SaveArticleCall {
  readonly keys: readonly [
    article: string,
    indexAll: string,
    indexSource: string,
    seen: string,
    sourceIds: string,
    archivePending: string,
    archiveStream: string | undefined,
  ];
  readonly articleKey: string;
  readonly contentHash: string;
  readonly sourceId: string;
  readonly sourceIndexPrefix: string;
  readonly storedAt: number;
  readonly publishedAt: number | null;
  readonly archivePath: string;
  readonly set: readonly (readonly [string, string])[];
  readonly nulls: readonly string[];
}

// Compare-and-remove: an edit saved while the older text was being written re-added the key, and its
// own write must still happen, so only the writer of the current content hash clears the flag.
const MARK_ARCHIVED = `
if redis.call('HGET', KEYS[1], 'contentHash') == ARGV[2] then
  return redis.call('SREM', KEYS[2], ARGV[1])
end
return 0
`;

/** Registers the scripts on `redis` (idempotent: redefining replaces the same script). */
export function defineSaveArticle(redis: Redis): void {
  // No fixed key count: the archive stream key is passed only by saves that hand the file to the archiver.
  redis.defineCommand("wfSaveArticle", { lua: LUA });
  redis.defineCommand("wfMarkArchived", { lua: MARK_ARCHIVED, numberOfKeys: 2 });
}

/**
 * Runs the script; answers the outcome, the previous archive path ('' when none or packed) and the
 * previous packed record's text ('' unless the save replaced a packed record).
 */
export async function runSaveArticle(redis: Redis, call: SaveArticleCall): Promise<[string, string, string]> {
  const keys = call.keys.filter((key) => key !== undefined);
  const args = [
    String(keys.length),
    ...keys,
    call.articleKey,
    call.contentHash,
    call.sourceId,
    call.sourceIndexPrefix,
    String(call.storedAt),
    call.publishedAt === null ? "" : String(call.publishedAt),
    call.archivePath,
    String(call.set.length),
    ...call.set.flat(),
    ...call.nulls,
  ];
  return redis.wfSaveArticle(...args);
}
