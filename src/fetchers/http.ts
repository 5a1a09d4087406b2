/**
 * Plain HTTP fetcher on Node's global fetch. It follows redirects itself (`redirect: "manual"`) so every
 * hop is re-checked before any request is sent to it, bounds the whole exchange with one timeout, caps
 * the body while streaming it, and turns every failure into a FetchError with a stable code. It returns
 * bytes and transport facts only; what the page means is the parsers' business.
 */

import { AppError, FetchError, InvalidUrlError } from "../errors.ts";

/** Options for one HTTP exchange (all redirects plus the body). */
export interface HttpFetchOptions {
  /** Budget for the whole exchange, redirects and body included, in milliseconds. */
  readonly timeoutMs: number;
  /** Body size cap in bytes; a larger body is aborted mid-stream with FETCH_TOO_LARGE. */
  readonly maxBytes: number;
  /** Redirects followed before FETCH_REDIRECT_LOOP (default 5, per wechat-pages.md section 8). */
  readonly maxRedirects?: number;
  readonly headers?: Readonly<Record<string, string>>;
  /** The caller's cancellation (job timeout or shutdown). */
  readonly signal?: AbortSignal;
  /** Called with the first URL and every redirect target before it is requested; throws to refuse. */
  readonly checkHop?: (url: URL) => void;
  /** Request method. Default GET. */
  readonly method?: "GET" | "POST";
  /** Request body (POST). */
  readonly body?: string;
  /** Sends one request; default the global fetch (the guarded client passes its checking transport). */
  readonly send?: SendRequest;
  /** The URL's path carries a secret (chat webhooks): errors name its origin only. */
  readonly secretPath?: boolean;
}

/** One request without redirect handling, as `fetch(url, init)` does it with `redirect: "manual"`. */
export type SendRequest = (url: URL, init: RequestInit) => Promise<Response>;

/** A successful (2xx) response with its whole body. */
export interface HttpResult<Body> {
  readonly status: number;
  /** The URL of the last hop (after redirects). */
  readonly finalUrl: string;
  readonly body: Body;
  readonly contentType: string | null;
}

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);
const DEFAULT_MAX_REDIRECTS = 5;

const utf8 = new TextDecoder("utf-8");

/** Decodes a fetched page (WeChat serves UTF-8 only); both fetchers read bodies through it. */
export function decodePage(bytes: Uint8Array): string {
  return utf8.decode(bytes);
}

/** Fetches `url` and decodes the body as UTF-8 (decodePage). */
export async function fetchText(url: string, options: HttpFetchOptions): Promise<HttpResult<string>> {
  const result = await fetchBytes(url, options);
  return { ...result, body: decodePage(result.body) };
}

/** Fetches `url` and returns the raw body bytes (for images and other binary payloads). */
export async function fetchBytes(url: string, options: HttpFetchOptions): Promise<HttpResult<Uint8Array>> {
  const timeout = AbortSignal.timeout(options.timeoutMs);
  const signal = options.signal === undefined ? timeout : AbortSignal.any([timeout, options.signal]);
  let current = toHttpUrl(url);
  const send = options.send ?? ((target, init) => fetch(target, init));
  const describe = options.secretPath === true ? (u: URL) => u.origin : describeUrl;
  try {
    options.checkHop?.(current);
    const seen = new Set([current.href]);
    const maxRedirects = options.maxRedirects ?? DEFAULT_MAX_REDIRECTS;
    for (let hops = 0; ; hops += 1) {
      const response = await send(current, {
        redirect: "manual",
        signal,
        method: options.method ?? "GET",
        ...(options.body === undefined ? {} : { body: options.body }),
        ...(options.headers === undefined ? {} : { headers: { ...options.headers } }),
      });
      // With maxRedirects 0 a redirect is an answer like any other non-2xx status.
      const follows = maxRedirects > 0 && REDIRECT_STATUSES.has(response.status);
      const location = follows ? response.headers.get("location") : null;
      if (location === null) {
        if (response.status < 200 || response.status > 299) {
          await discard(response);
          throw statusError(response, describe(current));
        }
        const body = await readCapped(response, options.maxBytes, describe(current));
        return {
          status: response.status,
          finalUrl: current.href,
          body,
          contentType: response.headers.get("content-type"),
        };
      }
      await discard(response);
      const next = toHttpUrl(location, current);
      options.checkHop?.(next);
      if (seen.has(next.href) || hops >= maxRedirects) {
        throw new FetchError("FETCH_REDIRECT_LOOP", `http: redirect loop at ${describe(next)}`, {
          hops: hops + 1,
          url: describe(next),
        });
      }
      seen.add(next.href);
      current = next;
    }
  } catch (error) {
    throw toFetchError(error, options.signal, timeout, options.timeoutMs, describe(current));
  }
}

function toHttpUrl(input: string, base?: URL): URL {
  let url: URL;
  try {
    url = new URL(input, base);
  } catch (cause) {
    throw new InvalidUrlError("URL_INVALID", "http: invalid url", {}, cause);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new InvalidUrlError("URL_INVALID", `http: scheme not allowed: ${url.protocol}`, {
      scheme: url.protocol,
    });
  }
  return url;
}

/** Origin and path only: queries of WeChat URLs can carry session parameters (key, pass_ticket). */
function describeUrl(url: URL): string {
  return `${url.origin}${url.pathname}`;
}

async function discard(response: Response): Promise<void> {
  await response.body?.cancel().catch(() => undefined);
}

function statusError(response: Response, url: string): FetchError {
  const retryAfter = response.headers.get("retry-after");
  return new FetchError("FETCH_HTTP_STATUS", `http: status ${response.status} from ${url}`, {
    status: response.status,
    url,
    ...(retryAfter === null ? {} : { retryAfter }),
  });
}

function tooLarge(url: string, maxBytes: number): FetchError {
  return new FetchError("FETCH_TOO_LARGE", `http: body over ${maxBytes} bytes from ${url}`, {
    maxBytes,
    url,
  });
}

/** Reads the body, refusing early on a large Content-Length and aborting the stream past the cap. */
async function readCapped(response: Response, maxBytes: number, url: string): Promise<Uint8Array> {
  const declared = Number(response.headers.get("content-length") ?? Number.NaN);
  if (Number.isFinite(declared) && declared > maxBytes) {
    await discard(response);
    throw tooLarge(url, maxBytes);
  }
  if (response.body === null) return new Uint8Array(0);
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel().catch(() => undefined);
      throw tooLarge(url, maxBytes);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks, total);
}

/** Maps whatever fetch threw onto a coded error; typed errors raised above pass through unchanged. */
function toFetchError(
  error: unknown,
  callerSignal: AbortSignal | undefined,
  timeout: AbortSignal,
  timeoutMs: number,
  url: string,
): AppError {
  if (error instanceof AppError) return error;
  // A refusal raised inside the transport (the guarded client's connect-time check) keeps its code.
  if (error instanceof Error && error.cause instanceof AppError) return error.cause;
  if (callerSignal?.aborted === true) return toAbortError(callerSignal.reason, "http", error);
  if (timeout.aborted) {
    return new FetchError("FETCH_TIMEOUT", `http: timeout after ${timeoutMs} ms`, { timeoutMs }, error);
  }
  const cause = error instanceof Error ? error.cause : undefined;
  const code =
    typeof cause === "object" && cause !== null && "code" in cause ? String(cause.code) : undefined;
  return new FetchError(
    "FETCH_NETWORK",
    `http: network error for ${url}${code === undefined ? "" : ` (${code})`}`,
    { url, ...(code === undefined ? {} : { errorCode: code }) },
    error,
  );
}

/**
 * The error for a caller's abort: FETCH_TIMEOUT when the caller's signal timed out (a job deadline),
 * otherwise FETCH_NETWORK with `details.aborted` (shutdown or cancellation; retryable, no page fault).
 */
export function toAbortError(reason: unknown, module: string, cause?: unknown): FetchError {
  if (reason instanceof DOMException && reason.name === "TimeoutError") {
    return new FetchError("FETCH_TIMEOUT", `${module}: caller deadline passed`, { aborted: true }, cause);
  }
  return new FetchError("FETCH_NETWORK", `${module}: aborted by caller`, { aborted: true }, cause);
}
