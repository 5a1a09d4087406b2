/**
 * The two chat requests behind a summary, and reading their answers: the summary request (system and
 * user prompt, `{title}` and `{content}` filled in, content cut to the input budget) and the category
 * request (pick one of the configured list), plus the OpenAI-compatible answer shape. A malformed
 * answer is null for the summary and `Others` for the category, never a throw. Pure.
 */

/** One chat message. */
export interface ChatMessage {
  readonly role: "system" | "user";
  readonly content: string;
}

/** What the summary prompts need. */
export interface SummaryPrompts {
  readonly systemPrompt: string;
  readonly userPrompt: string;
  readonly maxInputChars: number;
}

/** Fills `{title}` and `{content}` in one pass, so text inside the article is never substituted again. */
export function fillPrompt(template: string, values: { title: string; content: string }): string {
  return template.replace(/\{(title|content)\}/g, (_, name: "title" | "content") => values[name]);
}

/** The messages of the summary request; the content is cut to `maxInputChars` characters. */
export function buildSummaryMessages(prompts: SummaryPrompts, title: string, content: string): ChatMessage[] {
  const chars = [...content];
  const cut =
    chars.length > prompts.maxInputChars ? `${chars.slice(0, prompts.maxInputChars).join("")}…` : content;
  return [
    { role: "system", content: prompts.systemPrompt },
    { role: "user", content: fillPrompt(prompts.userPrompt, { title, content: cut }) },
  ];
}

/** The messages of the category request: the title, the summary and the list to choose from. */
export function buildCategoryMessages(
  title: string,
  summary: string,
  categories: readonly string[],
): ChatMessage[] {
  const list = categories.map((c) => `- ${c}`).join("\n");
  return [
    {
      role: "user",
      content: `根据以下文章标题和摘要，从列表中选择一个最合适的分类，只回答分类名称本身。\n\n标题：${title}\n\n摘要：\n${summary}\n\n分类列表：\n${list}`,
    },
  ];
}

/** The assistant text of an OpenAI-compatible chat answer, trimmed; null when the body is not one. */
export function parseChatAnswer(body: string): string | null {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return null;
  }
  const choices = (parsed as { choices?: unknown } | null)?.choices;
  if (!Array.isArray(choices)) return null;
  const content = (choices[0] as { message?: { content?: unknown } } | undefined)?.message?.content;
  if (typeof content !== "string") return null;
  const text = content.trim();
  return text === "" ? null : text;
}

/**
 * The category an answer names: an exact entry of the list (case, quotes, list marks and a trailing
 * full stop ignored), else the one entry the answer contains (picker answers like `Web安全 (Web Security)`),
 * else the last entry, the fallback `Others`.
 */
export function toCategory(answer: string | null, categories: readonly string[]): string {
  const fallback = categories[categories.length - 1] ?? "Others";
  if (answer === null) return fallback;
  const norm = (s: string) =>
    s
      .trim()
      .replace(/^[-*\d.)\s]+/, "")
      .replace(/^["'“‘`「]+|["'”’`」。.]+$/g, "")
      .trim()
      .toLowerCase();
  const said = norm(answer);
  const exact = categories.find((c) => norm(c) === said);
  if (exact !== undefined) return exact;
  const contained = categories.filter((c) => said.includes(norm(c)));
  return contained.length === 1 && contained[0] !== undefined ? contained[0] : fallback;
}
