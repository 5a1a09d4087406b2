/**
 * The start-time Chromium check: it only speaks when this process runs workers whose fetcher may use
 * the browser, and then names the missing binary and the three ways out in one line.
 */
import assert from "node:assert/strict";
import { accessSync, constants } from "node:fs";
import { chmod, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { checkChromium, isBrowserNeeded } from "../../../src/cli/chromium-check.ts";
import { type Config, ConfigSchema } from "../../../src/config/schema.ts";
import { ALL_ROLES, type Role } from "../../../src/main.ts";

const all = new Set<Role>(ALL_ROLES);
const serverOnly = new Set<Role>(["server", "scheduler"]);
const MISSING = "/nonexistent/chromium";

function config(input: Record<string, unknown>): Config {
  return ConfigSchema.parse(input);
}

function feed(id: string, extra: Record<string, unknown>): Record<string, unknown> {
  return { id, type: "feed", url: `https://rss.example.com/${id}.xml`, ...extra };
}

describe("checkChromium", () => {
  let dir: string;
  let fakeChromium: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "wf-chromium-"));
    fakeChromium = join(dir, "chromium");
    await writeFile(fakeChromium, "#!/bin/sh\n");
    await chmod(fakeChromium, 0o755);
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it("needs the browser for workers with the browser or auto fetcher", () => {
    assert.equal(isBrowserNeeded(config({ fetch: { fetcher: "browser" } }), all), true);
    assert.equal(isBrowserNeeded(config({ fetch: { fetcher: "auto" } }), all), true);
    assert.equal(isBrowserNeeded(config({ fetch: { fetcher: "http" } }), all), false);
    assert.equal(isBrowserNeeded(config({ fetch: { fetcher: "browser" } }), serverOnly), false);
  });

  it("needs it for an enabled source that asks for it, even with the http fetcher", () => {
    const enabled = config({ fetch: { fetcher: "http" }, sources: [feed("a", { fetcher: "auto" })] });
    assert.equal(isBrowserNeeded(enabled, all), true);
    const disabled = config({
      fetch: { fetcher: "http" },
      sources: [feed("a", { fetcher: "browser", enabled: false }), feed("b", {})],
    });
    assert.equal(isBrowserNeeded(disabled, all), false);
  });

  it("says nothing when the browser is not needed, even without Chromium", () => {
    const http = config({ fetch: { fetcher: "http" }, browser: { executablePath: MISSING } });
    assert.equal(checkChromium(http, all), null);
    const browser = config({ browser: { executablePath: MISSING } });
    assert.equal(checkChromium(browser, serverOnly), null);
  });

  it("reports a configured Chromium that is not there in one line with the three ways out", () => {
    const line = checkChromium(config({ browser: { executablePath: MISSING } }), all);
    assert.ok(line !== null);
    assert.doesNotMatch(line, /\n/);
    assert.ok(line.includes(MISSING));
    assert.match(line, /apt-get install chromium/);
    assert.match(line, /CHROMIUM_PATH/);
    assert.match(line, /fetch\.fetcher: http/);
  });

  it("accepts a configured executable", () => {
    assert.equal(checkChromium(config({ browser: { executablePath: fakeChromium } }), all), null);
  });

  it("probes the usual paths when nothing is configured", () => {
    // Whether this machine has one of the usual binaries, found here without the code under test.
    const usual = [
      "/usr/lib/chromium/chromium-headless-shell",
      "/usr/bin/chromium-headless-shell",
      "/usr/bin/chromium",
      "/usr/bin/chromium-browser",
      "/usr/bin/google-chrome",
    ];
    const installed = usual.some((path) => {
      try {
        accessSync(path, constants.X_OK);
        return true;
      } catch {
        return false;
      }
    });
    const line = checkChromium(config({}), all);
    if (installed) assert.equal(line, null);
    else
      assert.equal(
        line?.startsWith(`chromium: not found (looked at ${usual.join(", ")});`),
        true,
        line ?? "",
      );
  });
});
