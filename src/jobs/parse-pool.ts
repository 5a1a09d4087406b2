/**
 * Parses article pages on worker threads, so the event loop of a worker process (lock renewals,
 * `/healthz`, other jobs' I/O) never waits for a parse: a 15 MiB page takes seconds of CPU. Copying a
 * string between threads costs main-thread time too (about 25 ms per MB on a busy machine), so a page
 * goes over in slices with a turn of the event loop between them, and a long body comes back the
 * same way. The pool starts its threads on first use, queues pages while every thread is busy,
 * replaces a thread that dies and fails only the page it held. Errors come back as the same typed
 * AppError (code, details) parseArticle threw, so the retry policy sees no difference.
 */
import { availableParallelism } from "node:os";
import { setImmediate as nextTurn } from "node:timers/promises";
import { Worker } from "node:worker_threads";
import {
  AppError,
  type ErrorCode,
  FetchError,
  InvalidUrlError,
  ParseError,
  StoreError,
  WeChatPageError,
} from "../errors.ts";
import type { ParsedArticle } from "../model.ts";
import { locateContent } from "../parsers/content-slice.ts";
import { type ParseArticleOptions, parseArticle } from "../parsers/wechat-article.ts";

/** Characters per message between threads: a few milliseconds of copying each. */
export const SLICE_CHARS = 1 << 18;

/** A slice of a page sent to a parse thread; the last one carries the options and starts the parse. */
export type ParseRequest =
  | { readonly kind: "slice"; readonly text: string }
  | { readonly kind: "parse"; readonly text: string; readonly url?: string };

/** An error as data, to cross the thread boundary. */
export interface ParseErrorData {
  readonly name: string;
  readonly code?: ErrorCode;
  readonly message: string;
  readonly details?: Record<string, unknown>;
}

/** A parse thread's messages: body slices, then the article (its content the joined slices) or an error. */
export type ParseReply =
  | { readonly kind: "slice"; readonly text: string }
  | { readonly kind: "article"; readonly article: ParsedArticle }
  | { readonly kind: "error"; readonly error: ParseErrorData };

/** parseArticle, off the main thread. */
export type ParseArticleAsync = (html: string, options?: ParseArticleOptions) => Promise<ParsedArticle>;

/** A pool of parse threads. */
export interface ParsePool {
  readonly parseArticle: ParseArticleAsync;
  /** Ends every thread; pages not parsed yet are rejected. */
  close(): Promise<void>;
}

interface Task {
  readonly html: string;
  readonly url: string | undefined;
  resolve(article: ParsedArticle): void;
  reject(error: Error): void;
}

interface Slot {
  worker: Worker;
  task: Task | null;
  /** Body slices received for the current task. */
  slices: string[];
}

const ERROR_CLASSES: Readonly<Record<string, typeof AppError>> = {
  WeChatPageError,
  ParseError,
  InvalidUrlError,
  FetchError,
  StoreError,
};

/**
 * The thread's module beside this one, with this file's own extension: `.js` when running compiled
 * from dist/, `.ts` when running the sources under tsx (tests, benchmarks).
 */
const OWN_EXTENSION = import.meta.url.slice(import.meta.url.lastIndexOf("."));
const WORKER_MODULE = new URL(`./parse-worker${OWN_EXTENSION}`, import.meta.url).href;

/** Options of createParsePool. */
export interface ParsePoolOptions {
  readonly threads: number;
  /**
   * Pages whose `#js_content` is at most this many characters (and whole pages at most
   * WHOLE_PAGE_FACTOR times that) are parsed on the calling thread: copying a 3 MB page to a thread
   * costs more CPU than parsing it (the parser renders only the body, 60–280 KB in the corpus; the
   * rest of a page is script it scans once), and such a parse takes milliseconds. Default 512 KiB;
   * 0 sends every page to a thread.
   */
  readonly inlineMaxChars?: number;
}

const INLINE_MAX_CHARS = 512 * 1024;
/**
 * Real article pages are 2–3.7 MB, ~97% inline script, and scanning that script is a few
 * milliseconds; 16 × 512 KiB (8 MiB) keeps every such page inline and bounds the scan of a page
 * that is all script. (At 4×, every real page went to a thread: bench:pipeline's http rate fell
 * from 51 to 17–30 articles/s and a worker's CPU per article rose from 29 to 48–61 ms.)
 */
const WHOLE_PAGE_FACTOR = 16;

/** True when a page is cheap enough to parse on the calling thread (see ParsePoolOptions). */
export function isLightPage(html: string, maxChars: number): boolean {
  if (html.length > maxChars * WHOLE_PAGE_FACTOR) return false;
  const range = locateContent(html);
  return range === null || range.end - range.start <= maxChars;
}

/** Threads for a worker process running `concurrency` jobs: one core stays with the event loop. */
export function defaultParseThreads(concurrency: number): number {
  return Math.max(1, Math.min(concurrency, availableParallelism() - 1));
}

/** Posts `text` as slices, yielding to the event loop between them; `last` builds the final message. */
export async function postInSlices<T>(
  text: string,
  post: (message: T) => void,
  slice: (text: string) => T,
  last: (text: string) => T,
): Promise<void> {
  let at = 0;
  while (text.length - at > SLICE_CHARS) {
    // Never split a surrogate pair: a lone half would not survive the copy.
    let end = at + SLICE_CHARS;
    const code = text.charCodeAt(end - 1);
    if (code >= 0xd800 && code <= 0xdbff) end--;
    post(slice(text.slice(at, end)));
    at = end;
    await nextTurn();
  }
  post(last(text.slice(at)));
}

/** Rebuilds the error a parse thread reported. */
function toError(data: ParseErrorData): Error {
  if (data.code === undefined) return new Error(`parse-pool: ${data.message}`);
  const ErrorClass = ERROR_CLASSES[data.name] ?? AppError;
  return new ErrorClass(data.code, data.message, data.details ?? {});
}

/**
 * Starts a parse thread. Compiled JavaScript loads directly. Sources run under tsx's loader, which is
 * registered in the main thread only, so that thread registers it before importing the worker module.
 */
function startThread(): Worker {
  if (OWN_EXTENSION !== ".ts") return new Worker(new URL(WORKER_MODULE));
  const tsx = import.meta.resolve("tsx/esm/api");
  const code = `import(${JSON.stringify(tsx)}).then((api) => { api.register(); return import(${JSON.stringify(WORKER_MODULE)}); });`;
  return new Worker(code, { eval: true });
}

/** Sends `task`'s page to `slot`'s thread in slices. */
function sendTask(slot: Slot, task: Task): void {
  const worker = slot.worker;
  void postInSlices<ParseRequest>(
    task.html,
    (message) => {
      // The thread may have been replaced meanwhile; its task has been failed then.
      if (slot.worker === worker && slot.task === task) worker.postMessage(message);
    },
    (text) => ({ kind: "slice", text }),
    (text) => (task.url === undefined ? { kind: "parse", text } : { kind: "parse", text, url: task.url }),
  );
}

/** Settles `slot`'s task with its thread's final reply (the article's body is the slices joined). */
function settleTask(slot: Slot, reply: Exclude<ParseReply, { kind: "slice" }>): void {
  const task = slot.task;
  const head = slot.slices.join("");
  slot.task = null;
  slot.slices = [];
  if (task === null) return;
  if (reply.kind === "article") task.resolve({ ...reply.article, content: head + reply.article.content });
  else task.reject(toError(reply.error));
}

/** Creates a pool of `threads` parse threads (started on first use). */
export function createParsePool(options: ParsePoolOptions): ParsePool {
  const inlineMaxChars = options.inlineMaxChars ?? INLINE_MAX_CHARS;
  const slots: Slot[] = [];
  const queue: Task[] = [];
  let closed = false;

  const dispatch = (): void => {
    if (closed) return;
    if (slots.length === 0) for (let i = 0; i < Math.max(1, options.threads); i++) slots.push(newSlot());
    for (const slot of slots) {
      if (slot.task !== null) continue;
      const task = queue.shift();
      if (task === undefined) return;
      slot.task = task;
      slot.slices = [];
      sendTask(slot, task);
    }
  };

  function newSlot(): Slot {
    const slot: Slot = { worker: startThread(), task: null, slices: [] };
    watch(slot, slot.worker);
    return slot;
  }

  /** A thread that failed or died is replaced; only the page it held fails (and may be retried). */
  function replace(slot: Slot, reason: string): void {
    const task = slot.task;
    slot.task = null;
    task?.reject(new Error(`parse-pool: parse thread ${reason}`));
    const old = slot.worker;
    slot.worker = startThread();
    watch(slot, slot.worker);
    void old.terminate();
    dispatch();
  }

  function watch(slot: Slot, worker: Worker): void {
    const current = () => !closed && slot.worker === worker;
    worker.on("message", (reply: ParseReply) => {
      if (!current()) return;
      if (reply.kind === "slice") slot.slices.push(reply.text);
      else {
        settleTask(slot, reply);
        dispatch();
      }
    });
    worker.on("error", (error: Error) => {
      if (current()) replace(slot, `failed: ${error.message}`);
    });
    worker.on("exit", (code) => {
      if (current()) replace(slot, `exited with code ${code}`);
    });
  }

  return {
    parseArticle(html, parseOptions = {}) {
      if (closed) return Promise.reject(new Error("parse-pool: closed"));
      if (isLightPage(html, inlineMaxChars)) {
        return new Promise((resolve) => resolve(parseArticle(html, parseOptions)));
      }
      return new Promise<ParsedArticle>((resolve, reject) => {
        queue.push({ html, url: parseOptions.url, resolve, reject });
        dispatch();
      });
    },
    async close() {
      closed = true;
      for (const task of queue.splice(0)) task.reject(new Error("parse-pool: closed"));
      await Promise.all(
        slots.map(async (slot) => {
          const task = slot.task;
          slot.task = null;
          await slot.worker.terminate();
          task?.reject(new Error("parse-pool: closed"));
        }),
      );
    },
  };
}
