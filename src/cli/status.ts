/**
 * `wechat-feed status [--json]`: job counts per queue, each source's last poll, its result and
 * next tick, stored articles, and the WeChat cool-down state.
 */
import { nextRunsOf } from "../jobs/scheduler.ts";
import { createFailedArticles } from "../store/failed-articles.ts";
import { type CliContext, type Command, parseCommandArgs } from "./command.ts";
import { openRuntime } from "./runtime.ts";

const usage = `Usage: wechat-feed status [--json]

Shows job counts per queue, each source's last poll and next tick, stored articles and whether
WeChat fetching is in a verification cool-down.`;

const COUNTED = ["waiting", "active", "delayed", "completed", "failed", "prioritized"] as const;
/** Failed articles named in the output, newest first. */
const LISTED_FAILURES = 50;

function toIso(ms: number | null): string | null {
  return ms === null ? null : new Date(ms).toISOString();
}

async function run(args: string[], ctx: CliContext): Promise<number> {
  const { values } = parseCommandArgs("status", args, { json: { type: "boolean", default: false } });
  const rt = await openRuntime(ctx);
  try {
    const now = Date.now();
    const queues: Record<string, Record<string, number>> = {};
    for (const queue of [rt.queues.discover, rt.queues.wechat, rt.queues.publish]) {
      queues[queue.name] = await queue.getJobCounts(...COUNTED);
    }
    const sources = [];
    for (const source of rt.config.sources) {
      const state = await rt.sourceState.readSourceState(source.id);
      const [next] = source.enabled ? await nextRunsOf(source.schedule, source.timezone, 1) : [];
      sources.push({
        id: source.id,
        enabled: source.enabled,
        lastPollAt: state === null ? null : new Date(state.lastPollAt).toISOString(),
        lastResult:
          state === null
            ? null
            : state.ok
              ? `ok (found ${state.found}, added ${state.added})`
              : `failed: ${state.error}`,
        nextTick: next?.toISOString() ?? null,
        articles: await rt.store.countArticles(source.id),
      });
    }
    const cooldown = await rt.sourceState.readCooldown();
    const cooling = cooldown !== null && cooldown.until > now;
    const archiveHealth = await rt.archiveHealth.read();
    const failures = await createFailedArticles(rt.redis, rt.config.redis.prefix).listFailures({
      limit: LISTED_FAILURES,
    });
    const status = {
      articles: await rt.store.countArticles(),
      archive: {
        failing: archiveHealth.failing,
        lastError: archiveHealth.lastError,
        lastFailureAt: toIso(archiveHealth.lastFailureAt),
        pending: await rt.store.countArchivePending(),
      },
      failed: failures.map((f) => ({
        key: f.key,
        url: f.url,
        sourceId: f.sourceId,
        code: f.code,
        errorClass: f.errorClass,
        reason: f.reason,
        attempts: f.attempts,
        failedAt: new Date(f.failedAt).toISOString(),
        nextRetryAt: toIso(f.nextRetryAt),
      })),
      queues,
      sources,
      cooldown: cooling
        ? { until: new Date(cooldown.until).toISOString(), level: cooldown.level, reason: cooldown.reason }
        : null,
    };
    if (values.json) {
      ctx.stdout.write(`${JSON.stringify(status, null, 2)}\n`);
      return 0;
    }
    const out = (line: string) => ctx.stdout.write(`${line}\n`);
    out(`articles stored: ${status.articles}`);
    for (const [name, counts] of Object.entries(queues)) {
      out(`queue ${name}: ${COUNTED.map((c) => `${c}=${counts[c] ?? 0}`).join(" ")}`);
    }
    for (const s of sources) {
      out(
        `source ${s.id}${s.enabled ? "" : " [disabled]"}: ${s.articles} articles; last poll ${s.lastPollAt ?? "never"}${s.lastResult ? ` ${s.lastResult}` : ""}; next tick ${s.nextTick ?? "none"}`,
      );
    }
    out(
      status.archive.failing
        ? `archive: writes FAILING since ${status.archive.lastFailureAt} (${status.archive.lastError}); ${status.archive.pending} document(s) wait in Redis`
        : `archive: ok (${status.archive.pending} document(s) waiting for their file)`,
    );
    for (const f of status.failed) {
      out(
        `failed ${f.key} ${f.code} (${f.errorClass}, ${f.attempts} attempts, ${f.failedAt}): ${f.reason}; next retry ${f.nextRetryAt ?? "none (enqueue it to retry)"}; ${f.url}`,
      );
    }
    out(
      status.cooldown === null
        ? "wechat fetching: active"
        : `wechat fetching: paused until ${status.cooldown.until} (level ${status.cooldown.level}, ${status.cooldown.reason})`,
    );
    return 0;
  } finally {
    await rt.close();
  }
}

/** The `status` command. */
export const statusCommand: Command = {
  name: "status",
  summary: "show queues, sources and the cool-down",
  usage,
  run,
};
