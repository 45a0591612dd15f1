import { retryDelay, type DestinationGuard, type HookEvent, type RetryPolicy } from '@hookbridge/core';
import type { Logger } from 'pino';
import type { RelayConfig, RouteConfig } from '../config/schema';
import type { LiveDelivery } from '../api-types';
import {
  eventFromRow,
  liveDelivery,
  type AttemptRecord,
  type ClaimRequest,
  type DeliveryRow,
  type EventRow,
  type Store,
} from '../storage/store';
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
/** While the store cannot be reached, claims back off up to this. */
const MAX_BACKOFF_MS = 5000;

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
 * Events the worker will deliver: handed over by intake when the worker runs on the main thread
 * (in-memory database), else read in one go for each claim. Bounded; a miss reads the store.
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

export async function eventOf(store: Store, rowid: number, recent?: RecentEvents): Promise<StoredEvent | undefined> {
  const cached = recent?.get(rowid);
  if (cached) return cached;
  const row = await store.event(rowid);
  return row && storedEvent(row);
}

/** A stored row as the worker and the admin API use it: the canonical event with its parsed payload (`raw`). */
export function storedEvent(row: EventRow): StoredEvent {
  const raw: unknown = JSON.parse(row.body.toString('utf8'));
  const event: HookEvent = { ...eventFromRow(row.event, raw), raw };
  return { event, source: row.source, receivedAt: row.received_at };
}

/**
 * Picks due deliveries from the store, sends each once, and records the attempt with the
 * delivery's next state: delivered, retry at a time (the route's policy, or the
 * destination's Retry-After), or marked failed. Retries live in the database, so a
 * restart resumes them.
 */
export class DeliveryWorker {
  private readonly routes: Map<string, RouteConfig>;
  /** Each route's limits, as claims ask for them. */
  private readonly limits: Omit<ClaimRequest, 'want'>[];
  private readonly running = new Map<number, Promise<void>>();
  /** Attempts under way, per route. */
  private readonly perRoute = new Map<string, number>();
  private orphansClaimedAt = -Infinity;
  /** Claims that failed in a row (the store is down): the next waits longer. */
  private failures = 0;
  private timer: NodeJS.Timeout | undefined;
  private stopping = false;
  /** After `stop`: the store is closing, results of late attempts are not recorded (their lease brings them back). */
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
    private readonly store: Store,
    /** This relay's instance name, kept on the rows it leases. */
    private readonly instance: string,
    private readonly config: RelayConfig,
    private readonly metrics: DeliveryMetrics,
    private readonly logger: Logger,
    private readonly guard: DestinationGuard,
    private readonly print: (line: string) => void,
    private readonly feed?: DeliveryFeed,
    readonly recent = new RecentEvents(),
  ) {
    this.routes = new Map(config.routes.map((r) => [r.id, r]));
    this.limits = config.routes.map((r) => ({ route: r.id, concurrency: r.concurrency, ratePerSecond: defaultRate(r) }));
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
    this.feed?.emit('delivery', liveDelivery(record));
    if (this.results.length >= 256) this.flush();
    else if (!this.flushScheduled) {
      this.flushScheduled = true;
      // A few milliseconds let results that finish close together share one commit.
      setTimeout(() => this.flush(), 5);
    }
  }

  /** Tracks a write; failures are logged (the lease makes the delivery come back). */
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
    this.write(`record ${batch.length} delivery results`, this.store.recordAttempts(batch));
  }

  private release(ids: number[]): void {
    const now = Date.now();
    if (ids.length) this.write('put deliveries back', this.store.release(ids, now, now));
  }

  private async tick(): Promise<void> {
    this.timer = undefined;
    if (this.stopping) return;
    this.ticking = true;
    this.kickedWhileTicking = false;
    this.flush();
    let due: number | undefined;
    try {
      const { concurrency } = this.config.workers;
      if (this.queueMayHaveMore && this.buffer.length < concurrency) {
        const now = Date.now();
        const wakes = this.wakes;
        // Deliveries of routes no longer configured: looked for at the first claim and every few seconds after.
        const orphans = now - this.orphansClaimedAt >= ORPHAN_CLAIM_INTERVAL_MS;
        const { rows, more } = await this.store.claim(this.requests(concurrency * 2 - this.buffer.length), {
          now,
          leaseMs: this.config.workers.lease ?? this.config.retry.timeout * 3 + 60_000,
          orphans,
          instance: this.instance,
        });
        if (orphans) this.orphansClaimedAt = now;
        await this.prefetch(rows);
        // Drained (or what is left waits for its route's rate), unless new work was committed meanwhile.
        if (!more && this.wakes === wakes) this.queueMayHaveMore = false;
        this.buffer.push(...rows);
      }
      if (this.stopping) {
        // Claimed while stopping: hand them straight back.
        this.release(this.buffer.splice(0).map((row) => row.id));
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
      // Idle: sleep until the next retry comes due (or the poll interval). Asked while still ticking, so a kick meanwhile is not lost.
      if (!this.kickedWhileTicking && this.running.size < concurrency && this.buffer.length === 0) due = await this.store.nextDueAt();
      if (this.failures > 0) this.logger.info('storage answers again: deliveries resume');
      this.failures = 0;
    } catch (error) {
      // Logged once an outage; claims back off (0.1 s, 0.2 s … 5 s) until the store answers again.
      if (this.failures++ === 0) this.logger.error({ err: error }, 'delivery worker could not claim work: retrying with back-off');
    } finally {
      this.ticking = false;
    }
    if (this.stopping) return;
    if (this.failures > 0) return this.poll(Math.min(MAX_BACKOFF_MS, 100 * 2 ** (this.failures - 1)));
    if (this.kickedWhileTicking) return this.kick();
    this.poll(
      due === undefined ? this.config.workers.pollInterval : Math.max(0, Math.min(due - Date.now(), this.config.workers.pollInterval)),
    );
  }

  /** Looks again after `wait` ms (retries come due with time, not with commits), unless busy. */
  private poll(wait: number): void {
    if (this.running.size < this.config.workers.concurrency && this.buffer.length === 0) {
      this.timer = setTimeout(() => {
        // The poll: retries come due with time, not with commits.
        this.queueMayHaveMore = true;
        void this.tick();
      }, wait);
    }
  }

  /** Reads the events of claimed rows in one go (not one read per delivery: a round trip each on PostgreSQL). */
  private async prefetch(rows: readonly DeliveryRow[]): Promise<void> {
    const missing = [...new Set(rows.map((r) => r.event_rowid).filter((rowid) => !this.recent.get(rowid)))];
    if (!missing.length) return;
    try {
      for (const row of await this.store.events(missing)) this.recent.set(row.id, storedEvent(row));
    } catch {
      // Each attempt reads its own event then (and, failing that, waits for its lease).
    }
  }

  /**
   * What to ask of each route: up to `want` rows; the store holds each route to its concurrency
   * and rate across every relay (Slack's default: one message a second per channel).
   */
  private requests(want: number): ClaimRequest[] {
    return this.limits.map((limit) => ({ ...limit, want }));
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
    // Rate and concurrency were settled when the row was claimed (see `requests`).
    this.perRoute.set(route.id, (this.perRoute.get(route.id) ?? 0) + 1);
    try {
      await this.attempt(row, route);
    } finally {
      this.perRoute.set(route.id, (this.perRoute.get(route.id) ?? 1) - 1);
    }
  }

  private async attempt(row: DeliveryRow, route: RouteConfig): Promise<void> {
    let stored: StoredEvent | undefined;
    try {
      stored = await eventOf(this.store, row.event_rowid, this.recent);
    } catch (error) {
      // The store is unreachable: the row stays leased and comes back after its lease.
      this.logger.warn({ err: error, delivery: row.id }, 'could not read the event to deliver; it is retried after its lease');
      return;
    }
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
    this.release([...this.running.keys(), ...this.buffer.splice(0).map((row) => row.id)]);
    // A claim under way may still add rows (handed back in tick); then wait for every write.
    while (this.ticking || this.writing.size > 0) {
      await Promise.allSettled([...this.writing]);
      if (this.ticking) await new Promise((r) => setTimeout(r, 5));
    }
    this.stopped = true;
  }
}
