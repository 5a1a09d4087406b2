/**
 * The markdown archive on disk (document-format.md "Archive layout"). A document is written to a temp file
 * in its final directory, fsynced and renamed over the final name, so a crash or a concurrent writer never
 * leaves a half-written file under `<key>.md`; the directory must resolve (symlinks included) inside the
 * data dir. Listing walks only layout-conforming names, which skips temp files and stray files.
 */

import type { Dirent } from "node:fs";
import { readdir, realpath, stat, unlink } from "node:fs/promises";
import path from "node:path";
import { StoreError } from "../errors.ts";
import { writeFileAtomic } from "./atomic-file.ts";
import { describeError } from "./guard.ts";
import { archivePath, checkDate } from "./keys.ts";

/** One document found in the archive. */
export interface ArchiveEntry {
  /** Absolute path of the `.md` file. */
  readonly path: string;
  /** `YYYY-MM-DD`, from the directory names. */
  readonly date: string;
  /** The article key, from the file name. */
  readonly key: string;
}

const FILE_NAME = /^([A-Za-z0-9_-]{1,200})\.md$/;

/** Throws STORE_WRITE when `dir` (after resolving symlinks) is not inside `dataDir`. */
async function assertInside(dataDir: string, dir: string): Promise<void> {
  const [realRoot, realDir] = await Promise.all([realpath(dataDir), realpath(dir)]);
  const rel = path.relative(realRoot, realDir);
  if (rel === "" || rel.startsWith("..") || path.isAbsolute(rel)) {
    throw new StoreError("STORE_WRITE", `archive: directory resolves outside the data dir: ${dir}`, { dir });
  }
}

/** Writes `text` atomically to the archive path of (`date`, `key`) and returns that absolute path. */
export async function writeArchiveFile(
  dataDir: string,
  date: string,
  key: string,
  text: string,
): Promise<string> {
  const target = archivePath(dataDir, date, key);
  await writeFileAtomic(target, text, "archive", (dir) => assertInside(dataDir, dir));
  return target;
}

/** True when `filePath` has the archive shape `…/articles/YYYY/MM/DD/<key>.md`. */
function isArchiveShaped(filePath: string): boolean {
  const parts = path.resolve(filePath).split(path.sep);
  const [file, d, m, y, articles] = parts.slice(-5).reverse();
  if (file === undefined || articles !== "articles" || !FILE_NAME.test(file)) return false;
  return isValidDate(`${y}-${m}-${d}`);
}

/**
 * Deletes an archive document (e.g. the old file after an edit moved the date); returns false when it
 * was already gone. Paths not shaped like an archive document are refused, since they come from Redis.
 */
export async function removeArchiveFile(filePath: string): Promise<boolean> {
  if (!isArchiveShaped(filePath)) {
    throw new StoreError("STORE_WRITE", `archive: refusing to remove a non-archive path: ${filePath}`, {
      path: filePath,
    });
  }
  try {
    await unlink(filePath);
    return true;
  } catch (err) {
    if ((err as { code?: unknown }).code === "ENOENT") return false;
    throw new StoreError(
      "STORE_WRITE",
      `archive: remove failed: ${filePath}: ${describeError(err)}`,
      {},
      err,
    );
  }
}

/** Sorted real subdirectories (not symlinks) of `dir` whose names match `pattern`; none when absent. */
async function subdirs(dir: string, pattern: RegExp): Promise<string[]> {
  const entries = await readDir(dir);
  return entries
    .filter((e) => e.isDirectory() && pattern.test(e.name))
    .map((e) => e.name)
    .sort();
}

async function readDir(dir: string): Promise<Dirent[]> {
  try {
    return await readdir(dir, { withFileTypes: true });
  } catch (err) {
    if ((err as { code?: unknown }).code === "ENOENT") return [];
    throw new StoreError("STORE_WRITE", `archive: list failed: ${dir}: ${describeError(err)}`, {}, err);
  }
}

/** Walks `<dataDir>/articles` in date then key order, yielding every document; temp files are skipped. */
export async function* listArchiveFiles(dataDir: string): AsyncGenerator<ArchiveEntry> {
  const root = path.join(path.resolve(dataDir), "articles");
  for (const y of await subdirs(root, /^\d{4}$/)) {
    for (const m of await subdirs(path.join(root, y), /^\d{2}$/)) {
      for (const d of await subdirs(path.join(root, y, m), /^\d{2}$/)) {
        const date = `${y}-${m}-${d}`;
        if (!isValidDate(date)) continue;
        const dir = path.join(root, y, m, d);
        const files = (await readDir(dir)).filter((e) => e.isFile()).map((e) => e.name);
        for (const name of files.sort()) {
          const match = FILE_NAME.exec(name);
          if (match?.[1] === undefined) continue;
          yield { path: path.join(dir, name), date, key: match[1] };
        }
      }
    }
  }
}

/** True when `date` is a real `YYYY-MM-DD` day (directory names are not trusted). */
function isValidDate(date: string): boolean {
  try {
    checkDate(date);
    return true;
  } catch {
    return false;
  }
}

/** The archive as the ingest path and the repair sweep use it: one data dir, named operations. */
export interface ArchiveFiles {
  /** Writes a document atomically; resolves to its absolute path. */
  write(date: string, key: string, text: string): Promise<string>;
  /** Removes a document the article moved away from; false when it was already gone. */
  remove(path: string): Promise<boolean>;
  /** The size in bytes of a document file, or null when there is none. */
  size(path: string): Promise<number | null>;
}

/** The archive files under `dataDir`. */
export function createArchiveFiles(dataDir: string): ArchiveFiles {
  return {
    write: (date, key, text) => writeArchiveFile(dataDir, date, key, text),
    remove: removeArchiveFile,
    size: (filePath) =>
      stat(filePath).then(
        (s) => (s.isFile() ? s.size : null),
        () => null,
      ),
  };
}
