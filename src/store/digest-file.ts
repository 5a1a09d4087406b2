/**
 * The digest documents on disk: `<dataDir>/digests/YYYY-MM-DD.md`, one per digest day. They are written
 * the way `archive.ts` writes articles (a temp file in the final directory, fsynced, renamed over the
 * final name, then the directory fsynced), so a reader or a concurrent re-run never sees half a digest
 * and re-running a day replaces its file instead of adding one. The path is built from a validated day
 * only, never from a title.
 */

import { randomBytes } from "node:crypto";
import { type FileHandle, mkdir, open, rename, rm } from "node:fs/promises";
import path from "node:path";
import { AppError, StoreError } from "../errors.ts";
import { describeError } from "./guard.ts";
import { checkDate } from "./keys.ts";

/** The absolute path of the digest document of `day` (`YYYY-MM-DD`, checked). */
export function digestFilePath(dataDir: string, day: string): string {
  checkDate(day);
  return path.join(path.resolve(dataDir), "digests", `${day}.md`);
}

/** fsync a directory so the rename survives a power loss; not every platform allows it. */
async function syncDir(dir: string): Promise<void> {
  const handle = await open(dir, "r").catch(() => null);
  if (handle === null) return;
  await handle.sync().catch(() => undefined);
  await handle.close().catch(() => undefined);
}

/** Writes `text` atomically as the digest document of `day` and returns its absolute path. */
export async function writeDigestFile(dataDir: string, day: string, text: string): Promise<string> {
  const target = digestFilePath(dataDir, day);
  const dir = path.dirname(target);
  let tmp: string | null = null;
  let handle: FileHandle | null = null;
  try {
    await mkdir(dir, { recursive: true });
    // Unique per process and call; the leading dot keeps it out of `*.md` listings while it exists.
    tmp = path.join(dir, `.${day}.${process.pid}.${randomBytes(6).toString("hex")}.tmp`);
    handle = await open(tmp, "wx", 0o644);
    await handle.writeFile(text, "utf8");
    await handle.sync();
    await handle.close();
    handle = null;
    await rename(tmp, target);
    tmp = null;
    await syncDir(dir);
    return target;
  } catch (err) {
    if (handle !== null) await handle.close().catch(() => undefined);
    if (tmp !== null) await rm(tmp, { force: true }).catch(() => undefined);
    if (err instanceof AppError) throw err;
    throw new StoreError(
      "STORE_WRITE",
      `digest-file: write failed: ${target}: ${describeError(err)}`,
      { path: target },
      err,
    );
  }
}
