import { defaultSleep } from '../runtime';
import { DeliveryError } from '../errors';
import { DEFAULT_RETRY_POLICY, retryDelay, type RetryPolicy } from './policy';

/** One try, for delivery logs. */
export interface AttemptLog {
  attempt: number;
  startedAt: string;
  durationMs: number;
  status?: number;
  error?: { code: string; message: string };
  /** How long we waited before the next attempt, when there was one. */
  retryInMs?: number;
}

export interface RetryHooks {
  /** Injectable clock, so tests of the 1 s/2 s/4 s schedule run instantly. */
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
  random?: () => number;
  onAttempt?: (log: AttemptLog) => void;
}

export interface RetryOutcome<T> {
  value?: T;
  error?: DeliveryError;
  attempts: AttemptLog[];
}

function asDeliveryError(error: unknown): DeliveryError {
  if (error instanceof DeliveryError) return error;
  return new DeliveryError('network_error', (error as Error)?.message ?? String(error), { retryable: true }, { cause: error });
}

/**
 * Runs `attempt` until it succeeds, fails with a non-retryable `DeliveryError`, or the
 * policy's retries are spent. A `retryAfterMs` on the error (429) replaces the policy's wait.
 */
export async function withRetries<T>(
  attempt: (n: number) => Promise<{ value: T; status?: number }>,
  policy: RetryPolicy = DEFAULT_RETRY_POLICY,
  hooks: RetryHooks = {},
): Promise<RetryOutcome<T>> {
  const sleep = hooks.sleep ?? defaultSleep;
  const now = hooks.now ?? Date.now;
  const attempts: AttemptLog[] = [];
  for (let n = 1; ; n++) {
    const started = now();
    const log: AttemptLog = { attempt: n, startedAt: new Date(started).toISOString(), durationMs: 0 };
    attempts.push(log);
    try {
      const result = await attempt(n);
      log.durationMs = now() - started;
      log.status = result.status;
      hooks.onAttempt?.(log);
      return { value: result.value, attempts };
    } catch (raw) {
      const error = asDeliveryError(raw);
      log.durationMs = now() - started;
      log.status = error.status;
      log.error = { code: error.code, message: error.message };
      const retriesLeft = n <= policy.retries;
      let delay = retryDelay(policy, n - 1, hooks.random);
      // The destination's Retry-After replaces our schedule, capped so one answer can't stall us.
      if (error.retryAfterMs !== undefined) delay = Math.min(error.retryAfterMs, policy.maxRetryAfterMs);
      if (!error.retryable || !retriesLeft) {
        hooks.onAttempt?.(log);
        // Only an error that outlived retries says so; a single try (the relay's queue retries) keeps its own.
        const final =
          error.retryable && n > 1
            ? new DeliveryError(
                'retries_exhausted',
                `Gave up after ${n} attempts: ${error.message}`,
                {
                  status: error.status,
                  retryable: true,
                  retryAfterMs: error.retryAfterMs,
                },
                { cause: error },
              )
            : error;
        return { error: final, attempts };
      }
      log.retryInMs = delay;
      hooks.onAttempt?.(log);
      await sleep(delay);
    }
  }
}
