/**
 * Which processes need a writable DATA_DIR: the archiver, the server (static copies) and workers that
 * write the archive themselves; schedulers and `worker.archive: false` workers start without one.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { loadConfig } from "../../../src/config/load.ts";
import type { Role } from "../../../src/main.ts";
import { needsDataDir } from "../../../src/roles/startup-checks.ts";
import { PROJECT_ROOT } from "../../support/cli-command.ts";

const config = (workerArchive: "true" | "false") =>
  loadConfig({
    env: { WECHAT_FEED_CONFIG: "config/wechat-feed.example.yaml", WORKER_ARCHIVE: workerArchive },
    cwd: PROJECT_ROOT,
  });

describe("needsDataDir", () => {
  const cases: Array<[readonly Role[], "true" | "false", boolean]> = [
    [["worker"], "true", true],
    [["worker"], "false", false],
    [["scheduler"], "true", false],
    [["scheduler", "worker"], "false", false],
    [["archiver"], "false", true],
    [["server"], "false", true],
    [["scheduler", "worker", "server", "archiver"], "false", true],
  ];
  for (const [roles, archive, expected] of cases) {
    it(`${roles.join("+")} with WORKER_ARCHIVE=${archive}: ${expected ? "needs" : "does not need"} it`, () => {
      assert.equal(needsDataDir(config(archive), new Set(roles)), expected);
    });
  }
});
