/**
 * The body of a parse thread (parse-pool.ts): collects a page's slices, parses it with parseArticle
 * and posts back the body in slices and then the article, or the error as plain data (class name,
 * code, message, details) so the pool can rethrow the same typed error on the main thread.
 */
import { parentPort } from "node:worker_threads";
import { isAppError } from "../errors.ts";
import { parseArticle } from "../parsers/wechat-article.ts";
import { type ParseReply, type ParseRequest, postInSlices } from "./parse-pool.ts";

const port = parentPort;
if (port === null) throw new Error("parse-worker: must run in a worker thread");
const post = (reply: ParseReply) => port.postMessage(reply);

let slices: string[] = [];

port.on("message", (request: ParseRequest) => {
  slices.push(request.text);
  if (request.kind === "slice") return;
  const html = slices.join("");
  slices = [];
  try {
    const article = parseArticle(html, request.url === undefined ? {} : { url: request.url });
    void postInSlices<ParseReply>(
      article.content,
      post,
      (text) => ({ kind: "slice", text }),
      (text) => ({ kind: "article", article: { ...article, content: text } }),
    );
  } catch (error) {
    post({
      kind: "error",
      error: isAppError(error)
        ? { name: error.name, code: error.code, message: error.message, details: { ...error.details } }
        : { name: "Error", message: error instanceof Error ? error.message : String(error) },
    });
  }
});
