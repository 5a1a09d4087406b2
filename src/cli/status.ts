/**
 * `wechat-feed status [--json]`: the status reader's view (the same data as `/` and `/api/status`):
 * each source's last poll, failures and silence, the fetch cool-down and budget, queue counts, live
 * workers and the failed articles by name. Times are Beijing time with the zone shown.
 */

import { formatBeijingTime, formatDuration } from "../status/format-time.ts";
import { QUEUE_STATES, readStatus, type Status } from "../status/read-status.ts";
import { createStatusDeps } from "../status/status-deps.ts";
import { createFailedArticles } from "../store/failed-articles.ts";
import { type CliContext, type Command, parseCommandArgs } from "./command.ts";
import { openRuntime } from "./runtime.ts";

const usage = `Usage: wechat-feed status [--json]

Shows each source's last poll and next tick, failing and silent sources, whether WeChat fetching is
in a verification cool-down, the daily budget, job counts per queue, live workers, and the failed
articles with their reasons. --json prints the same data as GET /api/status.`;

const when = (ms: number | null) => (ms === null ? "never" : formatBeijingTime(ms));

/** The human-readable lines of `status`. */
export function renderStatusLines(status: Status): string[] {
  const lines = [`articles stored: ${status.articles}`];
  for (const [name, counts] of Object.entries(status.queues)) {
    lines.push(`queue ${name}: ${QUEUE_STATES.map((c) => `${c}=${counts[c] ?? 0}`).join(" ")}`);
  }
  lines.push(
    `workers: ${status.workers.length === 0 ? "none live" : status.workers.map((w) => `${w.queue}@${w.addr}`).join(", ")}`,
  );
  for (const s of status.sources) {
    const poll = s.lastPoll;
    const result =
      poll === null
        ? ""
        : poll.ok
          ? ` ok (found ${poll.found}, added ${poll.added})`
          : ` failed: ${s.lastError ?? ""}`;
    const silent = s.silent && s.silentForMs !== null ? `; SILENT for ${formatDuration(s.silentForMs)}` : "";
    const streak = s.failureStreak > 0 ? `; ${s.failureStreak} failed polls in a row` : "";
    lines.push(
      `source ${s.id}${s.enabled ? "" : " [disabled]"}: ${s.articles} articles; last poll ${when(poll?.at ?? null)}${result}; next tick ${when(s.nextPollAt)}${streak}${silent}`,
    );
  }
  for (const e of status.fetching.egresses) {
    const state =
      e.cooldown === null
        ? "active"
        : `paused until ${formatBeijingTime(e.cooldown.until)} (level ${e.cooldown.level}, ${e.cooldown.reason})`;
    const budget = e.budget === null ? "" : `; daily budget: ${e.budget.left} of ${e.budget.limit} left`;
    lines.push(`wechat fetching via egress ${e.name} (${e.liveWorkers} live workers): ${state}${budget}`);
  }
  const { archive } = status;
  lines.push(
    archive.failing
      ? `archive: writes FAILING since ${when(archive.lastFailureAt)} (${archive.lastError ?? ""}); ${archive.pending} document(s) wait in Redis`
      : `archive: ok (${archive.pending} document(s) waiting for their file)`,
  );
  lines.push(`failed articles: ${status.failures.total}`);
  for (const f of status.failures.recent) {
    lines.push(
      `  ${f.key} ${f.url} [${f.code}, ${f.errorClass}] ${f.reason} (attempts ${f.attempts}, ${when(f.failedAt)}; next retry ${f.nextRetryAt === null ? "none (enqueue it to retry)" : when(f.nextRetryAt)})`,
    );
  }
  return lines;
}

async function run(args: string[], ctx: CliContext): Promise<number> {
  const { values } = parseCommandArgs("status", args, { json: { type: "boolean", default: false } });
  const rt = await openRuntime(ctx);
  try {
    const failed = createFailedArticles(rt.redis, rt.config.redis.prefix);
    const status = await readStatus(createStatusDeps({ ...rt, failed }));
    const text = values.json ? JSON.stringify(status, null, 2) : renderStatusLines(status).join("\n");
    ctx.stdout.write(`${text}\n`);
    return 0;
  } finally {
    await rt.close();
  }
}

/** The `status` command. */
export const statusCommand: Command = {
  name: "status",
  usage,
  run,
};
