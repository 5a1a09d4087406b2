/**
 * The gate every WeChat request of a worker passes. WeChat paces and verifies per IP, so the pace is
 * kept per egress group: the gate waits for its egress's next fetch slot (the minimum interval plus a
 * random jitter, granted through Redis to every worker of the egress), then refuses with
 * FETCH_EGRESS_PAUSED while the egress is in its verification cool-down. The retry policy turns the
 * refusal into a pause of this worker; the job goes back to the queue, where a worker of another egress
 * takes it.
 */
import { FetchError } from "../errors.ts";
import type { Cooldown } from "../store/source-state.ts";

/** What the gate needs. */
export interface EgressGateDeps {
  readonly egress: string;
  /** Minimum time between two fetches of the egress; 0 with no jitter turns pacing off. */
  readonly minIntervalMs: number;
  /** Up to this much is added at random to each interval. */
  readonly jitterMs: number;
  /** Grants the egress's next slot (0) or answers the ms until it (`EgressState.claimFetchSlot`). */
  claimFetchSlot(egress: string, gapMs: number): Promise<number>;
  readCooldown(egress: string): Promise<Cooldown | null>;
  random(): number;
  sleep(ms: number): Promise<void>;
  now(): number;
}

/** Waits for the egress's fetch slot; resolves once this caller may send its request. */
async function waitForSlot(deps: EgressGateDeps): Promise<void> {
  if (deps.minIntervalMs <= 0 && deps.jitterMs <= 0) return;
  const gapMs = deps.minIntervalMs + deps.random() * deps.jitterMs;
  for (let waitMs = await deps.claimFetchSlot(deps.egress, gapMs); waitMs > 0; ) {
    await deps.sleep(waitMs);
    waitMs = await deps.claimFetchSlot(deps.egress, gapMs);
  }
}

/** Throws FETCH_EGRESS_PAUSED (with the ms left) while the egress is in its cool-down. */
async function checkNotCoolingDown(deps: EgressGateDeps): Promise<void> {
  const cooldown = await deps.readCooldown(deps.egress);
  const remainingMs = cooldown === null ? 0 : cooldown.until - deps.now();
  if (remainingMs > 0) {
    throw new FetchError("FETCH_EGRESS_PAUSED", `fetch: egress ${deps.egress} is in its cool-down`, {
      retryInMs: remainingMs,
      egress: deps.egress,
    });
  }
}

/** Wraps `fetch` so each call first passes the egress gate. */
export function withEgressGate<A extends unknown[], R>(
  fetch: (...args: A) => Promise<R>,
  deps: EgressGateDeps,
): (...args: A) => Promise<R> {
  return async (...args) => {
    // The cool-down is checked before and after the wait: a slot may be granted to a worker that
    // waited while another worker of the egress met a verification page.
    await checkNotCoolingDown(deps);
    await waitForSlot(deps);
    await checkNotCoolingDown(deps);
    return fetch(...args);
  };
}
