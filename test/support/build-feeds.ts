/**
 * Feed builders over items for publishing tests: the renderers of src/publish/ take entries, which
 * feed-entry.ts makes from items (ordered, one per key, HTML rendered) as the orchestrator does.
 */
import type { FeedItem } from "../../src/model.ts";
import { renderAtom } from "../../src/publish/atom.ts";
import { type FeedChannel, toFeedEntries } from "../../src/publish/feed-entry.ts";
import { renderJsonFeed } from "../../src/publish/json-feed.ts";
import { renderRss } from "../../src/publish/rss.ts";

/** RSS 2.0 of `items`. */
export const buildRss = (items: readonly FeedItem[], channel: FeedChannel): string =>
  renderRss(toFeedEntries(items, channel), channel);

/** Atom 1.0 of `items`. */
export const buildAtom = (items: readonly FeedItem[], channel: FeedChannel): string =>
  renderAtom(toFeedEntries(items, channel), channel);

/** JSON Feed 1.1 of `items`. */
export const buildJsonFeed = (items: readonly FeedItem[], channel: FeedChannel): string =>
  renderJsonFeed(toFeedEntries(items, channel), channel);
