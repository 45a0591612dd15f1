import { retryDelay, type DestinationGuard, type HookEvent, type RetryPolicy } from '@hookbridge/core';
import type { Logger } from 'pino';
import type { RelayConfig, RouteConfig } from '../config/schema';
import type { LiveDelivery } from '../api-types';
import type { AttemptRecord, ClaimBudget, DeliveryRow, Storage } from '../storage/db';
import type { Writes } from '../storage/writes';
import { sendTo, type SendOutcome } from './destinations';

export function routePolicy(config: RelayConfig, route?: RouteConfig): RetryPolicy {
  const r = { ...config.retry, ...route?.retry };
  return { retries: r.retries, delaysMs: r.delays, jitter: r.jitter, maxRetryAfterMs: r.maxRetryAfter, timeoutMs: r.timeout };
}

/** Slack allows about one message per second per channel; others are unlimited unless configured. */
function defaultRate(route: RouteConfig): number | undefined {
  return route.ratePerSecond ?? (route.destination.type === 'slack' ? 1 : undefined);
}

const ORPHAN_CLAIM_INTERVAL_MS = 5000;

/**
 * A route's rate as a token bucket: `rate` tokens a second, holding at most one second's worth
 * (at least one), so a quiet route may send a short burst and a busy one keeps to its rate.
 */
class TokenBucket {
  private tokens: number;
  private updatedAt: number;
  constructor(
    private readonly rate: number,
    now: number,
  ) {
    this.tokens = Math.max(1, rate);
    this.updatedAt = now;
  }
  available(now: number): number {
    this.tokens = Math.min(Math.max(1, this.rate), this.tokens + ((now - this.updatedAt) / 1000) * this.rate);
    this.updatedAt = now;
    return Math.floor(this.tokens);
  }
  take(count: number): void {
    this.tokens -= count;
  }
}

/** The metrics a worker moves (the relay's prom-client counters, or a thread's forwarder). */
export interface DeliveryMetrics {
  delivered: { inc(labels: { route: string }): void };
  failed: { inc(labels: { route: string }): void };
  retries: { inc(labels: { route: string }): void };
  latency: { observe(labels: { route: string }, seconds: number): void };
}

/** Where delivery outcomes are announced (the console's live stream). */
export interface DeliveryFeed {
  emit(name: 'delivery', delivery: LiveDelivery): unknown;
}

export interface StoredEvent {
  event: HookEvent;
  source: string;
  receivedAt: number;
}

/**
 * Events intake just stored, so a worker on the main thread (in-memory database) needn't read
 * and parse them back. Bounded; a miss (after a restart, or for an old event) reads SQLite.
 * The delivery thread reads them through its own connection instead.
 */
export class RecentEvents {
  private readonly items = new Map<number, StoredEvent>();
  constructor(private readonly max = 10_000) {}
  set(rowid: number, value: StoredEvent): void {
    if (this.items.size >= this.max) this.items.delete(this.items.keys().next().value as number);
    this.items.set(rowid, value);
  }
  get(rowid: number): StoredEvent | undefined {
    return this.items.get(rowid);
  }
}

export function eventOf(storage: Storage, rowid: number, recent?: RecentEvents): StoredEvent | undefined {
  const cached = recent?.get(rowid);
  if (cached) return cached;
  const row = storage.event(rowid);
  if (!row) return undefined;
  const event = JSON.parse(row.event) as HookEvent;
  event.raw = JSON.parse(row.body.toString('utf8'));
  return { event, source: row.source, receivedAt: row.received_at };
}

/**
 * Picks due deliveries from SQLite, sends each once, and records the attempt with the
 * delivery's next state: delivered, retry at a time (the route's policy, or the
 * destination's Retry-After), or marked failed. Retries live in the database, so a
 * restart resumes them.
 */
export class DeliveryWorker {
  private readonly routes: Map<string, RouteConfig>;
  private readonly running = new Map<number, Promise<void>>();
  /** Attempts under way, per route. */
  private readonly perRoute = new Map<string, number>();
  private orphansClaimedAt = -Infinity;
  /** Rate-limited routes' tokens: spent when their deliveries are claimed. */
  private readonly buckets = new Map<string, TokenBucket>();
  private timer: NodeJS.Timeout | undefined;
  private stopping = false;
  /** After `stop`: the write thread is closing, results of late attempts are not recorded (their lease brings them back). */
  private stopped = false;
  private ticking = false;
  /** A kick arrived while a tick was claiming: tick again right after. */
  private kickedWhileTicking = false;
  /**
   * Whether the queue may hold due work not claimed yet: set by new commits and the poll timer,
   * cleared by a claim that came back short. A freed slot alone does not claim (one claim per
   * commit, not one per finished delivery).
   */
  private queueMayHaveMore = true;
  private wakes = 0;
  /** Writes sent and not yet answered: `stop` waits for them. */
  private readonly writing = new Set<Promise<unknown>>();
  /** Attempt results waiting for the next group commit. */
  private results: AttemptRecord[] = [];
  private flushScheduled = false;
  /** Leased rows not started yet: claiming in chunks keeps write transactions few. */
  private buffer: DeliveryRow[] = [];

  constructor(
    private readonly storage: Storage,
    private readonly writes: Writes,
    private readonly config: RelayConfig,
    private readonly metrics: DeliveryMetrics,
    private readonly logger: Logger,
    private readonly guard: DestinationGuard,
    private readonly print: (line: string) => void,
    private readonly feed?: DeliveryFeed,
    readonly recent = new RecentEvents(),
  ) {
    this.routes = new Map(config.routes.map((r) => [r.id, r]));
  }

  start(): void {
    this.wake();
  }

  /** New work was committed (intake, replay): claim it now rather than at the next poll. */
  wake(): void {
    this.queueMayHaveMore = true;
    this.wakes++;
    this.kick();
  }

  /** Look now (a slot freed, or new work): start buffered deliveries, claim if there may be more. */
  private kick(): void {
    if (this.stopping) return;
    if (this.ticking) {
      this.kickedWhileTicking = true;
      return;
    }
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.tick(), 0);
  }

  get inFlight(): number {
    return this.running.size;
  }

  /** Queues a result; results that finish together are committed together (one fsync). */
  private record(record: AttemptRecord): void {
    this.results.push(record);
    const { delivery, outcome, attempt } = record;
    this.feed?.emit('delivery', {
      rowid: delivery.event_rowid,
      deliveryId: delivery.id,
      route: delivery.route,
      status: outcome.kind === 'retry' ? 'pending' : outcome.kind,
      attempts: delivery.attempts + 1,
      lastStatus: attempt.status,
      error: attempt.error,
      at: record.now,
    });
    if (this.results.length >= 256) this.flush();
    else if (!this.flushScheduled) {
      this.flushScheduled = true;
      // A few milliseconds let results that finish close together share one commit.
      setTimeout(() => this.flush(), 5);
    }
  }

  /** Sends a write to the write thread; failures are logged (the lease makes the delivery come back). */
  private write(what: string, pending: Promise<unknown>): void {
    const tracked = pending.catch((error: unknown) => this.logger.error({ err: error }, `could not ${what}`));
    this.writing.add(tracked);
    void tracked.finally(() => this.writing.delete(tracked));
  }

  private flush(): void {
    this.flushScheduled = false;
    if (this.results.length === 0 || this.stopped) return;
    const batch = this.results;
    this.results = [];
    // Unrecorded attempts stay in flight and are retried after their lease: at least once.
    this.write(`record ${batch.length} delivery results`, this.writes.call('recordAttempts', batch));
  }

  private postpone(id: number, at: number, now: number): void {
    this.write('put a delivery back', this.writes.call('postpone', id, at, now));
  }

  private async tick(): Promise<void> {
    this.timer = undefined;
    if (this.stopping) return;
    this.ticking = true;
    this.kickedWhileTicking = false;
    this.flush();
    try {
      const { concurrency } = this.config.workers;
      if (this.queueMayHaveMore && this.buffer.length < concurrency) {
        const now = Date.now();
        const leaseMs = this.config.retry.timeout * 3 + 60_000;
        const want = concurrency * 2 - this.buffer.length;
        const wakes = this.wakes;
        const budgets = this.budgets(now, want);
        // Deliveries of routes no longer configured: looked for at the first claim and every few seconds after.
        const orphans = now - this.orphansClaimedAt >= ORPHAN_CLAIM_INTERVAL_MS;
        if (orphans) this.orphansClaimedAt = now;
        const rows = await this.writes.call('claim', budgets, now, leaseMs, orphans);
        for (const row of rows) this.buckets.get(row.route)?.take(1);
        // Short: the queue is drained (or what is left waits for its route's rate), unless new work was committed meanwhile.
        const asked = budgets.reduce((n, b) => n + b.limit, 0);
        if (rows.length < asked && this.wakes === wakes) this.queueMayHaveMore = false;
        this.buffer.push(...rows);
      }
      if (this.stopping) {
        // Claimed while stopping: hand them straight back.
        for (const row of this.buffer.splice(0)) this.postpone(row.id, Date.now(), Date.now());
        return;
      }
      // Start what fits, in claim order; a route at its concurrency keeps its rows buffered (leased) until a slot frees.
      const waiting: DeliveryRow[] = [];
      while (this.running.size < concurrency && this.buffer.length) {
        const row = this.buffer.shift()!;
        // Reclaimed after its lease while this process still runs it: one attempt at a time.
        if (this.running.has(row.id)) continue;
        const route = this.routes.get(row.route);
        if (route && (this.perRoute.get(route.id) ?? 0) >= route.concurrency) {
          waiting.push(row);
          continue;
        }
        const job = this.run(row).finally(() => {
          this.running.delete(row.id);
          this.kick();
        });
        this.running.set(row.id, job);
      }
      this.buffer.unshift(...waiting);
    } catch (error) {
      this.logger.error({ err: error }, 'delivery worker could not claim work');
    } finally {
      this.ticking = false;
    }
    if (this.stopping) return;
    if (this.kickedWhileTicking) return this.kick();
    const due = this.storage.db.open ? this.storage.nextDueAt() : undefined;
    const wait =
      due === undefined ? this.config.workers.pollInterval : Math.max(0, Math.min(due - Date.now(), this.config.workers.pollInterval));
    if (this.running.size < this.config.workers.concurrency && this.buffer.length === 0) {
      this.timer = setTimeout(() => {
        // The poll: retries come due with time, not with commits.
        this.queueMayHaveMore = true;
        void this.tick();
      }, wait);
    }
  }

  /**
   * What each route may have claimed now: its free concurrency (attempts under way and rows
   * already buffered count) and, when it is rate-limited, the tokens its bucket holds. A route
   * at its limit is not claimed at all, so its backlog never delays the other routes.
   */
  private budgets(now: number, want: number): ClaimBudget[] {
    const buffered = new Map<string, number>();
    for (const row of this.buffer) buffered.set(row.route, (buffered.get(row.route) ?? 0) + 1);
    const budgets: ClaimBudget[] = [];
    for (const route of this.routes.values()) {
      let limit = Math.max(0, route.concurrency - (this.perRoute.get(route.id) ?? 0) - (buffered.get(route.id) ?? 0));
      const rate = defaultRate(route);
      if (rate !== undefined) {
        let bucket = this.buckets.get(route.id);
        if (!bucket) this.buckets.set(route.id, (bucket = new TokenBucket(rate, now)));
        limit = Math.min(limit, bucket.available(now));
      }
      budgets.push({ route: route.id, limit: Math.min(limit, want) });
    }
    return budgets;
  }

  private async run(row: DeliveryRow): Promise<void> {
    const now = Date.now();
    const route = this.routes.get(row.route);
    if (!route) {
      this.record({
        delivery: row,
        attempt: { startedAt: now, durationMs: 0, error: `route "${row.route}" is no longer configured` },
        outcome: { kind: 'failed' },
        now,
      });
      return;
    }
    // Rate and concurrency were settled when the row was claimed (see `budgets`).
    this.perRoute.set(route.id, (this.perRoute.get(route.id) ?? 0) + 1);
    try {
      await this.attempt(row, route);
    } finally {
      this.perRoute.set(route.id, (this.perRoute.get(route.id) ?? 1) - 1);
    }
  }

  private async attempt(row: DeliveryRow, route: RouteConfig): Promise<void> {
    const stored = eventOf(this.storage, row.event_rowid, this.recent);
    const startedAt = Date.now();
    if (!stored) {
      this.record({
        delivery: row,
        attempt: { startedAt, durationMs: 0, error: 'event no longer stored' },
        outcome: { kind: 'failed' },
        now: startedAt,
      });
      return;
    }
    const policy = routePolicy(this.config, route);
    const outcome: SendOutcome = await sendTo(route.destination, stored.event, route, { policy, guard: this.guard, log: this.print });
    const now = Date.now();
    if (this.stopped) return;
    const attempt = { startedAt, durationMs: now - startedAt, status: outcome.status, error: outcome.error?.message };
    const attemptNumber = row.attempts + 1;
    if (outcome.ok) {
      this.record({ delivery: row, attempt, outcome: { kind: 'delivered' }, now });
      this.metrics.delivered.inc({ route: route.id });
      this.metrics.latency.observe({ route: route.id }, (now - stored.receivedAt) / 1000);
      return;
    }
    const error = outcome.error!;
    if (error.retryable && attemptNumber <= policy.retries) {
      const wait =
        error.retryAfterMs !== undefined ? Math.min(error.retryAfterMs, policy.maxRetryAfterMs) : retryDelay(policy, attemptNumber - 1);
      this.record({ delivery: row, attempt, outcome: { kind: 'retry', at: now + wait }, now });
      this.metrics.retries.inc({ route: route.id });
      this.logger.warn(
        { route: route.id, event: stored.event.id, attempt: attemptNumber, retryInMs: wait, code: error.code, status: error.status },
        'delivery failed, will retry',
      );
      return;
    }
    this.record({ delivery: row, attempt, outcome: { kind: 'failed' }, now });
    this.metrics.failed.inc({ route: route.id });
    this.logger.error(
      { route: route.id, event: stored.event.id, attempts: attemptNumber, code: error.code, status: error.status },
      `delivery failed after ${attemptNumber} attempt${attemptNumber === 1 ? '' : 's'}: ${error.message}`,
    );
    if (route.onFailure) await this.notifyFailure(route, stored.event, stored.source, attemptNumber, error.message);
  }

  /** "failed delivery notifications" in TrackScore's webhook docs: best effort, one attempt, logged either way. */
  private async notifyFailure(route: RouteConfig, event: HookEvent, source: string, attempts: number, reason: string): Promise<void> {
    const notice: HookEvent = {
      id: `failure-${event.id}-${route.id}`,
      provider: 'hookbridge',
      type: 'delivery.failed',
      occurredAt: new Date().toISOString(),
      subject: route.id,
      summary: `Delivery of ${event.type} ${event.id} (source ${source}) to route ${route.id} failed after ${attempts} attempt${attempts === 1 ? '' : 's'}: ${reason}`,
      data: { route: route.id, source, event_id: event.id, event_type: event.type, attempts, error: reason },
      raw: {},
    };
    const outcome = await sendTo(
      route.onFailure!,
      notice,
      { allowMentions: false },
      { policy: routePolicy(this.config, route), guard: this.guard, log: this.print },
    );
    if (!outcome.ok) this.logger.error({ route: route.id, code: outcome.error?.code }, 'failure notification could not be sent');
  }

  /** Stops claiming, waits up to `graceMs` for attempts under way, and releases the rest. */
  async stop(graceMs: number): Promise<void> {
    this.stopping = true;
    if (this.timer) clearTimeout(this.timer);
    const all = Promise.allSettled([...this.running.values()]);
    await Promise.race([all, new Promise((r) => setTimeout(r, graceMs).unref())]);
    this.flush();
    const now = Date.now();
    for (const id of this.running.keys()) this.postpone(id, now, now);
    for (const row of this.buffer.splice(0)) this.postpone(row.id, now, now);
    // A claim under way may still add rows (handed back in tick); then wait for every write.
    while (this.ticking || this.writing.size > 0) {
      await Promise.allSettled([...this.writing]);
      if (this.ticking) await new Promise((r) => setTimeout(r, 5));
    }
    this.stopped = true;
  }
}
