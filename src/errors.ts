/**
 * Typed errors with stable string codes. Callers branch on `code`, never on messages or class chains;
 * `jobs/retry-policy.ts` is the only place that maps codes to behaviour.
 */

/** Every error code the application raises. Once released, a code never changes meaning. */
export type ErrorCode =
  | "URL_INVALID"
  | "URL_HOST_DENIED"
  | "URL_NOT_ARTICLE"
  | "FETCH_TIMEOUT"
  | "FETCH_NETWORK"
  | "FETCH_HTTP_STATUS"
  | "FETCH_TOO_LARGE"
  | "FETCH_REDIRECT_LOOP"
  | "FETCH_BROWSER_CRASH"
  | "FETCH_BUDGET_EXHAUSTED"
  | "FETCH_EGRESS_PAUSED"
  | "FETCH_ADDRESS_DENIED"
  | "WECHAT_DELETED"
  | "WECHAT_VIOLATION"
  | "WECHAT_SEND_FAILED"
  | "WECHAT_UNAVAILABLE"
  | "WECHAT_UNDER_REVIEW"
  | "WECHAT_ACCOUNT_BLOCKED"
  | "WECHAT_ACCOUNT_GONE"
  | "WECHAT_ACCOUNT_MIGRATED"
  | "WECHAT_VERIFY_REQUIRED"
  | "WECHAT_LINK_EXPIRED"
  | "WECHAT_NOT_ARTICLE"
  | "WECHAT_UNKNOWN_PAGE"
  | "PARSE_ARTICLE"
  | "PARSE_LISTING"
  | "PARSE_SEED"
  | "STORE_UNAVAILABLE"
  | "STORE_WRITE"
  | "SUMMARIZE_BAD_ANSWER"
  | "CONFIG_INVALID"
  | "STARTUP_FAILED"
  | "USAGE";

/** Base class: a stable `code`, a module-prefixed message, optional details and cause. */
export class AppError extends Error {
  readonly code: ErrorCode;
  readonly details: Readonly<Record<string, unknown>>;

  constructor(code: ErrorCode, message: string, details: Record<string, unknown> = {}, cause?: unknown) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = new.target.name;
    this.code = code;
    this.details = details;
  }
}

/** A URL that is not a WeChat article URL we accept (wrong host, scheme, port, form...). */
export class InvalidUrlError extends AppError {}
/** A transport failure: timeout, network, HTTP status, size cap, redirects, browser crash. */
export class FetchError extends AppError {}
/** A WeChat page that is not an article (deleted, violation, verification...). */
export class WeChatPageError extends AppError {}
/** A page or listing the parser could not make sense of. */
export class ParseError extends AppError {}
/** Redis or the archive could not be read or written. */
export class StoreError extends AppError {}
/** The configuration file or environment is invalid. */
export class ConfigError extends AppError {}
/** The service cannot start here: port in use, bad listen host, unwritable data directory (exit 2). */
export class StartupError extends AppError {}
/** A command-line usage mistake (exit 2). */
export class UsageError extends AppError {}

/** True when `value` is an AppError carrying one of `codes` (or any code when none is given). */
export function isAppError(value: unknown, ...codes: ErrorCode[]): value is AppError {
  return value instanceof AppError && (codes.length === 0 || codes.includes(value.code));
}
