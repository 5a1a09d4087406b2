/**
 * `wechat-feed enqueue <url…> [--source NAME] [--wait] [--timeout SECONDS]`: adds articles by hand
 * through the same path as `POST /api/enqueue`. Every URL is checked before anything is sent: one
 * bad URL exits 2 with the reason and nothing is enqueued.
 */
import { type Job, QueueEvents } from "bullmq";
import { isAppError, UsageError } from "../errors.ts";
import { type EnqueueResult, enqueueArticle, MANUAL_SOURCE_ID } from "../jobs/enqueue.ts";
import { QUEUE } from "../jobs/queues.ts";
import { parseArticleUrl } from "../parsers/wechat-url.ts";
import { type CliContext, type Command, parseCommandArgs } from "./command.ts";
import { openRuntime, type Runtime } from "./runtime.ts";

const usage = `Usage: wechat-feed enqueue <url…> [--source NAME] [--wait] [--timeout SECONDS]

Adds WeChat article URLs to the fetch queue (any form: short, long, http:, &amp;-escaped...).
  --source NAME      attribute the articles to a configured source id, or to this name
                     (default: the account name)
  --wait             wait for each article and print its document path or failure class
  --timeout SECONDS  how long --wait waits per article (default 120)
Prints one line per URL: queued, duplicate (already stored) or gone (tombstoned), with the key.
Exit codes: 0 done, 1 an article failed, 2 a URL was refused (nothing is enqueued).`;

/** Checks every URL first; the message lists each refused one with its reason. */
function checkUrls(urls: string[]): void {
  const problems: string[] = [];
  for (const url of urls) {
    try {
      parseArticleUrl(url);
    } catch (error) {
      if (!isAppError(error)) throw error;
      problems.push(error.message);
    }
  }
  if (problems.length > 0) throw new UsageError("USAGE", `enqueue: refused: ${problems.join("; ")}`);
}

async function waitFor(
  rt: Runtime,
  result: EnqueueResult & { status: "queued" },
  timeoutMs: number,
): Promise<string> {
  const events = new QueueEvents(QUEUE.wechat, {
    connection: rt.redis.duplicate(),
    prefix: rt.config.redis.prefix,
  });
  try {
    await events.waitUntilReady();
    const job: Job | undefined = await rt.queues.wechat.getJob(result.jobId);
    if (job === undefined) return `unknown job ${result.jobId}`;
    const outcome = (await job.waitUntilFinished(events, timeoutMs)) as {
      outcome?: string;
      path?: string;
      key?: string;
    };
    return outcome.path !== undefined
      ? `${outcome.outcome} ${outcome.path}`
      : `${outcome.outcome ?? "done"} ${outcome.key ?? ""}`.trim();
  } finally {
    await events.close();
  }
}

async function run(args: string[], ctx: CliContext): Promise<number> {
  const { values, positionals } = parseCommandArgs("enqueue", args, {
    source: { type: "string" },
    wait: { type: "boolean", default: false },
    timeout: { type: "string", default: "120" },
  });
  if (positionals.length === 0) throw new UsageError("USAGE", "enqueue: expected at least one URL");
  const timeoutMs = Number(values.timeout) * 1000;
  if (!Number.isFinite(timeoutMs) || timeoutMs <= 0)
    throw new UsageError("USAGE", "enqueue: --timeout must be a positive number of seconds");
  checkUrls(positionals);

  const rt = await openRuntime(ctx);
  try {
    const configured = rt.config.sources.find((s) => s.id === values.source);
    const options =
      configured !== undefined
        ? { sourceId: configured.id, sourceName: configured.name ?? null }
        : { sourceId: MANUAL_SOURCE_ID, sourceName: values.source ?? null };
    // Waiting without a worker would only end in BullMQ's timeout message: say what is wrong instead.
    const noWorker = values.wait && (await rt.queues.wechat.getWorkersCount()) === 0;
    let failed = 0;
    for (const url of positionals) {
      const result = await enqueueArticle(url, options, { store: rt.store, wechatQueue: rt.queues.wechat });
      const suffix = result.status === "gone" ? ` (${result.pageClass})` : "";
      ctx.stdout.write(`${result.status} ${result.key}${suffix}\n`);
      if (values.wait && !noWorker && result.status === "queued") {
        try {
          ctx.stdout.write(`${await waitFor(rt, result, timeoutMs)}\n`);
        } catch (error) {
          failed++;
          // A tombstone names the failure class (deleted, violation...); otherwise the job's reason.
          const tombstone = await rt.store.readTombstone(result.key);
          const reason = error instanceof Error ? error.message.split("\n")[0] : String(error);
          ctx.stdout.write(
            tombstone !== null
              ? `gone ${result.key} (${tombstone.pageClass})\n`
              : `failed ${result.key}: ${reason}\n`,
          );
        }
      }
    }
    if (noWorker) {
      ctx.stderr.write(
        "enqueue: no worker is running, so --wait cannot wait: the articles stay queued until one starts (wechat-feed start --role worker)\n",
      );
      return 1;
    }
    return failed > 0 ? 1 : 0;
  } finally {
    await rt.close();
  }
}

/** The `enqueue` command. */
export const enqueueCommand: Command = {
  name: "enqueue",
  usage,
  run,
};
