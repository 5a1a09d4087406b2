/**
 * `wechat-feed digest [--date YYYY-MM-DD]`: builds one day's digest now, in this process (no worker
 * needed), with the same processor the scheduled `build-digest` job runs: the document is written to
 * `<dataDir>/digests/<day>.md` (replacing an earlier run), running servers are told, and `digest.built`
 * is queued for its notification targets. Prints the document's path. A malformed date, or a day whose window has not closed,
 * is a usage error (one line, exit 2) found before Redis is opened where possible.
 */
import { isAppError, UsageError } from "../errors.ts";
import { createBuildDigest, resolveDigestWindow, toDigestJobSettings } from "../jobs/build-digest.ts";
import { createDigestAnnouncer } from "../notify/digest-announcer.ts";
import { formatBeijingTime } from "../status/format-time.ts";
import { type CliContext, type Command, parseCommandArgs } from "./command.ts";
import { loadCliConfig, openRuntime } from "./runtime.ts";

const usage = `Usage: wechat-feed digest [--date YYYY-MM-DD]

Builds the digest of one day now: the articles stored in that day's window (the 24 hours before the
day's digest.schedule run time, in digest.timezone), grouped by source. Writes it to
<dataDir>/digests/<day>.md (a re-run replaces it), tells running servers, queues the digest.built
notification (digest.webhookUrl and notify targets; a running worker delivers it), and prints the
document's path.
  --date YYYY-MM-DD   the digest day (default: the latest day whose window has closed)`;

/** Refuses a malformed day or one whose window is still open, naming when it closes (Beijing time). */
function checkDigestDay(day: string | null, settings: Parameters<typeof resolveDigestWindow>[2]): void {
  try {
    resolveDigestWindow(day, new Date(), settings);
  } catch (error) {
    const closesAt = isAppError(error, "USAGE") ? error.details.closesAt : undefined;
    if (!(closesAt instanceof Date)) throw error;
    throw new UsageError(
      "USAGE",
      `digest: the window of ${day} has not closed yet: it closes at ${formatBeijingTime(closesAt)}; GET /digest shows it so far`,
    );
  }
}

async function run(args: string[], ctx: CliContext): Promise<number> {
  const { values, positionals } = parseCommandArgs("digest", args, { date: { type: "string" } });
  if (positionals.length > 0) throw new UsageError("USAGE", "digest: unexpected argument(s); use --date");
  const day = values.date ?? null;
  // Checked before connecting, so a typo answers at once even when Redis is down.
  checkDigestDay(day, loadCliConfig(ctx).digest);
  const rt = await openRuntime(ctx);
  const announcer = createDigestAnnouncer({
    redis: rt.redis,
    prefix: rt.config.redis.prefix,
    targets: rt.config.notify,
  });
  try {
    const buildDigest = createBuildDigest({
      redis: rt.redis,
      prefix: rt.config.redis.prefix,
      dataDir: rt.config.dataDir,
      settings: toDigestJobSettings(rt.config),
      announce: announcer.announce,
      logger: rt.logger.child({ module: "digest" }),
      now: () => new Date(),
    });
    const result = await buildDigest({ day, reason: "manual" });
    ctx.stdout.write(`${result.path}\n`);
    if (result.notified > 0) {
      ctx.stderr.write(
        `wechat-feed: digest.built queued for ${result.notified} notification target(s); a running worker delivers them\n`,
      );
    }
    return 0;
  } finally {
    await announcer.close();
    await rt.close();
  }
}

/** The `digest` command. */
export const digestCommand: Command = {
  name: "digest",
  usage,
  run,
};
