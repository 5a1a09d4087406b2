/**
 * Checks made before any role starts, so a start that cannot work fails at once with one line instead
 * of half-starting: the data directory must be writable when a role of the process writes it (a worker
 * that cannot write the archive would take jobs and fail every one of them), and the listen errors of
 * the HTTP server are told in words.
 */
import { randomBytes } from "node:crypto";
import { mkdir, open, unlink } from "node:fs/promises";
import path from "node:path";
import type { Config } from "../config/schema.ts";
import { StartupError } from "../errors.ts";
import type { Role } from "../main.ts";
import { describeError } from "../store/guard.ts";

/**
 * True when a role of this process writes DATA_DIR: the archiver, the server (static feed copies), and
 * workers that write the archive themselves. Schedulers and `worker.archive: false` workers never do.
 */
export function needsDataDir(config: Config, roles: ReadonlySet<Role>): boolean {
  return roles.has("archiver") || roles.has("server") || (roles.has("worker") && config.worker.archive);
}

/** Throws STARTUP_FAILED unless a file can be created in `dataDir` (created when missing). */
export async function checkDataDirWritable(dataDir: string): Promise<void> {
  const probe = path.join(dataDir, `.write-check-${process.pid}-${randomBytes(4).toString("hex")}`);
  try {
    await mkdir(dataDir, { recursive: true });
    const handle = await open(probe, "wx");
    await handle.close();
    await unlink(probe);
  } catch (error) {
    throw new StartupError(
      "STARTUP_FAILED",
      `start: data directory ${dataDir} is not writable (${describeError(error)}); make it writable or set DATA_DIR`,
      { dataDir },
      error,
    );
  }
}

/** The one-line error for a failed `listen` on `host:port`. */
export function describeListenError(error: unknown, host: string, port: number): StartupError {
  const code = (error as { code?: unknown }).code;
  const reason =
    code === "EADDRINUSE"
      ? `port ${port} is already in use on ${host}; stop the other program or set server.port (env PORT)`
      : code === "EADDRNOTAVAIL" || code === "ENOTFOUND" || code === "EAI_AGAIN"
        ? `cannot listen on host ${JSON.stringify(host)} (no such local address); fix server.host`
        : code === "EACCES"
          ? `no permission to listen on port ${port}; use a port above 1023`
          : `cannot listen on ${host}:${port} (${describeError(error)})`;
  return new StartupError("STARTUP_FAILED", `server: ${reason}`, { host, port }, error);
}
