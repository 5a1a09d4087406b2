/**
 * The outcome of one job attempt as the workers report it to observers (metrics, notifications): the
 * same facts as the job's outcome log line, as a value. Observers must not throw; the workers ignore
 * what they return.
 */
import { AppError } from "../errors.ts";

/** One finished job attempt. */
export interface JobOutcome {
  readonly queue: string;
  readonly jobName: string;
  /** The processor's outcome (`stored`, `duplicate`, `polled`, `built`, …) or `error`. */
  readonly outcome: string;
  /** The error code when `outcome` is `error` (`UNEXPECTED` for a non-AppError). */
  readonly code: string | null;
  readonly durationMs: number;
  /** The job's payload and, on success, the processor's result. */
  readonly data: Readonly<Record<string, unknown>>;
  readonly result: Readonly<Record<string, unknown>> | null;
}

/** Receives every job outcome. */
export type JobObserver = (outcome: JobOutcome) => void;

/** Tells `observe` (when any) how `job` of `queue` ended; every worker reports through this. */
export function reportJobOutcome(
  observe: JobObserver | undefined,
  queue: string,
  job: { readonly name: string; readonly data: Readonly<Record<string, unknown>> },
  outcome: string,
  code: string | null,
  durationMs: number,
  result: object | null,
): void {
  observe?.({ queue, jobName: job.name, outcome, code, durationMs, data: job.data, result: { ...result } });
}

/** The stable code of a thrown value. */
export function errorCodeOf(error: unknown): string {
  return error instanceof AppError ? error.code : "UNEXPECTED";
}
