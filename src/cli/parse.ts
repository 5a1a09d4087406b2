/**
 * `wechat-feed parse <file|-> [--url URL] [--source NAME] [--json]`: one saved page → its article
 * document (or the extracted fields). A page that is not an article, or an article page that does
 * not yield its title, account or publish time (`unparseable`), exits 3 naming its class; README.md
 * ("Page classes") lists them all.
 */
import { readFile } from "node:fs/promises";
import { isAppError, UsageError } from "../errors.ts";
import type { ParsedArticle } from "../model.ts";
import { buildDocument } from "../parsers/document.ts";
import { renderDocument } from "../parsers/front-matter.ts";
import { beijingDate } from "../parsers/time.ts";
import { parseArticle } from "../parsers/wechat-article.ts";
import { parseArticleUrl } from "../parsers/wechat-url.ts";
import { type CliContext, type Command, parseCommandArgs, readStream } from "./command.ts";

/** Exit code for a page that is not an article or is unparseable. */
export const EXIT_NOT_ARTICLE = 3;

const usage = `Usage: wechat-feed parse <file|-> [--url URL] [--source NAME] [--json]

Parses a saved WeChat page (a file, or - for standard input) and prints its article document.
  --url URL       the URL the page was fetched from (used when the page has no identity of its own)
  --source NAME   the document's source (default: the account name)
  --json          print the extracted fields as JSON instead of the document
Exit codes: 0 article, 2 usage error, 3 not an article (deleted, violation, unavailable,
verification, expired, not-article, unknown, ...) or an article page missing its title, account or
publish time (unparseable): the class ends the one line printed on stderr.`;

function toJson(article: ParsedArticle): string {
  const { publishedAt, ...rest } = article;
  const date = publishedAt === null ? null : beijingDate(publishedAt);
  return `${JSON.stringify({ ...rest, publishedAt: publishedAt?.toISOString() ?? null, date }, null, 2)}\n`;
}

async function run(args: string[], ctx: CliContext): Promise<number> {
  const { values, positionals } = parseCommandArgs("parse", args, {
    url: { type: "string" },
    source: { type: "string" },
    json: { type: "boolean", default: false },
  });
  const [input, ...extra] = positionals;
  if (input === undefined || extra.length > 0)
    throw new UsageError("USAGE", "parse: expected exactly one file (or -)");
  const fetchedUrl = values.url === undefined ? null : parseArticleUrl(values.url).url;
  const html = input === "-" ? await readStream(ctx.stdin) : await readPage(input);

  let article: ParsedArticle;
  try {
    article = parseArticle(html, fetchedUrl === null ? {} : { url: fetchedUrl });
  } catch (error) {
    if (isAppError(error) && typeof error.details.pageClass === "string") {
      const { missing } = error.details;
      const what = Array.isArray(missing) ? `article page without ${missing.join(", ")}` : "not an article";
      ctx.stderr.write(`wechat-feed: parse: ${what}: ${error.details.pageClass}\n`);
      return EXIT_NOT_ARTICLE;
    }
    throw error;
  }
  if (values.json) {
    ctx.stdout.write(toJson(article));
    return 0;
  }
  const url = article.canonicalUrl ?? fetchedUrl;
  if (url === null) throw new UsageError("USAGE", "parse: the page carries no article URL; pass --url");
  const doc = buildDocument(article, {
    source: values.source ?? null,
    fetchedAt: new Date(),
    fetchedUrl: url,
  });
  ctx.stdout.write(renderDocument(doc));
  return 0;
}

async function readPage(path: string): Promise<string> {
  try {
    return await readFile(path, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? "unreadable";
    throw new UsageError("USAGE", `parse: cannot read ${path} (${code})`);
  }
}

/** The `parse` command. */
export const parseCommand: Command = {
  name: "parse",
  usage,
  run,
};
