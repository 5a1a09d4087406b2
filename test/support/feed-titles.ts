/** Fetches an RSS feed from a test server, checks it is strict XML, and returns its item titles in order. */
import assert from "node:assert/strict";
import { parseRssFeed } from "feedsmith";
import { parseStrictXml } from "./strict-xml.ts";
import type { TestServer } from "./test-server.ts";

/** The item titles of the RSS feed at `path` (asserting a 200 and well-formed XML). */
export async function fetchFeedTitles(server: TestServer, path: string): Promise<string[]> {
  const res = await fetch(`${server.base}${path}`);
  assert.equal(res.status, 200, `${path}: ${res.status}`);
  const xml = await res.text();
  parseStrictXml(xml);
  return (parseRssFeed(xml).items ?? []).map((i) => i.title ?? "");
}
