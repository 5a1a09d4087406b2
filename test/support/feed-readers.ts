/**
 * Real reader software for the feed acceptance tests: Debian's python3-feedparser (a feed library
 * that many readers embed) and newsboat (a feed reader run non-interactively: `-x reload` with a
 * temporary urls file, config and cache, then its sqlite cache is read). `.ci/run` installs both. When
 * one is missing, the tests that need it fail under CI=true and are skipped with a clear reason
 * elsewhere (`readerSkip`).
 */
import { execFile, execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);

function works(file: string, args: readonly string[]): boolean {
  try {
    execFileSync(file, args, { stdio: "ignore", timeout: 20_000 });
    return true;
  } catch {
    return false;
  }
}

/** A python3 that can import feedparser (Debian's, before a pyenv or venv one on PATH), or null. */
export const feedparserPython: string | null =
  ["/usr/bin/python3", "python3"].find((py) => works(py, ["-c", "import feedparser, sqlite3"])) ?? null;

/** True when newsboat is installed. */
export const hasNewsboat: boolean = works("newsboat", ["-v"]);

/** Whether this feedparser parses JSON Feed (Debian's 6.0.x parses XML feeds only). */
export const feedparserReadsJson: boolean =
  feedparserPython !== null &&
  works(feedparserPython, [
    "-c",
    "import importlib.util,sys; sys.exit(importlib.util.find_spec('feedparser.parsers.json') is None)",
  ]);

/**
 * `false` (run the test) when `present`, or under CI=true where a missing reader must fail the test;
 * otherwise the reason to skip.
 */
export function readerSkip(present: boolean, what: string): string | false {
  if (present || process.env.CI === "true") return false;
  return `${what} is not installed (apt-get install ${what}; .ci/run installs it)`;
}

/** One entry as feedparser reads it. */
export interface ParsedEntry {
  readonly id: string;
  readonly title: string;
  readonly link: string | null;
  /** ISO 8601 of `published_parsed`, else `updated_parsed`; null when neither. */
  readonly published: string | null;
  readonly content: string;
  readonly enclosures: readonly {
    readonly href: string;
    readonly length: string | null;
    readonly type: string;
  }[];
}

/** One feed as feedparser reads it. */
export interface ParsedFeed {
  readonly url: string;
  readonly bozo: boolean;
  readonly error: string | null;
  readonly version: string;
  readonly title: string;
  /** Links of the feed element (rel, href). */
  readonly links: readonly { readonly rel: string; readonly href: string }[];
  readonly entries: readonly ParsedEntry[];
}

const FEEDPARSER_SCRIPT = `
import calendar, datetime, json, sys, feedparser
def iso(t):
    return None if t is None else datetime.datetime.fromtimestamp(calendar.timegm(t), datetime.timezone.utc).isoformat()
out = []
for url in sys.argv[1:]:
    d = feedparser.parse(url)
    out.append({
        "url": url, "bozo": bool(d.bozo), "error": str(d.get("bozo_exception")) if d.bozo else None,
        "version": d.version or "", "title": d.feed.get("title", ""),
        "links": [{"rel": l.get("rel", ""), "href": l.get("href", "")} for l in d.feed.get("links", [])],
        "entries": [{
            "id": e.get("id", ""), "title": e.get("title", ""), "link": e.get("link"),
            "published": iso(e.get("published_parsed") or e.get("updated_parsed")),
            "content": (e.get("content") or [{"value": e.get("summary", "")}])[0]["value"],
            "enclosures": [{"href": x.get("href", ""), "length": x.get("length"), "type": x.get("type", "")} for x in e.get("enclosures", [])],
        } for e in d.entries],
    })
print(json.dumps(out))
`;

/** Parses each URL with python3-feedparser (fetching it over HTTP as a reader does). */
export async function parseWithFeedparser(urls: readonly string[]): Promise<ParsedFeed[]> {
  if (feedparserPython === null) throw new Error("python3-feedparser is not installed");
  const { stdout } = await run(feedparserPython, ["-c", FEEDPARSER_SCRIPT, ...urls], {
    maxBuffer: 64 * 1024 * 1024,
    timeout: 120_000,
  });
  return JSON.parse(stdout) as ParsedFeed[];
}

/**
 * The items (guid, title) newsboat stored for one feed URL after a `reload`. One feed per run: newsboat
 * keys cached items by guid alone, so feeds sharing items would take them from each other in one cache.
 */
export async function reloadWithNewsboat(
  url: string,
): Promise<{ readonly guid: string; readonly title: string }[]> {
  if (feedparserPython === null) throw new Error("python3 with sqlite3 is needed to read newsboat's cache");
  const dir = mkdtempSync(join(tmpdir(), "wf-newsboat-"));
  try {
    writeFileSync(join(dir, "urls"), `${url}\n`);
    writeFileSync(join(dir, "config"), "");
    const cache = join(dir, "cache.db");
    await run("newsboat", ["-u", join(dir, "urls"), "-C", join(dir, "config"), "-c", cache, "-x", "reload"], {
      env: { ...process.env, HOME: dir, XDG_CONFIG_HOME: dir, XDG_DATA_HOME: dir },
      timeout: 120_000,
    });
    const query = `import json, sqlite3, sys
c = sqlite3.connect(sys.argv[1])
print(json.dumps(c.execute("select guid, title from rss_item where feedurl = ?", (sys.argv[2],)).fetchall()))`;
    const { stdout } = await run(feedparserPython, ["-c", query, cache, url], {
      maxBuffer: 64 * 1024 * 1024,
    });
    return (JSON.parse(stdout) as [string, string][]).map(([guid, title]) => ({ guid, title }));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
