/**
 * Small real file systems for fault tests: a tmpfs of a given size mounted on a fresh temp directory
 * (the tests run as root, as CI does), which a test can fill, free or remount read-only. `unmount` is
 * lazy, so a process still holding a file there cannot make the cleanup fail.
 */
import { execFileSync } from "node:child_process";
import { mkdtemp, rm, statfs } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** A mounted tmpfs. */
export interface Tmpfs {
  readonly dir: string;
  /** Bytes free for new files right now. */
  free(): Promise<number>;
  /** Remounts it read-only (true) or read-write (false). */
  setReadOnly(readOnly: boolean): void;
  unmount(): Promise<void>;
}

/** Mounts a tmpfs of `sizeBytes` on a new temp directory. */
export async function mountTmpfs(sizeBytes: number): Promise<Tmpfs> {
  const dir = await mkdtemp(join(tmpdir(), "wf-tmpfs-"));
  execFileSync("mount", ["-t", "tmpfs", "-o", `size=${sizeBytes}`, "tmpfs", dir]);
  return {
    dir,
    async free() {
      const s = await statfs(dir);
      return s.bavail * s.bsize;
    },
    setReadOnly(readOnly) {
      execFileSync("mount", ["-o", `remount,${readOnly ? "ro" : "rw"}`, dir]);
    },
    async unmount() {
      execFileSync("umount", ["-l", dir]);
      await rm(dir, { recursive: true, force: true });
    },
  };
}
