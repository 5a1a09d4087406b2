/**
 * `GET /img?u=<url>&s=<signature>`: the optional signed image proxy (wechat-pages.md section 6). Some
 * feed readers drop `referrerpolicy="no-referrer"`, and WeChat's CDN then answers with a "未经允许不可引用"
 * placeholder; the proxy fetches the image itself with the Referer the CDN accepts. It refuses to be an
 * open proxy: the HMAC must verify (403) and the host must be an exact qpic host (400) before any
 * request leaves. Only `image/*` (not SVG, which can carry script) within the size cap is passed on,
 * with nosniff and a CSP that forbids everything, so a hostile body can never run as a page.
 * The actual fetch is injected (`FetchImage`): production passes the guarded HTTP fetcher, tests a
 * function that points the allowlisted host at a local mock image server.
 */

import type { IncomingMessage, ServerResponse } from "node:http";
import type { Logger } from "../logger.ts";
import { isProxiableImageHost, verifyImageSignature } from "../publish/image-url.ts";
import { computeEtag, isNotModified } from "./http-cache.ts";
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
  /** Timeout of one upstream fetch. Default 15 s. */
  readonly timeoutMs?: number;
}

/** The Referer WeChat's image CDN answers with the real image (wechat-pages.md section 6). */
export const WECHAT_REFERER = "https://mp.weixin.qq.com/";

const DEFAULT_MAX_BYTES = 10 * 1024 * 1024;
const IMAGE_CSP = "default-src 'none'; style-src 'unsafe-inline'; sandbox";

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
  let url: URL;
  try {
    url = new URL(u);
  } catch {
    return { status: 400, reason: "img: not a URL" };
  }
  const web = url.protocol === "https:" || url.protocol === "http:";
  if (!web || url.port !== "" || url.username !== "" || url.password !== "") {
    return { status: 400, reason: "img: only plain http(s) image URLs are proxied" };
  }
  if (!isProxiableImageHost(url.hostname))
    return { status: 400, reason: `img: host not allowed: ${url.hostname}` };
  return { url };
}

/** The media type when it is a raster image type we pass on, else null. */
function toImageType(contentType: string | null): string | null {
  const type = (contentType ?? "").split(";")[0]?.trim().toLowerCase() ?? "";
  return /^image\/[a-z0-9.+-]+$/.test(type) && type !== "image/svg+xml" ? type : null;
}

/** Creates the `/img` handler. */
export function createImageProxyHandler(
  deps: ImageProxyDeps,
): (req: IncomingMessage, res: ServerResponse, params: URLSearchParams) => Promise<void> {
  const maxBytes = deps.maxBytes ?? DEFAULT_MAX_BYTES;
  const timeoutMs = deps.timeoutMs ?? 15_000;
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
    let image: FetchedImage;
    try {
      image = await fetchImage(target.url.href, {
        timeoutMs,
        maxBytes,
        headers: { Referer: WECHAT_REFERER },
      });
    } catch (err) {
      deps.logger.warn({ err, url: target.url.href }, "image fetch failed");
      sendError(req, res, 502, "img: upstream fetch failed");
      return;
    }
    const type = toImageType(image.contentType);
    if (image.status < 200 || image.status > 299 || type === null || image.body.length > maxBytes) {
      deps.logger.warn({ url: target.url.href, status: image.status }, "image refused");
      sendError(req, res, 502, "img: upstream answer is not an image within the size cap");
      return;
    }
    const body = Buffer.from(image.body.buffer, image.body.byteOffset, image.body.byteLength);
    const etag = computeEtag(body);
    const headers = {
      ETag: etag,
      // A signed URL always names the same image, so caches may keep it for a long time.
      "Cache-Control": "public, max-age=604800",
      "X-Content-Type-Options": "nosniff",
      "Content-Security-Policy": IMAGE_CSP,
      "Referrer-Policy": "no-referrer",
      "Cross-Origin-Resource-Policy": "cross-origin",
    };
    if (isNotModified(req, etag, null)) {
      res.writeHead(304, headers);
      res.end();
      return;
    }
    res.writeHead(200, { ...headers, "Content-Type": type, "Content-Length": body.length });
    res.end(req.method === "HEAD" ? undefined : body);
  };
}
