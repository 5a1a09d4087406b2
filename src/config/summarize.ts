/**
 * The `summarize:` section: the optional LLM summaries and categories, written the way
 * chainreactors/picker writes them. Off by default. Any OpenAI-compatible `/chat/completions`
 * endpoint works (hosted or a local model); a private address (127.0.0.1, LAN) must be listed in
 * `fetch.allowedPrivateHosts` like every other outbound target, so the guard stays one rule.
 */
import { z } from "zod";
import { HttpUrlSchema } from "./sources.ts";

/** The default system prompt: a concise, structured Chinese summary. */
export const DEFAULT_SYSTEM_PROMPT = [
  "你是一名专业的文章分析助手。请阅读用户提供的微信公众号文章，用简体中文写一份简洁、结构化的摘要：",
  "1. 主题：一句话说明文章讨论的核心内容。",
  "2. 要点：列出 3 到 5 个最重要的观点、方法或结论。",
  "3. 结论：一两句话概括文章的价值或结论。",
  "只输出摘要本身，不要寒暄，不要重复标题。",
].join("\n");

/** The default user prompt; `{title}` and `{content}` are replaced by the article's. */
export const DEFAULT_USER_PROMPT = "请总结以下文章：\n\n标题：{title}\n\n正文：\n{content}";

/** The default categories: general-purpose, ending in `Others` (the fallback). */
export const DEFAULT_CATEGORIES = [
  "Technology",
  "AI",
  "Security",
  "Business",
  "Finance",
  "Policy",
  "Science",
  "Health",
  "Culture",
  "Education",
  "Lifestyle",
  "Others",
] as const;

/** The category every malformed or unlisted answer maps to. */
export const FALLBACK_CATEGORY = "Others";

export const SummarizeSchema = z
  .strictObject({
    /** Summarize stored articles. Default false. */
    enabled: z.boolean().default(false),
    /** Base URL of an OpenAI-compatible API; `/chat/completions` is appended. Default `https://api.openai.com/v1`. */
    baseUrl: HttpUrlSchema.default("https://api.openai.com/v1"),
    /** Model name sent in each request. Default `gpt-4o-mini`. */
    model: z.string().min(1).default("gpt-4o-mini"),
    /** Bearer token of the endpoint; unset sends no Authorization header (local servers). Default unset. Env SUMMARIZE_API_KEY. */
    apiKey: z.string().min(1).optional(),
    /** System message of the summary request. Default: a concise structured summary, in Chinese. */
    systemPrompt: z.string().min(1).default(DEFAULT_SYSTEM_PROMPT),
    /** User message of the summary request; `{title}` and `{content}` are filled in. Default: see README. */
    userPrompt: z.string().min(1).default(DEFAULT_USER_PROMPT),
    /** The categories an article may get; must end in `Others`. Default: a general-purpose list. */
    categories: z
      .array(z.string().min(1).max(64))
      .min(1)
      .default([...DEFAULT_CATEGORIES])
      .refine((list) => list[list.length - 1] === FALLBACK_CATEGORY, {
        error: `the last category must be ${FALLBACK_CATEGORY}`,
      }),
    /** Article text sent per request, in characters (the rest is cut). Default 8000. */
    maxInputChars: z.int().min(200).max(1_000_000).default(8000),
    /** Timeout of one request. Default 60000. */
    timeoutMs: z.int().min(1000).default(60_000),
    /** Summary requests in flight per worker process. Default 1. */
    concurrency: z.int().min(1).max(32).default(1),
    /** Most requests per Beijing day (each article costs two: summary, category); unset means no budget. Default unset. */
    dailyBudget: z.int().min(1).optional(),
    /** Tries per article for 429, 5xx and timeouts. Default 5. */
    attempts: z.int().min(1).max(100).default(5),
    /** Base delay of the exponential backoff (a Retry-After header wins when longer). Default 30000. */
    backoffMs: z.int().min(0).default(30_000),
  })
  .refine((s) => s.baseUrl.replace(/\/+$/, "") !== "" && !s.baseUrl.includes("?"), {
    path: ["baseUrl"],
    error: "expected a base URL without a query, such as https://api.openai.com/v1",
  });

/** True unless the source is configured with `summarize: false` (ids not configured are summarized). */
export function createSourceFilter(
  sources: readonly { readonly id: string; readonly summarize?: boolean | undefined }[],
): (sourceId: string) => boolean {
  const off = new Set(sources.filter((s) => s.summarize === false).map((s) => s.id));
  return (sourceId) => !off.has(sourceId);
}

/** The validated `summarize:` section. */
export type SummarizeConfig = z.infer<typeof SummarizeSchema>;
