/**
 * `wechat-feed feeds rotate-token`: prints a fresh private-feed token (config `feeds.token`) and how to
 * apply it. The command only generates: the operator decides where the token lives (the config file
 * or the FEED_TOKEN variable), so nothing is rewritten behind their back. The token alone goes to
 * stdout (scripts can capture it); the instructions go to stderr.
 */
import { randomBytes } from "node:crypto";
import { resolveConfigPath } from "../config/load.ts";
import { UsageError } from "../errors.ts";
import { type CliContext, type Command, parseCommandArgs } from "./command.ts";

const usage = `Usage: wechat-feed feeds rotate-token

Prints a new random token for private feeds (32 URL-safe characters, 192 bits) on stdout, and on
stderr how to apply it: set feeds.token in the configuration file (or the FEED_TOKEN environment
variable, which wins over the file) and restart the server. Feed readers then need the new
?key=<token> URLs (fetch /opml.xml?key=<token> for all of them); the old key is refused with 403.`;

/** A new feed token: 24 random bytes as base64url (matches the `feeds.token` rule). */
export function createFeedToken(): string {
  return randomBytes(24).toString("base64url");
}

async function run(args: string[], ctx: CliContext): Promise<number> {
  const { positionals } = parseCommandArgs("feeds", args, {});
  const [action, extra] = positionals;
  if (action !== "rotate-token" || extra !== undefined) {
    const got = action === undefined ? "nothing" : `"${positionals.join(" ")}"`;
    throw new UsageError(
      "USAGE",
      `feeds: expected "rotate-token", got ${got} (see wechat-feed feeds --help)`,
    );
  }
  const token = createFeedToken();
  const file = resolveConfigPath({ env: ctx.env, cwd: ctx.cwd });
  ctx.stdout.write(`${token}\n`);
  const fromEnv = (ctx.env.FEED_TOKEN ?? "").trim() !== "";
  ctx.stderr.write(
    [
      fromEnv
        ? "FEED_TOKEN is set in this environment and wins over the file: put the new token there,"
        : `To apply it, set feeds.token in ${file} (or the FEED_TOKEN environment variable),`,
      "then restart the server role. Readers need the new ?key= URLs (see /opml.xml?key=<token>);",
      "the old key is refused from then on.",
      "",
    ].join("\n"),
  );
  return 0;
}

/** The `feeds` command (its one action: `rotate-token`). */
export const feedsCommand: Command = {
  name: "feeds",
  usage,
  run,
};
