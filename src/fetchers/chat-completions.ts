/**
 * The one request to an OpenAI-compatible chat endpoint (`POST <baseUrl>/chat/completions`), sent
 * through the guarded client: a public address, or a private one listed in `fetch.allowedPrivateHosts`
 * (a local model). Returns the raw answer body; reading it is `parsers/summary-answer.ts`'s job. Failures
 * are the client's FetchErrors: FETCH_HTTP_STATUS (details.status, details.retryAfter), FETCH_TIMEOUT,
 * FETCH_NETWORK, FETCH_ADDRESS_DENIED.
 */
import type { ChatMessage } from "../parsers/summary-answer.ts";
import type { GuardedHttp } from "./guarded-http.ts";

/** Where and how to ask. */
export interface ChatEndpoint {
  readonly baseUrl: string;
  readonly model: string;
  /** Sent as `Authorization: Bearer …` when set. */
  readonly apiKey?: string | undefined;
  readonly timeoutMs: number;
}

/** The completions URL of a base URL (`…/v1` → `…/v1/chat/completions`). */
export function toCompletionsUrl(baseUrl: string): string {
  return `${baseUrl.replace(/\/+$/, "")}/chat/completions`;
}

/** POSTs one chat request and resolves to the answer body (any 2xx). */
export async function fetchChatCompletion(
  http: GuardedHttp,
  endpoint: ChatEndpoint,
  messages: readonly ChatMessage[],
  signal?: AbortSignal,
): Promise<string> {
  const headers: Record<string, string> = { accept: "application/json" };
  if (endpoint.apiKey !== undefined) headers.authorization = `Bearer ${endpoint.apiKey}`;
  const result = await http.postJson(
    toCompletionsUrl(endpoint.baseUrl),
    { model: endpoint.model, messages, stream: false },
    { headers, timeoutMs: endpoint.timeoutMs, ...(signal === undefined ? {} : { signal }) },
  );
  return result.body;
}
