/**
 * The status routes: the page at `/` (Chinese by default, English by `?lang=en` or Accept-Language),
 * `/api/status` (the same `Status` as JSON), sign-in and sign-out, and the two actions, "retry now" for
 * a failed article and "poll now" for a source. Actions need the session cookie and the form's CSRF
 * token; they answer with a 303 back to the page (post/redirect/get, so a reload repeats nothing).
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Logger } from "../../logger.ts";
import type { Status } from "../../status/read-status.ts";
import { isSameSecret } from "../auth.ts";
import { BodyTooLargeError, CONTENT_TYPE, readBody, sendError, sendJson, sendText } from "../respond.ts";
import { type Labels, type Lang, labelsFor, pickLang } from "../status/i18n.ts";
import { renderStatusPage } from "../status/page.ts";
import { clearSessionCookie, csrfToken, hasSession, isValidCsrf, sessionCookie } from "../status/session.ts";

/** What the status routes need. */
export interface StatusRouteDeps {
  readStatus(): Promise<Status>;
  /** Re-queues failed article `key` now; false when there is nothing to retry. */
  retryArticle(key: string): Promise<boolean>;
  /** Queues a poll of `sourceId` now; false for an unknown source. */
  pollSource(sourceId: string): Promise<boolean>;
  readonly apiToken: string | undefined;
  /** Cookies get `Secure` when the public URL is https. */
  readonly secureCookies: boolean;
  readonly logger: Logger;
}

/** The status handlers. */
export interface StatusRoutes {
  page(req: IncomingMessage, res: ServerResponse, params: URLSearchParams | null): Promise<void>;
  api(req: IncomingMessage, res: ServerResponse): Promise<void>;
  login(req: IncomingMessage, res: ServerResponse): Promise<void>;
  logout(req: IncomingMessage, res: ServerResponse): Promise<void>;
  retry(req: IncomingMessage, res: ServerResponse): Promise<void>;
  poll(req: IncomingMessage, res: ServerResponse): Promise<void>;
}

const PAGE_HEADERS = {
  "Content-Type": CONTENT_TYPE.html,
  "Cache-Control": "no-store",
  "Referrer-Policy": "no-referrer",
  "Content-Security-Policy":
    "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
};
const NOTICES = ["retried", "notRetried", "polled", "badToken"] as const;
const FORM_MAX_BYTES = 8192;

function redirect(res: ServerResponse, lang: string, done: (typeof NOTICES)[number] | null, cookie?: string) {
  const query = new URLSearchParams({ lang, ...(done === null ? {} : { done }) });
  res.writeHead(303, {
    Location: `/?${query}`,
    "Cache-Control": "no-store",
    ...(cookie ? { "Set-Cookie": cookie } : {}),
  });
  res.end();
}

async function readForm(req: IncomingMessage, res: ServerResponse): Promise<URLSearchParams | null> {
  try {
    return new URLSearchParams((await readBody(req, FORM_MAX_BYTES)).toString("utf8"));
  } catch (err) {
    if (!(err instanceof BodyTooLargeError)) throw err;
    sendError(req, res, 413, "form too large");
    return null;
  }
}

const langOf = (form: URLSearchParams): Lang => (form.get("lang") === "en" ? "en" : "zh");

/** Renders the status page in the asked language, with the sign-in state and a notice after an action. */
async function sendStatusPage(
  deps: StatusRouteDeps,
  req: IncomingMessage,
  res: ServerResponse,
  params: URLSearchParams | null,
): Promise<void> {
  const { apiToken } = deps;
  const lang = pickLang(params?.get("lang"), req.headers["accept-language"]);
  const labels: Labels = labelsFor(lang);
  const done = params?.get("done");
  const notice = NOTICES.find((n) => n === done);
  const signedIn = apiToken !== undefined && hasSession(req, apiToken);
  const html = renderStatusPage(await deps.readStatus(), {
    lang,
    labels,
    csrf: signedIn ? csrfToken(apiToken) : null,
    canSignIn: apiToken !== undefined,
    notice: notice === undefined ? null : labels[notice],
  });
  sendText(req, res, 200, html, {
    ...PAGE_HEADERS,
    "Content-Language": lang === "zh" ? "zh-CN" : "en",
    Vary: "Accept-Language, Cookie",
  });
}

/** Creates the status routes. */
export function createStatusRoutes(deps: StatusRouteDeps): StatusRoutes {
  const { apiToken } = deps;
  /** The form of a signed-in action with a valid CSRF token, else null (answered 403). */
  const authorizedForm = async (req: IncomingMessage, res: ServerResponse) => {
    const form = await readForm(req, res);
    if (form === null) return null;
    if (
      apiToken === undefined ||
      !hasSession(req, apiToken) ||
      !isValidCsrf(form.get("csrf") ?? "", apiToken)
    ) {
      sendError(req, res, 403, "sign in on the status page first (session or CSRF token missing or invalid)");
      return null;
    }
    return form;
  };

  return {
    page: (req, res, params) => sendStatusPage(deps, req, res, params),

    async api(req, res) {
      sendJson(req, res, 200, await deps.readStatus());
    },

    async login(req, res) {
      const form = await readForm(req, res);
      if (form === null) return;
      const token = form.get("token") ?? "";
      if (apiToken === undefined || token === "" || !isSameSecret(token, apiToken)) {
        deps.logger.warn({}, "status sign-in refused");
        redirect(res, langOf(form), "badToken");
        return;
      }
      redirect(res, langOf(form), null, sessionCookie(apiToken, deps.secureCookies));
    },

    async logout(req, res) {
      const form = await authorizedForm(req, res);
      if (form !== null) redirect(res, langOf(form), null, clearSessionCookie());
    },

    async retry(req, res) {
      const form = await authorizedForm(req, res);
      if (form === null) return;
      const key = form.get("key") ?? "";
      const retried = /^[A-Za-z0-9_-]{1,200}$/.test(key) && (await deps.retryArticle(key));
      deps.logger.info({ articleKey: key, retried }, "retry requested");
      redirect(res, langOf(form), retried ? "retried" : "notRetried");
    },

    async poll(req, res) {
      const form = await authorizedForm(req, res);
      if (form === null) return;
      const sourceId = form.get("source") ?? "";
      if (!(await deps.pollSource(sourceId))) {
        sendError(req, res, 400, `unknown source id: ${sourceId.slice(0, 80)}`);
        return;
      }
      deps.logger.info({ sourceId }, "poll requested");
      redirect(res, langOf(form), "polled");
    },
  };
}
