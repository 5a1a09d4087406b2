/**
 * Renders the status page from a `Status`: plain server-side HTML with one inline stylesheet, no
 * script (it works without JavaScript), tables that collapse into cards on a phone, and forms for the
 * actions when signed in (each carrying the CSRF token). Pure: labels, times and links come in.
 */
import { type FeedScope, feedRowsOf, toAlternateLinks, toOutputPath } from "../../publish/output-table.ts";
import { escapeXml as esc } from "../../publish/xml.ts";
import { formatBeijingTime, formatDuration } from "../../status/format-time.ts";
import { QUEUE_STATES, type SourceStatus, type Status } from "../../status/read-status.ts";
import type { Labels, Lang } from "./i18n.ts";

/** What the page needs beyond the status. */
export interface PageContext {
  readonly lang: Lang;
  readonly labels: Labels;
  /** The CSRF token when signed in, null when not (actions hidden, sign-in form shown). */
  readonly csrf: string | null;
  /** Sign-in is possible at all (an API token is configured). */
  readonly canSignIn: boolean;
  /** A one-line notice after an action. */
  readonly notice: string | null;
}

const STYLE = `
body{font:15px/1.5 system-ui,-apple-system,"PingFang SC","Noto Sans CJK SC",sans-serif;margin:0;color:#1d2329;background:#f6f7f9}
main{max-width:1100px;margin:0 auto;padding:12px}
h1{font-size:20px;margin:8px 0}h2{font-size:17px;margin:20px 0 8px}
table{width:100%;border-collapse:collapse;background:#fff;border:1px solid #dde1e6}
th,td{padding:6px 8px;border-bottom:1px solid #eceef1;text-align:left;vertical-align:top}
th{background:#f0f2f5;font-weight:600;font-size:13px;white-space:nowrap}
.bad{color:#b42318;font-weight:600}.ok{color:#067647}.muted{color:#667085;font-size:13px}
.notice{background:#ecfdf3;border:1px solid #abefc6;padding:8px;margin:8px 0}
form{display:inline}button{font:inherit;padding:2px 10px;border:1px solid #98a2b3;border-radius:4px;background:#fff;cursor:pointer}
input{font:inherit;padding:2px 6px}
.kv{display:flex;flex-wrap:wrap;gap:8px 24px;background:#fff;border:1px solid #dde1e6;padding:8px}
a{color:#175cd3}code{font-size:13px;word-break:break-all}td>code:only-child{white-space:nowrap}
@media (max-width:700px){
 table,thead,tbody,tr,th,td{display:block}thead{display:none}
 tr{border-bottom:2px solid #dde1e6;padding:4px 0}td{border:0;padding:2px 8px}td:empty{display:none}
 td[data-l]::before{content:attr(data-l) ": ";color:#667085;font-size:13px}
}`;

const when = (l: Labels, ms: number | null) => (ms === null ? l.never : formatBeijingTime(ms));

function cell(label: string, html: string): string {
  return `<td data-l="${esc(label)}">${html}</td>`;
}

function action(ctx: PageContext, path: string, field: string, value: string, label: string): string {
  if (ctx.csrf === null) return "";
  return `<form method="post" action="${path}"><input type="hidden" name="csrf" value="${esc(ctx.csrf)}"><input type="hidden" name="${field}" value="${esc(value)}"><input type="hidden" name="lang" value="${ctx.lang}"><button>${esc(label)}</button></form>`;
}

function sourceRow(ctx: PageContext, s: SourceStatus): string {
  const l = ctx.labels;
  const poll = s.lastPoll;
  const result =
    poll === null
      ? ""
      : poll.ok
        ? ` <span class="ok">${l.ok}</span> (${l.found} ${poll.found}, ${l.added} ${poll.added})`
        : ` <span class="bad">${l.failed}</span>`;
  const silence =
    s.silentForMs === null
      ? ""
      : `${s.silent ? `<span class="bad">${l.silent}</span> ` : ""}${formatDuration(s.silentForMs)}${
          s.usualIntervalMs === null
            ? ""
            : ` <span class="muted">(${l.usual} ${formatDuration(s.usualIntervalMs)})</span>`
        }`;
  return `<tr id="source-${esc(s.id)}">${[
    cell(
      l.source,
      `<strong>${esc(s.id)}</strong>${s.name === null ? "" : `<br><span class="muted">${esc(s.name)}</span>`}${s.enabled ? "" : ` <span class="muted">[${l.disabled}]</span>`}`,
    ),
    cell(l.type, esc(s.type)),
    cell(l.schedule, `<code>${esc(s.schedule)}</code>`),
    cell(l.lastPoll, `${when(l, poll?.at ?? null)}${result}`),
    cell(l.nextPoll, s.nextPollAt === null ? "—" : formatBeijingTime(s.nextPollAt)),
    cell(l.failures, s.failureStreak > 0 ? `<span class="bad">${s.failureStreak}</span>` : "0"),
    cell(l.lastError, s.lastError === null ? "" : `<span class="bad">${esc(s.lastError)}</span>`),
    cell(l.lastArticle, when(l, s.lastArticleAt)),
    cell(l.silentFor, silence),
    cell("", action(ctx, "/actions/poll", "source", s.id, l.pollNow)),
  ].join("")}</tr>`;
}

function fetchingBlock(status: Status, l: Labels): string {
  const egresses = status.fetching.egresses.map((e) => {
    const cool =
      e.cooldown === null
        ? `<span class="ok">${l.cooldownNone}</span>`
        : `<span class="bad">${l.cooldownUntil} ${formatBeijingTime(e.cooldown.until)}</span> (${l.reason}: ${esc(e.cooldown.reason)}, level ${e.cooldown.level})`;
    const budget = e.budget === null ? l.unlimited : `${e.budget.left} / ${e.budget.limit}`;
    return `<div class="egress" data-egress="${esc(e.name)}">${l.egress} ${esc(e.name)} (${e.liveWorkers} ${l.liveWorkers}): ${l.cooldown}: ${cool}; ${l.budget}: ${budget}</div>`;
  });
  return `<div class="kv" id="fetching">${egresses.join("")}<div>${l.minInterval}: ${formatDuration(status.fetching.minIntervalMs)}</div><div id="archive">${l.archive}: ${
    status.archive.failing
      ? `<span class="bad">${l.archiveFailing}</span> (${esc(status.archive.lastError ?? "")})`
      : `<span class="ok">${l.archiveOk}</span>`
  }, ${status.archive.pending} ${l.archivePending}</div></div>`;
}

function queuesBlock(status: Status, l: Labels): string {
  const head = QUEUE_STATES.map((s) => `<th>${esc(l[s])}</th>`).join("");
  const rows = Object.entries(status.queues).map(
    ([name, counts]) =>
      `<tr id="queue-${esc(name)}">${cell(l.queue, `<strong>${esc(name)}</strong>`)}${QUEUE_STATES.map((s) =>
        cell(l[s], String(counts[s] ?? 0)),
      ).join("")}</tr>`,
  );
  const workers =
    status.workers.length === 0
      ? `<span class="bad">${l.noWorkers}</span>`
      : status.workers.map((w) => `${esc(w.queue)} <code>${esc(w.addr)}</code>`).join(", ");
  return `<table id="queues"><thead><tr><th>${l.queue}</th>${head}</tr></thead><tbody>${rows.join("")}</tbody></table><p>${l.workers}: ${workers}</p>`;
}

function failuresBlock(ctx: PageContext, status: Status): string {
  const l = ctx.labels;
  if (status.failures.recent.length === 0) return `<p class="muted">${l.noFailures}</p>`;
  const rows = status.failures.recent.map(
    (f) =>
      `<tr id="failure-${esc(f.key)}">${[
        cell(
          l.article,
          `<a href="${esc(f.url)}" rel="noreferrer">${esc(f.key)}</a><br><span class="muted">${esc(f.sourceId)}</span>`,
        ),
        cell(l.errorClass, `<code>${esc(f.code)}</code> ${esc(f.errorClass)}`),
        cell(l.reason, esc(f.reason)),
        cell(l.attempts, String(f.attempts)),
        cell(l.nextRetry, f.nextRetryAt === null ? l.noRetry : formatBeijingTime(f.nextRetryAt)),
        cell("", action(ctx, "/actions/retry", "key", f.key, l.retryNow)),
      ].join("")}</tr>`,
  );
  return `<p class="muted">${l.total} ${status.failures.total}</p><table id="failures"><thead><tr><th>${l.article}</th><th>${l.errorClass}</th><th>${l.reason}</th><th>${l.attempts}</th><th>${l.nextRetry}</th><th></th></tr></thead><tbody>${rows.join("")}</tbody></table>`;
}

/** Links to a feed scope in every format: the first format named, the others by extension. */
function feedLinks(scope: FeedScope, arg: string, name: string): string {
  return feedRowsOf(scope)
    .map((row, i) => {
      const label = i === 0 ? name : (row.format?.extension ?? row.id);
      return `<a href="${esc(encodeURI(toOutputPath(row, arg)))}">${esc(label)}</a>`;
    })
    .join(" ");
}

function linksBlock(status: Status, l: Labels): string {
  const feeds = status.sources.map((s) => feedLinks("source", s.id, s.id));
  return `<p id="links">${feedLinks("all", "", l.allFeed)} · ${feeds.join(" · ")}${feeds.length > 0 ? " · " : ""}<a href="/opml.xml">OPML</a> · <a href="/digest">${l.digest}</a> · ${feedLinks("digest", "", `${l.digest} RSS`)} · <a href="/api/status">JSON</a></p>`;
}

function authBlock(ctx: PageContext): string {
  const l = ctx.labels;
  if (ctx.csrf !== null) {
    return `<p class="muted">${l.signedIn} <form method="post" action="/logout"><input type="hidden" name="csrf" value="${esc(ctx.csrf)}"><button>${l.signOut}</button></form></p>`;
  }
  if (!ctx.canSignIn) return "";
  return `<form method="post" action="/login" id="login"><label>${l.login}: <input type="password" name="token" autocomplete="current-password" aria-label="${l.token}"></label><input type="hidden" name="lang" value="${ctx.lang}"> <button>${l.signIn}</button></form>`;
}

/** The whole page. */
export function renderStatusPage(status: Status, ctx: PageContext): string {
  const l = ctx.labels;
  const recent = status.recent.map(
    (a) =>
      `<li><a href="/articles/${esc(a.key)}.md">${esc(a.title)}</a> <span class="muted">${esc(a.account ?? a.sourceId)} · ${formatBeijingTime(a.at)}</span></li>`,
  );
  return `<!DOCTYPE html><html lang="${ctx.lang === "zh" ? "zh-CN" : "en"}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>${l.title}</title>${toAlternateLinks("all", "", "", l.title)}<style>${STYLE}</style></head><body><main>
<h1>${l.title}</h1><p class="muted">${l.generated} ${formatBeijingTime(status.generatedAt)} · <a href="?lang=${ctx.lang === "zh" ? "en" : "zh"}">${ctx.lang === "zh" ? "English" : "中文"}</a></p>
${ctx.notice === null ? "" : `<p class="notice" role="status">${esc(ctx.notice)}</p>`}${authBlock(ctx)}
<h2>${l.sources}</h2><table id="sources"><thead><tr><th>${l.source}</th><th>${l.type}</th><th>${l.schedule}</th><th>${l.lastPoll}</th><th>${l.nextPoll}</th><th>${l.failures}</th><th>${l.lastError}</th><th>${l.lastArticle}</th><th>${l.silentFor}</th><th></th></tr></thead><tbody>${status.sources.map((s) => sourceRow(ctx, s)).join("")}</tbody></table>
<h2>${l.fetching}</h2>${fetchingBlock(status, l)}
<h2>${l.queues}</h2>${queuesBlock(status, l)}
<h2>${l.recentFailures}</h2>${failuresBlock(ctx, status)}
<h2>${l.recentArticles}</h2><ul id="recent">${recent.join("")}</ul>
<h2>${l.links}</h2>${linksBlock(status, l)}
</main></body></html>`;
}
