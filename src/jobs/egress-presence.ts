/**
 * This process's membership in its egress group: a heartbeat into the live-worker registry, and the
 * local pause of its wechat worker while the egress is paused (a verification cool-down or a spent
 * budget). BullMQ's rate limit would pause the one wechat queue for every egress, so the pause is this
 * worker's own (`Worker.pause`); each heartbeat also pauses it when another process of the same egress
 * started a cool-down, so the egress stops taking jobs that other egresses can fetch.
 */
import type { Logger } from "../logger.ts";
import type { EgressState } from "../store/egress-state.ts";
import type { Cooldown } from "../store/source-state.ts";

/** How often a worker reports that it is alive (well within the registry's TTL). */
export const HEARTBEAT_MS = 5_000;

/** The part of a BullMQ worker the presence pauses and resumes. */
export interface PausableWorker {
  /** `doNotWaitActive` must be true: the pause is asked for from inside a running job. */
  pause(doNotWaitActive: boolean): Promise<void>;
  resume(): void;
}

/** What the presence needs. */
export interface EgressPresenceDeps {
  readonly egress: string;
  readonly workerId: string;
  readonly state: Pick<EgressState, "writeHeartbeat" | "removeWorker">;
  readCooldown(egress: string): Promise<Cooldown | null>;
  readonly logger: Logger;
  readonly heartbeatMs?: number;
  now(): number;
}

/** A running presence. */
export interface EgressPresence {
  /** Pauses the local worker for `ms` (extending a running pause, never shortening it). */
  pauseFor(ms: number): Promise<void>;
  /** Whether the local worker is paused now. */
  isPaused(): boolean;
  /** Stops the heartbeat and leaves the registry. */
  stop(): Promise<void>;
}

/** Starts heartbeating for `worker` and returns its pause control. */
export function startEgressPresence(worker: PausableWorker, deps: EgressPresenceDeps): EgressPresence {
  const { egress, workerId, logger } = deps;
  let resumeAt = 0;
  let resumeTimer: NodeJS.Timeout | undefined;

  const pauseFor = async (ms: number) => {
    const until = deps.now() + ms;
    if (until <= resumeAt) return;
    resumeAt = until;
    clearTimeout(resumeTimer);
    resumeTimer = setTimeout(() => {
      resumeAt = 0;
      worker.resume();
      logger.info({ egress }, "egress worker resumed");
    }, ms);
    await worker.pause(true);
    logger.info({ egress, durationMs: ms }, "egress worker paused");
  };

  const beat = async () => {
    const now = deps.now();
    await deps.state.writeHeartbeat(egress, workerId, now);
    const cooldown = await deps.readCooldown(egress);
    if (cooldown !== null && cooldown.until > now) await pauseFor(cooldown.until - now);
  };
  const tick = () => {
    beat().catch((err: unknown) => logger.warn({ egress, err }, "egress heartbeat failed"));
  };
  tick();
  const timer = setInterval(tick, deps.heartbeatMs ?? HEARTBEAT_MS);

  return {
    pauseFor,
    isPaused: () => resumeAt > deps.now(),
    async stop() {
      clearInterval(timer);
      clearTimeout(resumeTimer);
      await deps.state
        .removeWorker(egress, workerId)
        .catch((err: unknown) => logger.warn({ egress, err }, "egress worker not removed"));
    },
  };
}
