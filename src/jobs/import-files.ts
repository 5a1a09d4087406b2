/**
 * File-system helpers of `import` and `reindex`: finding the documents of an archive directory,
 * reading one leniently (any failure is a reason string, never a throw: one bad file must not stop an
 * import of thousands), and running async work over a list with bounded concurrency, which keeps
 * several Redis commands and file writes in flight (ioredis pipelines concurrent commands on its one
 * connection) without opening thousands of files at once.
 */
import type { Dirent } from "node:fs";
import { readdir, readFile, realpath, stat } from "node:fs/promises";
import path from "node:path";
import { describeError } from "../store/guard.ts";

/** A document file found under the import directory. */
export interface DocumentFile {
  /** Absolute path. */
  readonly path: string;
  /** Path relative to the import directory, `/`-separated, for reports. */
  readonly relative: string;
}

/** A file's text, or why it could not be read as UTF-8 text. */
export type ReadTextResult =
  | { readonly ok: true; readonly text: string }
  | { readonly ok: false; readonly reason: string };

const DOCUMENT_EXTENSIONS = new Set([".md", ".txt"]);
/** Larger files are not documents of the format (the old writer cut bodies at 8,000 characters). */
const MAX_DOCUMENT_BYTES = 5 * 1024 * 1024;
const utf8 = new TextDecoder("utf-8", { fatal: true });

/**
 * Every `*.md` / `*.txt` file under `dir`, recursively, sorted by relative path. Hidden entries
 * (`.git`, temp files) are skipped, and symbolic links to directories are not followed (no loops).
 */
export async function listDocumentFiles(dir: string): Promise<DocumentFile[]> {
  const root = path.resolve(dir);
  const found: DocumentFile[] = [];
  const walk = async (current: string): Promise<void> => {
    const entries: Dirent[] = await readdir(current, { withFileTypes: true });
    for (const entry of entries) {
      if (entry.name.startsWith(".")) continue;
      const full = path.join(current, entry.name);
      if (entry.isDirectory()) {
        await walk(full);
        continue;
      }
      if (!DOCUMENT_EXTENSIONS.has(path.extname(entry.name).toLowerCase())) continue;
      const isFile = entry.isFile() || (entry.isSymbolicLink() && (await isRegularFile(full)));
      if (isFile) found.push({ path: full, relative: path.relative(root, full).split(path.sep).join("/") });
    }
  };
  await walk(root);
  return found.sort((a, b) => (a.relative < b.relative ? -1 : a.relative > b.relative ? 1 : 0));
}

async function isRegularFile(file: string): Promise<boolean> {
  return stat(file).then(
    (s) => s.isFile(),
    () => false,
  );
}

/**
 * Reads a file as strict UTF-8 text; binary junk, oversized or unreadable files give a reason instead.
 * With `root`, a file whose real path (symbolic links resolved) is outside `root` is refused unread,
 * and the resolved path is what gets read, so a link cannot lead an import to `/etc/passwd`. `root` must
 * itself be a real path (`realpath` of the import directory, resolved once per import, not per file).
 */
export async function readTextFile(file: string, root?: string): Promise<ReadTextResult> {
  let bytes: Buffer;
  try {
    const target = root === undefined ? file : await realpath(file);
    if (root !== undefined) {
      const inside = path.relative(root, target);
      if (inside === "" || inside.startsWith("..") || path.isAbsolute(inside))
        return { ok: false, reason: "symbolic link to a file outside the import directory" };
    }
    const info = await stat(target);
    if (info.size > MAX_DOCUMENT_BYTES)
      return { ok: false, reason: `larger than ${MAX_DOCUMENT_BYTES} bytes` };
    bytes = await readFile(target);
  } catch (error) {
    return { ok: false, reason: `cannot read: ${describeError(error)}` };
  }
  if (bytes.includes(0)) return { ok: false, reason: "binary file (NUL bytes)" };
  try {
    return { ok: true, text: utf8.decode(bytes) };
  } catch {
    return { ok: false, reason: "not UTF-8 text" };
  }
}

/** Runs `fn` over `items` with at most `limit` calls in flight; results keep the input order. */
export async function mapLimit<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      results[index] = await fn(items[index] as T, index);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, lane));
  return results;
}
