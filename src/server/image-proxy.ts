/**
 * `GET /img?u=<url>&s=<signature>`: the optional signed image proxy (wechat-pages.md section 6). Some
 * feed readers drop `referrerpolicy="no-referrer"`, and WeChat's CDN then answers with a "未经允许不可引用"
 * placeholder; the proxy fetches the image itself with the Referer the CDN accepts. It refuses to be an
 * open proxy: the HMAC must verify (403) and the target must be a plain URL on an exact qpic host (400)
 * before any request leaves; "plain" is checked on the raw text, because URL parsing quietly repairs
 * backslashes, percent-encoded hosts, tabs and explicit ports into something else. Only `image/*` (not
 * SVG, which can carry script) within the size cap is passed on, with nosniff and a CSP that forbids
 * everything, so a hostile body can never run as a page. Upstream fetches are bounded (a semaphore; a
 * request that cannot get a slot in time answers 503), and recent images are kept in a small LRU with
 * their validators, so repeats and conditional requests don't reach the CDN.
 * The actual fetch is injected (`FetchImage`): production passes the guarded HTTP client, tests a
 * function that points the allowlisted host at a local mock image server.
 */

import type { IncomingMessage, ServerResponse } from "node:http";
import { AppError, FetchError } from "../errors.ts";
import { createSemaphore } from "../fetchers/semaphore.ts";
import type { Logger } from "../logger.ts";
import { isProxiableImageHost, verifyImageSignature } from "../publish/image-url.ts";
import { createRepresentation, type Representation } from "../publish/representation.ts";
import { sendRepresentation } from "./http-cache.ts";
import { createImageCache } from "./image-cache.ts";
import { sendError } from "./respond.ts";

/** Options the proxy passes to the image fetch (a subset of the HTTP fetcher's options). */
export interface FetchImageOptions {
  readonly timeoutMs: number;
  readonly maxBytes: number;
  readonly headers: Readonly<Record<string, string>>;
}

/** A successful image response: status, content type and the whole body. */
export interface FetchedImage {
  readonly status: number;
  readonly contentType: string | null;
  readonly body: Uint8Array;
}

/** Fetches one image; throws on transport errors, non-2xx answers and bodies over `maxBytes`. */
export type FetchImage = (url: string, options: FetchImageOptions) => Promise<FetchedImage>;

/** Settings and dependencies of the image proxy route. */
export interface ImageProxyDeps {
  readonly enabled: boolean;
  readonly secret: string | undefined;
  readonly fetchImage: FetchImage | undefined;
  readonly logger: Logger;
  /** Largest image passed on. Default 10 MiB. */
  readonly maxBytes?: number;
  /** Timeout of one upstream fetch, and the longest wait for a fetch slot. Default 15 s. */
  readonly timeoutMs?: number;
  /** Upstream fetches at once. Default 4. */
  readonly concurrency?: number;
  /** Bytes of recent images kept in memory. Default 8 MiB. */
  readonly cacheBytes?: number;
  now?(): Date;
}

/** The Referer WeChat's image CDN answers with the real image (wechat-pages.md section 6). */
export const WECHAT_REFERER = "https://mp.weixin.qq.com/";

const DEFAULT_MAX_BYTES = 10 * 1024 * 1024;
const IMAGE_CSP = "default-src 'none'; style-src 'unsafe-inline'; sandbox";

/**
 * A plain image URL, checked on the raw text: lower-case http(s), a bare host of letters, digits, dots
 * and hyphens (no userinfo, port, percent-encoding or backslash), then a path and query of visible ASCII
 * without backslashes or a fragment.
 */
const PLAIN_IMAGE_URL = /^https?:\/\/([a-z0-9.-]+)(\/[\x21-\x7e]*)?$/;

/** The checked upstream URL, or an HTTP status and reason to refuse with. */
function checkTarget(
  params: URLSearchParams,
  secret: string,
): { readonly url: URL } | { readonly status: number; readonly reason: string } {
  const u = params.get("u");
  const s = params.get("s");
  if (u === null || u === "" || s === null || s === "") {
    return { status: 400, reason: "img: missing u or s parameter" };
  }
  if (!verifyImageSignature(u, s, secret)) return { status: 403, reason: "img: bad signature" };
  const plain = PLAIN_IMAGE_URL.exec(u);
  if (plain === null || /[\\#]/.test(u)) {
    return { status: 400, reason: "img: only plain http(s) image URLs are proxied" };
  }
  const host = plain[1] ?? "";
  if (!isProxiableImageHost(host)) return { status: 400, reason: `img: host not allowed: ${host}` };
  const url = new URL(u);
  // The parser must agree with the raw text, or something was normalised that we did not look at.
  if (url.hostname !== host) return { status: 400, reason: "img: only plain http(s) image URLs are proxied" };
  return { url };
}

/** The media type when it is a raster image type we pass on, else null. */
function toImageType(contentType: string | null): string | null {
  const type = (contentType ?? "").split(";")[0]?.trim().toLowerCase() ?? "";
  return /^image\/[a-z0-9.+-]+$/.test(type) && type !== "image/svg+xml" ? type : null;
}

/** Thrown when no fetch slot freed up in time (answered 503). */
function busyError(): FetchError {
  return new FetchError("FETCH_TIMEOUT", "img: no upstream fetch slot in time", { busy: true });
}

/** Thrown when the upstream answer is not a raster image within the cap (answered 502). */
function notImageError(status: number): FetchError {
  return new FetchError("FETCH_HTTP_STATUS", "img: upstream answer is not an image within the size cap", {
    status,
    notImage: true,
  });
}

/** Creates the `/img` handler. */
export function createImageProxyHandler(
  deps: ImageProxyDeps,
): (req: IncomingMessage, res: ServerResponse, params: URLSearchParams) => Promise<void> {
  const maxBytes = deps.maxBytes ?? DEFAULT_MAX_BYTES;
  const timeoutMs = deps.timeoutMs ?? 15_000;
  const slots = createSemaphore(deps.concurrency ?? 4);
  const cache = createImageCache(deps.cacheBytes ?? 8 * 1024 * 1024);
  const now = deps.now ?? (() => new Date());

  /** Fetches one image under a slot and builds its representation; throws a coded error otherwise. */
  const fetchRepresentation = async (url: URL, fetchImage: FetchImage): Promise<Representation> => {
    const release = await slots.acquire(AbortSignal.timeout(timeoutMs)).catch(() => {
      throw busyError();
    });
    let image: FetchedImage;
    try {
      image = await fetchImage(url.href, { timeoutMs, maxBytes, headers: { Referer: WECHAT_REFERER } });
    } finally {
      release();
    }
    const type = toImageType(image.contentType);
    if (image.status < 200 || image.status > 299 || type === null || image.body.length > maxBytes) {
      throw notImageError(image.status);
    }
    const body = Buffer.from(image.body.buffer, image.body.byteOffset, image.body.byteLength);
    return createRepresentation(body, type, {
      lastModified: now(),
      // A signed URL always names the same image, so caches may keep it for a long time.
      cacheControl: "public, max-age=604800",
      extra: {
        "Content-Security-Policy": IMAGE_CSP,
        "Referrer-Policy": "no-referrer",
        "Cross-Origin-Resource-Policy": "cross-origin",
      },
    });
  };

  return async (req, res, params) => {
    const { secret, fetchImage } = deps;
    if (!deps.enabled || secret === undefined || secret === "" || fetchImage === undefined) {
      sendError(req, res, 404, "img: the image proxy is disabled");
      return;
    }
    const target = checkTarget(params, secret);
    if ("status" in target) {
      sendError(req, res, target.status, target.reason);
      return;
    }
    let rep: Representation;
    try {
      rep = await cache.get(target.url.href, () => fetchRepresentation(target.url, fetchImage));
    } catch (err) {
      const details = err instanceof AppError ? err.details : {};
      if (details.busy === true) {
        sendError(req, res, 503, "img: too many image requests; retry later", { "Retry-After": "5" });
        return;
      }
      deps.logger.warn({ err, url: target.url.href }, "image fetch failed");
      const reason = details.notImage === true ? (err as Error).message : "img: upstream fetch failed";
      sendError(req, res, 502, reason);
      return;
    }
    sendRepresentation(req, res, rep);
  };
}
