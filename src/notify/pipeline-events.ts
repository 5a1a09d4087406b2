/**
 * Turns what the pipeline reports into notification events: job outcomes (a stored article, a built
 * digest, a failed poll, a verification page, a spent budget), and the conditions they end (a poll
 * that works again clears `source.failing`; a fetch that works again clears the cool-down and the
 * budget, and announces `fetch.resumed`). Also the periodic silence check. Never throws: a failed
 * notification must not fail a job.
 */
import type { JobObserver, JobOutcome } from "../jobs/job-outcome.ts";
import { JOB, QUEUE } from "../jobs/queues.ts";
import type { Logger } from "../logger.ts";
import type { StoredArticle } from "../model.ts";
import type { Status } from "../status/read-status.ts";
import type { ArticleStore } from "../store/article-store.ts";
import type { SourceState } from "../store/source-state.ts";
import type { NotifyEvent, NotifyEventName } from "./events.ts";
import type { Notifier } from "./notifier.ts";

/** What the event sources need. */
export interface PipelineEventDeps {
  readonly notifier: Notifier;
  readonly store: ArticleStore;
  readonly sourceState: SourceState;
  /** Failed polls in a row that make a source failing. */
  readonly failingAfter: number;
  /** This process's egress group: a verification page starts its cool-down. */
  readonly egress: string;
  /** Public base URL (links to the status page and digests). */
  readonly publicUrl: string;
  /**
   * True when a new article's summary job will announce it (summarize on, source not opted out): then
   * `article.new` waits for the summary and carries it, or goes out without it when the job fails.
   */
  awaitsSummary?(article: StoredArticle): boolean;
  readonly logger: Logger;
  now(): number;
}

/** Builds an event stamped now. */
export function buildEvent(
  now: number,
  event: NotifyEventName,
  fields: Partial<Omit<NotifyEvent, "event" | "at">> & { headline: string },
): NotifyEvent {
  return {
    event,
    at: new Date(now).toISOString(),
    sourceId: fields.sourceId ?? null,
    headline: fields.headline,
    link: fields.link ?? null,
    details: fields.details ?? {},
    condition: fields.condition ?? null,
  };
}

const str = (value: unknown): string => (typeof value === "string" ? value : "");

async function onFetchOutcome(deps: PipelineEventDeps, o: JobOutcome): Promise<void> {
  const ev = (name: NotifyEventName, f: Parameters<typeof buildEvent>[2]) =>
    deps.notifier.emit(buildEvent(deps.now(), name, f));
  const status = `${deps.publicUrl}/`;
  if (o.code === "WECHAT_VERIFY_REQUIRED") {
    const cooldown = await deps.sourceState.readCooldown(deps.egress);
    const until = cooldown === null ? null : new Date(cooldown.until).toISOString();
    await ev("fetch.cooldown", {
      headline: `WeChat asked for verification: egress ${deps.egress} paused until ${until ?? "further notice"}`,
      link: status,
      details: { until, level: cooldown?.level ?? null, egress: deps.egress, url: o.data.url ?? null },
      condition: `fetch.cooldown:${deps.egress}`,
    });
  } else if (o.code === "FETCH_BUDGET_EXHAUSTED") {
    await ev("budget.exhausted", {
      headline: `the daily WeChat fetch budget of egress ${deps.egress} is spent`,
      link: status,
      details: { egress: deps.egress },
      condition: `budget.exhausted:${deps.egress}`,
    });
  }
  if (o.outcome === "error") return;
  // Conditions are per egress group: a good fetch on one egress says nothing about another's pause.
  if (await deps.notifier.clear(`fetch.cooldown:${deps.egress}`)) {
    await ev("fetch.resumed", {
      headline: `WeChat fetching works again on egress ${deps.egress}`,
      link: status,
      details: { egress: deps.egress },
    });
  }
  await deps.notifier.clear(`budget.exhausted:${deps.egress}`);
  const key = str(o.result?.key);
  if (o.outcome !== "stored" || o.jobName !== JOB.fetchArticle || key === "") return;
  const article = await deps.store.readArticle(key);
  if (article !== null && deps.awaitsSummary?.(article) === true) return;
  await emitArticleNew(deps, key, article, o);
}

/** Emits `article.new` for `key`, with the summary and category when the article has them. */
async function emitArticleNew(
  deps: PipelineEventDeps,
  key: string,
  article: StoredArticle | null,
  o: JobOutcome,
): Promise<void> {
  await deps.notifier.emit(
    buildEvent(deps.now(), "article.new", {
      sourceId: article?.sourceId ?? (str(o.data.sourceId) || null),
      headline: `${article?.title ?? key}${article?.account ? ` — ${article.account}` : ""}`,
      link: article?.url ?? (str(o.data.url) || null),
      details: {
        key,
        title: article?.title ?? null,
        account: article?.account ?? null,
        url: article?.url ?? null,
        summary: article?.summary?.text ?? null,
        category: article?.summary?.category ?? null,
      },
    }),
  );
}

/** A new article's summary job ended (summarized, or failed for good): announce the article now. */
async function onSummaryOutcome(deps: PipelineEventDeps, o: JobOutcome): Promise<void> {
  const key = str(o.data.key);
  if (o.data.announce !== true || key === "") return;
  await emitArticleNew(deps, key, await deps.store.readArticle(key), o);
}

async function onPollOutcome(deps: PipelineEventDeps, o: JobOutcome): Promise<void> {
  const sourceId = str(o.data.sourceId);
  const condition = `source.failing:${sourceId}`;
  if (o.outcome !== "error") {
    await deps.notifier.clear(condition);
    return;
  }
  const state = await deps.sourceState.readSourceState(sourceId);
  if (state === null || state.failureStreak < deps.failingAfter) return;
  await deps.notifier.emit(
    buildEvent(deps.now(), "source.failing", {
      sourceId,
      headline: `source ${sourceId} failed ${state.failureStreak} polls in a row: ${state.error ?? o.code ?? ""}`,
      link: `${deps.publicUrl}/`,
      details: { failureStreak: state.failureStreak, error: state.error, code: o.code },
      condition,
    }),
  );
}

/** The job observer that emits notification events. */
export function createNotifyObserver(deps: PipelineEventDeps): JobObserver {
  return (o) => {
    const work =
      o.queue === QUEUE.wechat
        ? onFetchOutcome(deps, o)
        : o.queue === QUEUE.summarize
          ? onSummaryOutcome(deps, o)
          : o.queue === QUEUE.discover
            ? onPollOutcome(deps, o)
            : // A built digest announces itself (notify/digest-announcer.ts), also when built by hand.
              Promise.resolve();
    work.catch((err: unknown) => deps.logger.warn({ err, queue: o.queue }, "notification not emitted"));
  };
}

/** Emits `source.silent` for each newly silent source and clears the ones that spoke again. */
export async function checkSilence(deps: PipelineEventDeps, status: Status): Promise<void> {
  for (const s of status.sources) {
    const condition = `source.silent:${s.id}`;
    if (!s.silent || s.silentForMs === null) {
      await deps.notifier.clear(condition);
      continue;
    }
    await deps.notifier.emit(
      buildEvent(deps.now(), "source.silent", {
        sourceId: s.id,
        headline: `source ${s.id} has had no new article for ${Math.round(s.silentForMs / 3_600_000)} h (usually every ${Math.round((s.usualIntervalMs ?? 0) / 3_600_000)} h)`,
        link: `${deps.publicUrl}/`,
        details: {
          silentForMs: s.silentForMs,
          usualIntervalMs: s.usualIntervalMs,
          lastArticleAt: s.lastArticleAt,
        },
        condition,
      }),
    );
  }
}
