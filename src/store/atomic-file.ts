/**
 * The one atomic file writer (archive documents, digests, static feed copies): a temp file in the
 * final directory, fsynced, renamed over the final name, then the directory fsynced. A crash or a
 * concurrent writer never leaves a half-written file under the final name, and the temp file is
 * removed on any failure. Its leading dot keeps it out of `*.md` listings while it exists.
 */

import { randomBytes } from "node:crypto";
import { type FileHandle, mkdir, open, rename, rm } from "node:fs/promises";
import path from "node:path";
import { StoreError } from "../errors.ts";
import { describeError } from "./guard.ts";

/** fsync a directory so the rename itself survives a power loss; not every platform allows it. */
async function syncDir(dir: string): Promise<void> {
  const handle = await open(dir, "r").catch(() => null);
  if (handle === null) return;
  await handle.sync().catch(() => undefined);
  await handle.close().catch(() => undefined);
}

/**
 * Writes `data` to `target` atomically. `beforeWrite` runs once the directory exists (e.g. to check
 * where it resolves); failures become STORE_WRITE prefixed with `module`, AppErrors pass through.
 */
export async function writeFileAtomic(
  target: string,
  data: string | Uint8Array,
  module: string,
  beforeWrite?: (dir: string) => Promise<void>,
): Promise<void> {
  const dir = path.dirname(target);
  let tmp: string | null = null;
  let handle: FileHandle | null = null;
  try {
    await mkdir(dir, { recursive: true });
    await beforeWrite?.(dir);
    // Unique per process and call, so concurrent writers of one file never share a temp file.
    tmp = path.join(dir, `.${path.basename(target)}.${process.pid}.${randomBytes(6).toString("hex")}.tmp`);
    handle = await open(tmp, "wx", 0o644);
    await handle.writeFile(data);
    await handle.sync();
    await handle.close();
    handle = null;
    await rename(tmp, target);
    tmp = null;
    await syncDir(dir);
  } catch (err) {
    if (handle !== null) await handle.close().catch(() => undefined);
    if (tmp !== null) await rm(tmp, { force: true }).catch(() => undefined);
    if (err instanceof StoreError) throw err;
    throw new StoreError(
      "STORE_WRITE",
      `${module}: write failed: ${target}: ${describeError(err)}`,
      { path: target },
      err,
    );
  }
}
