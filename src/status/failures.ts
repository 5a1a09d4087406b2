/**
 * Failed articles as the status views show them, behind a small read interface that the failed-article
 * records (src/store/failed-articles.ts) satisfy as they are.
 */

/** One failed article, the fields every status view shows. */
export interface FailureView {
  readonly key: string;
  readonly url: string;
  readonly sourceId: string;
  /** Error code, e.g. FETCH_HTTP_STATUS. */
  readonly code: string;
  readonly errorClass: "transient" | "permanent";
  /** One line. */
  readonly reason: string;
  readonly attempts: number;
  /** When it last failed (ms). */
  readonly failedAt: number;
  /** Next automatic retry (ms), null when none is planned. */
  readonly nextRetryAt: number | null;
}

/** Where failed articles are read from (newest first). */
export interface FailureSource {
  listFailures(options: { readonly limit: number }): Promise<readonly FailureView[]>;
  countFailures(): Promise<number>;
}
