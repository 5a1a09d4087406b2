/**
 * Takes a tab's main document out of Chromium's network stack and hands the renderer a stub instead.
 *
 * Why: with JavaScript off the renderer adds nothing the parser needs; the browser fetcher returns the
 * body exactly as the server sent it. Yet building the DOM of a 3 MB WeChat page (inline scripts of
 * hundreds of kB, thousands of nodes) was most of Chromium's memory and CPU per article in
 * `bench:pipeline`. So the document is intercepted at the response stage through the tab's own CDP
 * session (Fetch domain): Chromium still makes the request and follows every redirect itself (its
 * headers, cookies and TLS, through the hop proxy), the body is streamed out with the size cap applied
 * while reading, and the renderer gets a tiny page with the same status and headers, which loads nothing.
 * Responses other than 2xx pass through untouched: redirects must be followed, and error bodies are not
 * used.
 */

import type { BrowserContext, CDPSession, Page } from "playwright";

/**
 * The document the renderer builds in place of the real one: nothing to lay out, no subresources, and
 * an inline icon so Chromium does not ask the origin for /favicon.ico after each article.
 */
const STUB_BASE64 = Buffer.from('<!DOCTYPE html><link rel="icon" href="data:,"><title></title>').toString(
  "base64",
);

/** Headers that describe the real body, not the stub (or would turn the stub into a download). */
const BODY_HEADERS = new Set([
  "content-length",
  "content-encoding",
  "transfer-encoding",
  "content-type",
  "content-disposition",
]);

/** Bytes asked for per IO.read: a 3 MB page takes a few round trips. */
const READ_CHUNK = 1024 * 1024;

/** The main document of a tab that serves one fetch. */
export interface DocumentCapture {
  /** The body of the last 2xx main document, else null. */
  body(): Buffer | null;
}

/** The fields of CDP's Fetch.requestPaused read here. */
interface PausedEvent {
  readonly requestId: string;
  readonly responseStatusCode?: number | undefined;
  readonly responseErrorReason?: string | undefined;
  readonly responseHeaders?: readonly { name: string; value: string }[] | undefined;
}

const declaredLength = (event: PausedEvent): number => {
  const header = event.responseHeaders?.find((h) => h.name.toLowerCase() === "content-length");
  return Number(header?.value ?? 0);
};

/** Reads a paused response's body as a stream; null as soon as it passes `maxBytes`. */
async function readBody(session: CDPSession, requestId: string, maxBytes: number): Promise<Buffer | null> {
  const { stream } = await session.send("Fetch.takeResponseBodyAsStream", { requestId });
  const chunks: Buffer[] = [];
  let total = 0;
  try {
    for (;;) {
      const chunk = await session.send("IO.read", { handle: stream, size: READ_CHUNK });
      const bytes = Buffer.from(chunk.data, chunk.base64Encoded === true ? "base64" : "utf8");
      total += bytes.length;
      if (total > maxBytes) return null;
      chunks.push(bytes);
      if (chunk.eof) return Buffer.concat(chunks, total);
    }
  } finally {
    await session.send("IO.close", { handle: stream }).catch(() => undefined);
  }
}

/**
 * Enables the capture on `page` (a tab of `context`) for as long as the tab lives. A body over `maxBytes`
 * calls `onTooLarge` and fails the request, so the navigation rejects.
 */
export async function captureDocuments(
  context: BrowserContext,
  page: Page,
  limits: { readonly maxBytes: number; readonly onTooLarge: () => void },
): Promise<DocumentCapture> {
  const { maxBytes, onTooLarge } = limits;
  const session = await context.newCDPSession(page);
  let captured: Buffer | null = null;

  const onPaused = async (event: PausedEvent): Promise<void> => {
    const { requestId } = event;
    const status = event.responseStatusCode ?? 0;
    try {
      if (event.responseErrorReason !== undefined || status < 200 || status > 299) {
        await session.send("Fetch.continueRequest", { requestId });
        return;
      }
      const body = declaredLength(event) > maxBytes ? null : await readBody(session, requestId, maxBytes);
      if (body === null) {
        onTooLarge();
        await session.send("Fetch.failRequest", { requestId, errorReason: "BlockedByResponse" });
        return;
      }
      captured = body;
      const headers = (event.responseHeaders ?? []).filter((h) => !BODY_HEADERS.has(h.name.toLowerCase()));
      await session.send("Fetch.fulfillRequest", {
        requestId,
        responseCode: status,
        responseHeaders: [...headers, { name: "content-type", value: "text/html; charset=utf-8" }],
        body: STUB_BASE64,
      });
    } catch {
      // The tab closed (timeout, abort, shutdown) or Chromium refused a command: end the navigation now
      // rather than at the deadline (a no-op when the tab is gone).
      await session.send("Fetch.failRequest", { requestId, errorReason: "Failed" }).catch(() => undefined);
    }
  };

  session.on("Fetch.requestPaused", (event) => void onPaused(event));
  await session.send("Fetch.enable", {
    patterns: [{ urlPattern: "*", resourceType: "Document", requestStage: "Response" }],
  });
  return { body: () => captured };
}
