/**
 * The digest documents on disk: `<dataDir>/digests/YYYY-MM-DD.md`, one per digest day. They are written
 * atomically (`atomic-file.ts`), so a reader or a concurrent re-run never sees half a digest
 * and re-running a day replaces its file instead of adding one. The path is built from a validated day
 * only, never from a title.
 */

import path from "node:path";
import { writeFileAtomic } from "./atomic-file.ts";
import { checkDate } from "./keys.ts";

/** The absolute path of the digest document of `day` (`YYYY-MM-DD`, checked). */
export function digestFilePath(dataDir: string, day: string): string {
  checkDate(day);
  return path.join(path.resolve(dataDir), "digests", `${day}.md`);
}

/** Writes `text` atomically as the digest document of `day` and returns its absolute path. */
export async function writeDigestFile(dataDir: string, day: string, text: string): Promise<string> {
  const target = digestFilePath(dataDir, day);
  await writeFileAtomic(target, text, "digest-file");
  return target;
}
