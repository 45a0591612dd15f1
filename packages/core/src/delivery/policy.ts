/** When and how often a failed delivery is tried again. */
export interface RetryPolicy {
  /** Retries after the first attempt. Trakkr's webhook docs: 3. */
  retries: number;
  /** Wait before each retry; past the list's end the last wait doubles. Trakkr's webhook docs: 1 s, 2 s, 4 s. */
  delaysMs: readonly number[];
  /** Spread each wait by up to this fraction either way (0.2 = ±20 %), so many retries don't align. */
  jitter: number;
  /** Longest Retry-After we honour; a longer one ends the retries (the caller can schedule it). */
  maxRetryAfterMs: number;
  /** Per attempt. */
  timeoutMs: number;
}

/** Trakkr's documented rules: 3 retries after 1 s, 2 s, 4 s; 5xx and timeouts retry; 429 waits Retry-After. */
export const DEFAULT_RETRY_POLICY: RetryPolicy = Object.freeze({
  retries: 3,
  delaysMs: Object.freeze([1000, 2000, 4000]),
  jitter: 0,
  maxRetryAfterMs: 60_000,
  timeoutMs: 10_000,
});

export function retryDelay(policy: RetryPolicy, retry: number, random: () => number = Math.random): number {
  const list = policy.delaysMs;
  const base = retry < list.length ? list[retry]! : (list[list.length - 1] ?? 1000) * 2 ** (retry - list.length + 1);
  if (!policy.jitter) return base;
  return Math.max(0, Math.round(base * (1 + policy.jitter * (random() * 2 - 1))));
}

/** Retry-After as seconds or an HTTP date, in milliseconds from `nowMs`; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | null | undefined, nowMs = Date.now()): number | undefined {
  if (value === null || value === undefined || value.trim() === '') return undefined;
  const trimmed = value.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? undefined : Math.max(0, date - nowMs);
}

/** Whether an HTTP status is worth retrying: 408, 429 and 5xx. Other 4xx are final. */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 429 || status >= 500;
}
