/**
 * Serializes and batches output rebuilds. Requests accumulate into one pending plan (a full rebuild
 * flag, a digest flag and the changed article keys); the first request after a quiet period arms a
 * timer (the debounce), and when it fires one build runs with everything gathered so far. Requests that
 * arrive during a build are taken up as soon as it ends, so builds never overlap and a burst of
 * changes costs one or two builds, not one per article.
 */

/** What a rebuild must cover. */
export interface RebuildPlan {
  full: boolean;
  digest: boolean;
  readonly keys: Set<string>;
}

/** A change to fold into the pending plan. */
export interface RebuildRequest {
  readonly full?: boolean;
  readonly digest?: boolean;
  readonly keys?: Iterable<string>;
}

/** The rebuild queue. */
export interface RebuildQueue {
  /** Adds to the pending plan; the build starts `delayMs` after the first request of a batch. */
  request(change: RebuildRequest, delayMs: number): void;
  /** Runs the pending plan now (after any build in flight) and resolves when nothing is pending. */
  flush(): Promise<void>;
  /** Stops scheduling and waits for a build in flight. */
  close(): Promise<void>;
}

const emptyPlan = (): RebuildPlan => ({ full: false, digest: false, keys: new Set() });
const isEmpty = (p: RebuildPlan): boolean => !p.full && !p.digest && p.keys.size === 0;

/** Creates a queue around `build`; a failed build is reported to `onError` and not retried here. */
export function createRebuildQueue(
  build: (plan: RebuildPlan) => Promise<void>,
  onError: (err: unknown) => void,
): RebuildQueue {
  let pending = emptyPlan();
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<void> | null = null;
  let closed = false;

  async function drain(): Promise<void> {
    while (!closed && !isEmpty(pending)) {
      const plan = pending;
      pending = emptyPlan();
      try {
        await build(plan);
      } catch (err) {
        onError(err);
      }
    }
  }

  function run(): Promise<void> {
    running ??= drain().finally(() => {
      running = null;
    });
    return running;
  }

  return {
    request(change, delayMs) {
      if (closed) return;
      pending.full ||= change.full === true;
      pending.digest ||= change.digest === true;
      for (const key of change.keys ?? []) pending.keys.add(key);
      if (timer !== null) return;
      timer = setTimeout(() => {
        timer = null;
        // With a build in flight, its loop takes the new plan up when it ends.
        void run();
      }, delayMs);
      timer.unref();
    },

    async flush() {
      if (timer !== null) {
        clearTimeout(timer);
        timer = null;
      }
      while (running !== null) await running;
      await run();
    },

    async close() {
      closed = true;
      if (timer !== null) clearTimeout(timer);
      await running;
    },
  };
}
