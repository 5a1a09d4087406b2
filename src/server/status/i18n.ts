/**
 * The status page's labels in Chinese (the default: the people who read WeChat) and English, and the
 * choice between them: `?lang=en|zh` first, else the first supported language of Accept-Language.
 */

const ZH = {
  title: "wechat-feed 运行状态",
  generated: "生成于",
  sources: "订阅源",
  source: "源",
  type: "类型",
  schedule: "计划",
  lastPoll: "上次轮询",
  nextPoll: "下次轮询",
  failures: "连续失败",
  lastError: "最近错误",
  lastArticle: "最新文章",
  silentFor: "已沉默",
  usual: "通常间隔",
  silent: "异常沉默",
  found: "发现",
  added: "新增",
  ok: "成功",
  failed: "失败",
  never: "从未",
  disabled: "已停用",
  pollNow: "立即轮询",
  fetching: "抓取",
  egress: "出口",
  liveWorkers: "个 worker 在线",
  cooldown: "冷却",
  cooldownNone: "无，正常抓取",
  cooldownUntil: "暂停至",
  reason: "原因",
  budget: "每日额度剩余",
  unlimited: "不限",
  minInterval: "最小间隔",
  archive: "归档",
  archiveOk: "正常",
  archiveFailing: "写入失败",
  archivePending: "篇等待写入",
  queues: "队列",
  queue: "队列",
  workers: "在线 worker",
  noWorkers: "没有在线的 worker",
  recentFailures: "最近失败",
  article: "文章",
  errorClass: "类别",
  attempts: "尝试次数",
  nextRetry: "下次重试",
  noRetry: "不自动重试",
  retryNow: "立即重试",
  noFailures: "没有失败的文章",
  recentArticles: "最新文章",
  links: "订阅链接",
  allFeed: "全部文章",
  digest: "每日摘要",
  login: "登录以执行操作",
  token: "API 令牌",
  signIn: "登录",
  signOut: "退出",
  signedIn: "已登录",
  retried: "已重新排队",
  polled: "已加入轮询队列",
  notRetried: "没有找到可重试的失败任务",
  badToken: "令牌不正确",
  waiting: "等待",
  active: "进行中",
  delayed: "延迟",
  completed: "完成",
  total: "共",
} as const;

/** A label set. */
export type Labels = { readonly [K in keyof typeof ZH]: string };

const EN: Labels = {
  title: "wechat-feed status",
  generated: "Generated",
  sources: "Sources",
  source: "Source",
  type: "Type",
  schedule: "Schedule",
  lastPoll: "Last poll",
  nextPoll: "Next poll",
  failures: "Failures in a row",
  lastError: "Last error",
  lastArticle: "Last article",
  silentFor: "Silent for",
  usual: "usually every",
  silent: "silent",
  found: "found",
  added: "added",
  ok: "ok",
  failed: "failed",
  never: "never",
  disabled: "disabled",
  pollNow: "Poll now",
  fetching: "Fetching",
  egress: "Egress",
  liveWorkers: "live workers",
  cooldown: "Cool-down",
  cooldownNone: "none, fetching normally",
  cooldownUntil: "paused until",
  reason: "Reason",
  budget: "Daily budget left",
  unlimited: "unlimited",
  minInterval: "Minimum interval",
  archive: "Archive",
  archiveOk: "ok",
  archiveFailing: "writes failing",
  archivePending: "document(s) waiting for their file",
  queues: "Queues",
  queue: "Queue",
  workers: "Live workers",
  noWorkers: "no live worker",
  recentFailures: "Recent failures",
  article: "Article",
  errorClass: "Class",
  attempts: "Attempts",
  nextRetry: "Next retry",
  noRetry: "no automatic retry",
  retryNow: "Retry now",
  noFailures: "no failed articles",
  recentArticles: "Recent articles",
  links: "Feeds",
  allFeed: "All articles",
  digest: "Daily digest",
  login: "Sign in for actions",
  token: "API token",
  signIn: "Sign in",
  signOut: "Sign out",
  signedIn: "signed in",
  retried: "re-queued",
  polled: "poll queued",
  notRetried: "no failed job to retry",
  badToken: "wrong token",
  waiting: "waiting",
  active: "active",
  delayed: "delayed",
  completed: "completed",
  total: "total",
};

/** A supported language. */
export type Lang = "zh" | "en";

/** The labels of `lang`. */
export function labelsFor(lang: Lang): Labels {
  return lang === "en" ? EN : ZH;
}

/** Picks the language: `?lang=` wins, else the first of zh/en named by Accept-Language, else zh. */
export function pickLang(query: string | null | undefined, acceptLanguage: string | undefined): Lang {
  if (query === "en" || query === "zh") return query;
  for (const part of (acceptLanguage ?? "").split(",")) {
    const tag = part.trim().split(";")[0]?.toLowerCase() ?? "";
    if (tag.startsWith("en")) return "en";
    if (tag.startsWith("zh")) return "zh";
  }
  return "zh";
}
