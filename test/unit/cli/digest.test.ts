/** `wechat-feed digest --date <a day whose window is open>`: a usage error naming when it closes, in Beijing time. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { beijingDate } from "../../../src/parsers/time.ts";
import { PROJECT_ROOT } from "../../support/cli-command.ts";
import { runCliInProcess } from "../../support/cli-run.ts";

describe("digest command", () => {
  it("refuses an open window, naming when it closes in Beijing time and where to preview it", async () => {
    const tomorrow = beijingDate(new Date(Date.now() + 86_400_000));
    const result = await runCliInProcess(["digest", "--date", tomorrow], {
      cwd: PROJECT_ROOT,
      env: { WECHAT_FEED_CONFIG: "config/wechat-feed.example.yaml" },
    });
    assert.equal(result.code, 2);
    // The example's digest runs at 08:00 Asia/Shanghai: the window of a day closes at 08:00 that day.
    assert.equal(
      result.stderr,
      `wechat-feed: digest: the window of ${tomorrow} has not closed yet: it closes at ${tomorrow} 08:00 (UTC+8); GET /digest shows it so far\n`,
    );
  });
});
