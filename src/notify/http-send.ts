/**
 * The plain outbound request of notification senders: one fetch with a timeout, no redirects followed
 * (a POST must not wander to another host), the body read as text. Senders take it injected, so the
 * composition root can route them through the guarded client instead.
 */

/** An outbound request. */
export interface SendRequest {
  readonly url: string;
  readonly method: "POST" | "GET";
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

/** Its response. */
export interface SendResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

/** Sends a request and reads the answer. */
export type Send = (request: SendRequest) => Promise<SendResponse>;

const MAX_BODY = 64 * 1024;

/** A fetch-shaped function: the global fetch, or the guarded client's `send` (fetchers/guarded-http.ts). */
export type FetchLike = (url: URL, init: RequestInit) => Promise<Response>;

/** A `Send` over `doFetch` (the global fetch by default) with `timeoutMs`. */
export function createFetchSend(timeoutMs: number, doFetch: FetchLike = fetch): Send {
  return async (request) => {
    const response = await doFetch(new URL(request.url), {
      method: request.method,
      headers: { "user-agent": "wechat-feed", ...request.headers },
      body: request.method === "GET" ? null : request.body,
      redirect: "manual",
      signal: AbortSignal.timeout(timeoutMs),
    });
    const body = (await response.text()).slice(0, MAX_BODY);
    return { status: response.status, headers: Object.fromEntries(response.headers), body };
  };
}
