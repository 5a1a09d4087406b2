/**
 * A local OpenAI-compatible chat endpoint (real node:http on 127.0.0.1) for the summarize tests. Every
 * request's shape is checked (POST /v1/chat/completions, `Authorization: Bearer <key>`, JSON with the
 * expected model and a non-empty messages array of {role, content} strings); a request that fails the
 * check gets 400 and is listed in `badRequests`. What it answers is chosen per request by `answer`:
 * a normal answer, slowly, never (hang, until `releaseHung`), 429 with Retry-After, 500, or malformed
 * JSON. Summary requests are told from category requests by their system message.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/** One received request. */
export interface ChatRequest {
  readonly at: number;
  readonly kind: "summary" | "category";
  /** The user message. */
  readonly user: string;
}

/** What to do with one request. */
export type ChatReply =
  | { readonly mode: "ok"; readonly text: string }
  | { readonly mode: "slow"; readonly text: string; readonly ms: number }
  | { readonly mode: "hang" }
  | { readonly mode: "429"; readonly retryAfter: string }
  | { readonly mode: "500" }
  | { readonly mode: "malformed" };

/** The running stand-in. */
export interface ChatStandIn {
  /** The base URL to configure (`…/v1`). */
  readonly baseUrl: string;
  /** `host:port`, for fetch.allowedPrivateHosts. */
  readonly host: string;
  readonly requests: ChatRequest[];
  readonly badRequests: string[];
  /** Requests hanging now. */
  hanging(): number;
  /** Chooses the reply to each request (may be swapped between tests). */
  answer: (request: ChatRequest, index: number) => ChatReply;
  /** Answers every hanging request with `reply`. */
  releaseHung(reply: (request: ChatRequest) => ChatReply): void;
  close(): Promise<void>;
}

function checkShape(req: IncomingMessage, body: string, model: string, apiKey: string): string | ChatRequest {
  if (req.method !== "POST" || req.url !== "/v1/chat/completions") return `${req.method} ${req.url}`;
  if (req.headers.authorization !== `Bearer ${apiKey}`) return "authorization";
  if (!/^application\/json/.test(String(req.headers["content-type"]))) return "content-type";
  let parsed: { model?: unknown; messages?: unknown };
  try {
    parsed = JSON.parse(body) as typeof parsed;
  } catch {
    return "body is not JSON";
  }
  if (parsed.model !== model) return `model ${String(parsed.model)}`;
  const messages = parsed.messages;
  if (!Array.isArray(messages) || messages.length === 0) return "messages";
  for (const m of messages as { role?: unknown; content?: unknown }[]) {
    if (
      !["system", "user", "assistant"].includes(String(m.role)) ||
      typeof m.content !== "string" ||
      m.content === ""
    )
      return "message shape";
  }
  const typed = messages as { role: string; content: string }[];
  const user = typed.find((m) => m.role === "user")?.content ?? "";
  return { at: Date.now(), kind: typed.some((m) => m.role === "system") ? "summary" : "category", user };
}

function reply(res: ServerResponse, r: ChatReply): void {
  const json = (text: string) =>
    JSON.stringify({
      id: "x",
      object: "chat.completion",
      choices: [{ index: 0, message: { role: "assistant", content: text }, finish_reason: "stop" }],
    });
  if (r.mode === "ok") res.writeHead(200, { "content-type": "application/json" }).end(json(r.text));
  else if (r.mode === "slow")
    setTimeout(() => res.writeHead(200, { "content-type": "application/json" }).end(json(r.text)), r.ms);
  else if (r.mode === "429") res.writeHead(429, { "retry-after": r.retryAfter }).end("{}");
  else if (r.mode === "500") res.writeHead(500).end("oops");
  else if (r.mode === "malformed")
    res.writeHead(200, { "content-type": "application/json" }).end('{"choices": [{"message": ');
}

/** Starts the stand-in, expecting `model` and bearer `apiKey`. */
export async function startChatStandIn(model: string, apiKey: string): Promise<ChatStandIn> {
  const hung: { res: ServerResponse; request: ChatRequest }[] = [];
  const standIn: ChatStandIn = {
    baseUrl: "",
    host: "",
    requests: [],
    badRequests: [],
    hanging: () => hung.filter((h) => !h.res.writableEnded && !h.res.destroyed).length,
    answer: () => ({ mode: "ok", text: "摘要" }),
    releaseHung(make) {
      for (const h of hung.splice(0)) if (!h.res.destroyed) reply(h.res, make(h.request));
    },
    close: async () => {
      for (const h of hung.splice(0)) h.res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const checked = checkShape(req, Buffer.concat(chunks).toString("utf8"), model, apiKey);
      if (typeof checked === "string") {
        standIn.badRequests.push(checked);
        res.writeHead(400).end(checked);
        return;
      }
      standIn.requests.push(checked);
      const r = standIn.answer(checked, standIn.requests.length - 1);
      if (r.mode === "hang") hung.push({ res, request: checked });
      else reply(res, r);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return Object.assign(standIn, { baseUrl: `http://127.0.0.1:${port}/v1`, host: `127.0.0.1:${port}` });
}
