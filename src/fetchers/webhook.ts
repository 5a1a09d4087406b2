/**
 * POSTs a JSON payload to an operator-configured webhook (the digest summary). The URL comes from the
 * configuration, not from a page, so unlike `http.ts` there is no host allowlist: a webhook on the
 * operator's own network is normal. Redirects are not followed (a POST body must not wander to another
 * host), the whole exchange is bounded by one timeout, and the response body is discarded. Failures
 * become FetchErrors with stable codes; messages name the webhook's origin only, because chat webhooks
 * carry their secret key in the path or query.
 */

import { AppError, FetchError, InvalidUrlError } from "../errors.ts";
import { toAbortError } from "./http.ts";

/** Options of one webhook call. */
export interface PostJsonOptions {
  /** Budget for connecting, sending and receiving the status line, in milliseconds. */
  readonly timeoutMs: number;
  /** The caller's cancellation (shutdown). */
  readonly signal?: AbortSignal;
}

function toWebhookUrl(input: string): URL {
  let url: URL;
  try {
    url = new URL(input);
  } catch (cause) {
    throw new InvalidUrlError("URL_INVALID", "webhook: invalid url", {}, cause);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new InvalidUrlError("URL_INVALID", `webhook: scheme not allowed: ${url.protocol}`);
  }
  return url;
}

/** POSTs `payload` as JSON to `url`; resolves with the 2xx status, throws a FetchError otherwise. */
export async function postJson(
  url: string,
  payload: unknown,
  options: PostJsonOptions,
): Promise<{ readonly status: number }> {
  const target = toWebhookUrl(url);
  const timeout = AbortSignal.timeout(options.timeoutMs);
  const signal = options.signal === undefined ? timeout : AbortSignal.any([timeout, options.signal]);
  try {
    const response = await fetch(target, {
      method: "POST",
      headers: { "content-type": "application/json; charset=utf-8", "user-agent": "wechat-feed" },
      body: JSON.stringify(payload),
      redirect: "manual",
      signal,
    });
    await response.body?.cancel().catch(() => undefined);
    if (response.status < 200 || response.status > 299) {
      throw new FetchError("FETCH_HTTP_STATUS", `webhook: status ${response.status} from ${target.origin}`, {
        status: response.status,
        url: target.origin,
      });
    }
    return { status: response.status };
  } catch (error) {
    if (error instanceof AppError) throw error;
    if (options.signal?.aborted === true) throw toAbortError(options.signal.reason, "webhook", error);
    if (timeout.aborted) {
      throw new FetchError(
        "FETCH_TIMEOUT",
        `webhook: timeout after ${options.timeoutMs} ms`,
        { timeoutMs: options.timeoutMs },
        error,
      );
    }
    throw new FetchError(
      "FETCH_NETWORK",
      `webhook: network error for ${target.origin}`,
      { url: target.origin },
      error,
    );
  }
}
