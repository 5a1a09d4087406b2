/**
 * Small response and request helpers shared by the route modules: JSON answers and one-line JSON errors
 * (never a stack trace), the content types of the API's answers, and a request
 * body reader with a size cap, so no route buffers an unbounded upload.
 */

import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from "node:http";
import { PAGE_TYPE } from "../publish/output-table.ts";

/** Content types of what the server emits. */
export const CONTENT_TYPE = {
  html: PAGE_TYPE.html,
  markdown: "text/markdown; charset=utf-8",
  json: "application/json; charset=utf-8",
  metrics: "text/plain; version=0.0.4; charset=utf-8",
} as const;

/** Raised by `readBody` when the request body exceeds its cap. */
export class BodyTooLargeError extends Error {}

/** Sends `value` as JSON with `status` (no body on HEAD). */
export function sendJson(
  req: IncomingMessage,
  res: ServerResponse,
  status: number,
  value: unknown,
  headers: OutgoingHttpHeaders = {},
): void {
  const body = Buffer.from(`${JSON.stringify(value)}\n`, "utf8");
  res.writeHead(status, {
    "Content-Type": CONTENT_TYPE.json,
    "Content-Length": body.length,
    "Cache-Control": "no-store",
    "X-Content-Type-Options": "nosniff",
    ...headers,
  });
  res.end(req.method === "HEAD" ? undefined : body);
}

/** Sends `{"error": "<one line>"}` with `status`. */
export function sendError(
  req: IncomingMessage,
  res: ServerResponse,
  status: number,
  message: string,
  headers: OutgoingHttpHeaders = {},
): void {
  sendJson(req, res, status, { error: message.replace(/\s+/g, " ").trim().slice(0, 300) }, headers);
}

/** Sends a plain or typed text body with `status` (no body on HEAD). */
export function sendText(
  req: IncomingMessage,
  res: ServerResponse,
  status: number,
  text: string,
  headers: OutgoingHttpHeaders,
): void {
  const body = Buffer.from(text, "utf8");
  res.writeHead(status, { "Content-Length": body.length, "X-Content-Type-Options": "nosniff", ...headers });
  res.end(req.method === "HEAD" ? undefined : body);
}

/** Reads the whole request body, rejecting with BodyTooLargeError past `maxBytes` (checked early from Content-Length). */
export function readBody(req: IncomingMessage, maxBytes: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers["content-length"] ?? "0");
    if (declared > maxBytes) {
      req.resume();
      reject(new BodyTooLargeError(`body larger than ${maxBytes} bytes`));
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    req.on("data", (chunk: Buffer) => {
      if (done) return;
      size += chunk.length;
      if (size > maxBytes) {
        done = true;
        // Keep draining (and discarding) so the 413 answer can still be written on this socket.
        reject(new BodyTooLargeError(`body larger than ${maxBytes} bytes`));
        return;
      }
      chunks.push(chunk);
    });
    req.on("end", () => {
      if (done) return;
      done = true;
      resolve(Buffer.concat(chunks));
    });
    req.on("error", (err) => {
      if (done) return;
      done = true;
      reject(err);
    });
  });
}
