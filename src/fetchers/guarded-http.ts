/**
 * The one HTTP client for every outbound request that is not a WeChat article fetch: source listings,
 * OPML outlines, album pages, webhooks and other notification targets, the image proxy. It refuses to
 * be an SSRF vector: only http(s), and the address actually connected to must be public unicast unless
 * the request's `host:port` is in `fetch.allowedPrivateHosts`. The check runs in the socket connector
 * of its own undici Agent, on every address the name resolves to, so a DNS answer that changes between
 * a check and the connect (rebinding) cannot slip past; literal-IP hosts are also refused before any
 * request, and every redirect hop is re-checked because each hop opens its own connection through the
 * same connector. Refusals are FetchErrors with code FETCH_ADDRESS_DENIED (never retried).
 *
 * Why undici's own `fetch` and `Agent` rather than Node's global fetch with a `dispatcher`: the global
 * fetch is bundled undici 6 in Node 20, and handing it an Agent from another undici major mixes two
 * handler protocols; using fetch and Agent from one package keeps them in step.
 */

import { lookup as dnsLookup, type LookupAddress } from "node:dns";
import type { LookupFunction } from "node:net";
import { Agent, buildConnector, fetch as undiciFetch } from "undici";
import type { Config } from "../config/schema.ts";
import { FetchError, InvalidUrlError } from "../errors.ts";
import { fetchBytes, fetchText, type HttpFetchOptions, type HttpResult, type SendRequest } from "./http.ts";
import { classifyAddress, isIpLiteral, parseHostKey, toHostKey } from "./ip-class.ts";
import { toOrigin, WECHAT_ORIGIN } from "./url-guard.ts";

/** Settings of the guarded client (config `fetch.*`). */
export interface GuardedHttpSettings {
  /** `host:port` pairs that may be private addresses (config `fetch.allowedPrivateHosts`). */
  readonly allowedPrivateHosts: readonly string[];
  /** Default budget of one exchange, redirects and body included. */
  readonly timeoutMs: number;
  /** Default body cap in bytes. */
  readonly maxBytes: number;
  /** Default User-Agent header. */
  readonly userAgent: string;
}

/** Per-request options; unset values fall back to the client's settings. */
export interface GuardedRequestOptions {
  readonly headers?: Readonly<Record<string, string>>;
  readonly signal?: AbortSignal;
  readonly timeoutMs?: number;
  readonly maxBytes?: number;
  /** Redirects followed (default 5); 0 answers a redirect as a FETCH_HTTP_STATUS error. */
  readonly maxRedirects?: number;
  /** An extra rule for the first URL and every redirect hop (e.g. an exact origin); throws to refuse. */
  readonly checkHop?: (url: URL) => void;
}

/** The guarded client. */
export interface GuardedHttp {
  /** GETs `url` and decodes the body as UTF-8. */
  fetchText(url: string, options?: GuardedRequestOptions): Promise<HttpResult<string>>;
  /** GETs `url` and returns the body bytes. */
  fetchBytes(url: string, options?: GuardedRequestOptions): Promise<HttpResult<Uint8Array>>;
  /**
   * POSTs `payload` as JSON; never follows redirects (a POST body must not wander), and errors name
   * the URL's origin only because chat webhooks carry their key in the path or query.
   */
  postJson(url: string, payload: unknown, options?: GuardedRequestOptions): Promise<HttpResult<string>>;
  /** One request through the guarded connector, for fetchers that run their own redirect loop. */
  readonly send: SendRequest;
  /** Closes the connection pool. */
  close(): Promise<void>;
}

const POST_MAX_BYTES = 1024 * 1024;

/** The FETCH_ADDRESS_DENIED error for `host` resolving to (or being) a non-public `address`. */
function deniedError(hostKey: string, address: string, kind: string): FetchError {
  return new FetchError(
    "FETCH_ADDRESS_DENIED",
    `guard: ${hostKey} is a ${kind} address (${address}); list "${hostKey}" in fetch.allowedPrivateHosts to allow it`,
    { host: hostKey, address, kind },
  );
}

/** A DNS lookup that fails when any address the name resolves to is not public unicast. */
function createCheckedLookup(hostKey: string): LookupFunction {
  return (hostname, options, callback) => {
    dnsLookup(hostname, { ...options, all: true }, (error, addresses: LookupAddress[]) => {
      if (error !== null) return callback(error, "", 0);
      for (const { address } of addresses) {
        const kind = classifyAddress(address);
        if (kind !== null) return callback(deniedError(hostKey, address, kind), "", 0);
      }
      const first = addresses[0];
      if (options.all === true) return (callback as (e: null, a: LookupAddress[]) => void)(null, addresses);
      return callback(null, first?.address ?? "", first?.family ?? 4);
    });
  };
}

/** The socket connector: allowed `host:port` pairs connect as usual, all others through the check. */
function createConnector(allowed: ReadonlySet<string>, timeoutMs: number): buildConnector.connector {
  const plain = buildConnector({ timeout: timeoutMs });
  return (options, callback) => {
    const host = options.hostname.includes(":") ? `[${options.hostname}]` : options.hostname;
    const hostKey = `${host}:${options.port || (options.protocol === "https:" ? "443" : "80")}`;
    if (allowed.has(hostKey)) return plain(options, callback);
    if (isIpLiteral(host)) {
      const kind = classifyAddress(host);
      if (kind !== null) return callback(deniedError(hostKey, host, kind), null);
      return plain(options, callback);
    }
    // A connector per name is cheap, and it lets the refusal name the host the request was for.
    return buildConnector({ timeout: timeoutMs, lookup: createCheckedLookup(hostKey) })(options, callback);
  };
}

/**
 * The client settings of a configuration's `fetch` section. The allow list gains a non-default WeChat
 * origin: the operator pointed WeChat traffic at a mock or relay on purpose, and album pages go there.
 */
export function toGuardedHttpSettings(
  fetch: Pick<Config["fetch"], "allowedPrivateHosts" | "origin" | "timeoutMs" | "maxBytes" | "userAgent">,
): GuardedHttpSettings {
  const origin = toOrigin(fetch.origin);
  const extra = origin === WECHAT_ORIGIN ? [] : [toHostKey(new URL(origin))];
  return {
    allowedPrivateHosts: [...fetch.allowedPrivateHosts, ...extra],
    timeoutMs: fetch.timeoutMs,
    maxBytes: fetch.maxBytes,
    userAgent: fetch.userAgent,
  };
}

/** Creates the guarded client; close it on shutdown. */
export function createGuardedHttp(settings: GuardedHttpSettings): GuardedHttp {
  const allowed = new Set<string>();
  for (const entry of settings.allowedPrivateHosts) {
    const key = parseHostKey(entry);
    if (key === null) throw new InvalidUrlError("URL_INVALID", `guard: not a host:port pair: ${entry}`);
    allowed.add(key);
  }
  const agent = new Agent({ connect: createConnector(allowed, settings.timeoutMs) });
  const send: SendRequest = async (url, init) =>
    // undici's Response is the same WHATWG Response the rest of the code reads; only the typings differ.
    (await undiciFetch(url, { ...(init as object), dispatcher: agent })) as unknown as Response;

  /** Refuses non-http(s) and private literal hosts before anything is sent (the connector re-checks). */
  const checkLiteral = (url: URL): void => {
    if (url.protocol !== "http:" && url.protocol !== "https:") {
      throw new InvalidUrlError("URL_INVALID", `guard: scheme not allowed: ${url.protocol}`);
    }
    const hostKey = toHostKey(url);
    if (allowed.has(hostKey) || !isIpLiteral(url.hostname)) return;
    const kind = classifyAddress(url.hostname);
    if (kind !== null) throw deniedError(hostKey, url.hostname, kind);
  };

  const toOptions = (options: GuardedRequestOptions = {}): HttpFetchOptions => ({
    timeoutMs: options.timeoutMs ?? settings.timeoutMs,
    maxBytes: options.maxBytes ?? settings.maxBytes,
    headers: { "user-agent": settings.userAgent, ...options.headers },
    send,
    checkHop: (url) => {
      checkLiteral(url);
      options.checkHop?.(url);
    },
    ...(options.signal === undefined ? {} : { signal: options.signal }),
    ...(options.maxRedirects === undefined ? {} : { maxRedirects: options.maxRedirects }),
  });

  return {
    fetchText: (url, options) => fetchText(url, toOptions(options)),
    fetchBytes: (url, options) => fetchBytes(url, toOptions(options)),
    postJson: (url, payload, options = {}) =>
      fetchText(url, {
        ...toOptions({ maxBytes: POST_MAX_BYTES, ...options, maxRedirects: 0 }),
        method: "POST",
        body: JSON.stringify(payload),
        headers: {
          "user-agent": "wechat-feed",
          "content-type": "application/json; charset=utf-8",
          ...options.headers,
        },
        secretPath: true,
      }),
    send,
    close: () => agent.close(),
  };
}
