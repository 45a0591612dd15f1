import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import {
  refill,
  type AttemptRecord,
  type ClaimOptions,
  type ClaimRequest,
  type ClaimResult,
  type DeliveryListRow,
  type DeliveryRow,
  type DeliveryStatus,
  type DeliveryWithAttempts,
  type EventRecord,
  type EventRow,
  type EventSummary,
  type AttemptRow,
  type QueueDepth,
  type Stats,
  type PruneStep,
  type StoreResult,
} from './store';

/** Versioned migrations (`user_version`): SQL, or a function for what SQLite cannot say idempotently. */
const MIGRATIONS: (string | ((db: Database.Database) => void))[] = [
  `CREATE TABLE events (
     id INTEGER PRIMARY KEY,
     source TEXT NOT NULL,
     event_id TEXT NOT NULL,
     provider TEXT NOT NULL,
     type TEXT NOT NULL,
     occurred_at TEXT NOT NULL,
     received_at INTEGER NOT NULL,
     headers TEXT NOT NULL,
     body BLOB NOT NULL,
     event TEXT NOT NULL,
     UNIQUE (source, event_id)
   );
   CREATE INDEX events_received ON events (received_at);
   CREATE TABLE deliveries (
     id INTEGER PRIMARY KEY,
     event_rowid INTEGER NOT NULL REFERENCES events (id) ON DELETE CASCADE,
     route TEXT NOT NULL,
     status TEXT NOT NULL,
     attempts INTEGER NOT NULL DEFAULT 0,
     next_attempt_at INTEGER NOT NULL,
     lease_until INTEGER,
     last_status INTEGER,
     last_error TEXT,
     created_at INTEGER NOT NULL,
     updated_at INTEGER NOT NULL,
     delivered_at INTEGER
   );
   CREATE INDEX deliveries_due ON deliveries (status, next_attempt_at);
   CREATE INDEX deliveries_event ON deliveries (event_rowid);
   CREATE TABLE attempts (
     id INTEGER PRIMARY KEY,
     delivery_id INTEGER NOT NULL REFERENCES deliveries (id) ON DELETE CASCADE,
     attempt INTEGER NOT NULL,
     started_at INTEGER NOT NULL,
     duration_ms INTEGER NOT NULL,
     status INTEGER,
     error TEXT,
     retry_at INTEGER
   );
   CREATE INDEX attempts_delivery ON attempts (delivery_id);`,
  // One word for a delivery that gave up, everywhere (CLI, admin API, console, docs): failed.
  `UPDATE deliveries SET status = 'failed' WHERE status = 'dead';`,
  // Claims are made route by route (each within its own rate and concurrency).
  `CREATE INDEX IF NOT EXISTS deliveries_route_due ON deliveries (route, status, next_attempt_at);
   CREATE INDEX IF NOT EXISTS deliveries_due_route ON deliveries (status, next_attempt_at, route);`,
  // Route rates as token buckets kept with the queue (see ClaimRequest).
  `CREATE TABLE IF NOT EXISTS route_limits (route TEXT PRIMARY KEY, tokens REAL NOT NULL, updated_at INTEGER NOT NULL);`,
  // Which relay holds a lease (operators, and the tests of a relay killed mid-delivery).
  (db) => {
    const columns = db.prepare(`SELECT name FROM pragma_table_info('deliveries')`).pluck().all();
    if (!columns.includes('leased_by')) db.exec(`ALTER TABLE deliveries ADD COLUMN leased_by TEXT`);
  },
  // Retention walks events in id order (ids follow arrival), so the index on received_at only cost intake: one more
  // B-tree page rewritten in every commit (intake +2–6% without it in paired A/B, README).
  `DROP INDEX IF EXISTS events_received;`,
];

/**
 * One SQLite connection with the relay's schema, migrations and every query, synchronous
 * (better-sqlite3). The relay reaches it through SqliteStore: the main thread's connection
 * reads and writes, the delivery thread's only reads.
 */
export class SqliteDatabase {
  readonly db: Database.Database;
  private readonly q;
  private readonly storeTransaction: Database.Transaction<(records: readonly EventRecord[]) => StoreResult[]>;
  private readonly attemptsTransaction: Database.Transaction<(records: readonly AttemptRecord[]) => void>;
  private readonly claimTransaction: (requests: readonly ClaimRequest[], options: ClaimOptions) => ClaimResult;

  /**
   * The connection that commits also checkpoints the WAL (SQLite's default, every 1,000 pages): a
   * checkpoint on another connection never catches up with a writer that does not pause, so under
   * sustained intake the WAL grew without bound (300 MB in 8 s measured) and every commit appended
   * to it; started over, commits rewrite the same file blocks, and their fsync is cheaper (bench/relay).
   */
  constructor(path: string, options: { synchronous?: 'full' | 'normal' } = {}) {
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    this.db = new Database(path);
    // A new file only (an existing one keeps its size). 8 KiB pages: fewer WAL frames (and syscalls) per commit;
    // with rows of ~1.4 KiB, 4 KiB pages write fewer bytes but measured slower (bench/relay, README).
    this.db.pragma('page_size = 8192');
    this.db.pragma('journal_mode = WAL');
    // Statement journals (a statement that can fail midway inside a transaction) in memory, not a temporary file.
    this.db.pragma('temp_store = MEMORY');
    this.db.pragma(`journal_size_limit = ${64 * 1024 * 1024}`);
    this.db.pragma(`synchronous = ${options.synchronous === 'normal' ? 'NORMAL' : 'FULL'}`);
    this.db.pragma('foreign_keys = ON');
    this.db.pragma('busy_timeout = 5000');
    this.migrate();
    const db = this.db;
    this.q = {
      insertEvent: db.prepare(
        `INSERT INTO events (source, event_id, provider, type, occurred_at, received_at, headers, body, event)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (source, event_id) DO NOTHING`,
      ),
      findEvent: db.prepare(`SELECT id FROM events WHERE source = ? AND event_id = ?`),
      insertDelivery: db.prepare(
        `INSERT INTO deliveries (event_rowid, route, status, next_attempt_at, created_at, updated_at) VALUES (?, ?, 'pending', ?, ?, ?)`,
      ),
      // A route's due pending deliveries, and its in-flight ones whose lease ran out (their attempt's result
      // was never recorded: a failed write, a stuck attempt) — reclaimed while the relay runs, not only at the
      // next start. Two indexed scans rather than an OR the planner cannot index.
      claimRoute: db.prepare(
        `UPDATE deliveries SET status = 'in_flight', lease_until = @lease, leased_by = @instance, updated_at = @now
         WHERE id IN (SELECT id FROM (
             SELECT id, next_attempt_at AS due FROM deliveries WHERE route = @route AND status = 'pending' AND next_attempt_at <= @now
             UNION ALL
             SELECT id, lease_until AS due FROM deliveries WHERE route = @route AND status = 'in_flight' AND lease_until <= @now
           ) ORDER BY due LIMIT @limit)
         RETURNING *`,
      ),
      // Deliveries of routes no longer configured (the worker marks them failed), a few at a time.
      claimOrphans: db.prepare(
        `UPDATE deliveries SET status = 'in_flight', lease_until = @lease, leased_by = @instance, updated_at = @now
         WHERE id IN (SELECT id FROM deliveries WHERE status = 'pending' AND next_attempt_at <= @now
                      AND route NOT IN (SELECT value FROM json_each(@routes)) LIMIT @limit)
         RETURNING *`,
      ),
      event: db.prepare(`SELECT * FROM events WHERE id = ?`),
      insertAttempt: db.prepare(
        // Numbered from the history, not the budget: a replay starts a new budget and keeps counting (4, 5, …).
        `INSERT INTO attempts (delivery_id, attempt, started_at, duration_ms, status, error, retry_at)
         VALUES (@id, (SELECT COUNT(*) + 1 FROM attempts WHERE delivery_id = @id), @startedAt, @durationMs, @status, @error, @retryAt)`,
      ),
      delivered: db.prepare(
        `UPDATE deliveries SET status = 'delivered', attempts = attempts + 1, last_status = ?, last_error = NULL, lease_until = NULL, delivered_at = ?, updated_at = ? WHERE id = ?`,
      ),
      retry: db.prepare(
        `UPDATE deliveries SET status = 'pending', attempts = attempts + 1, last_status = ?, last_error = ?, next_attempt_at = ?, lease_until = NULL, updated_at = ? WHERE id = ?`,
      ),
      failed: db.prepare(
        `UPDATE deliveries SET status = 'failed', attempts = attempts + 1, last_status = ?, last_error = ?, lease_until = NULL, updated_at = ? WHERE id = ?`,
      ),
      release: db.prepare(
        `UPDATE deliveries SET status = 'pending', next_attempt_at = ?, lease_until = NULL, updated_at = ? WHERE id = ? AND status = 'in_flight'`,
      ),
      leased: db.prepare(`SELECT COUNT(*) AS n FROM deliveries WHERE route = ? AND status = 'in_flight' AND lease_until > ?`),
      bucket: db.prepare(`SELECT tokens, updated_at AS updatedAt FROM route_limits WHERE route = ?`),
      saveBucket: db.prepare(
        `INSERT INTO route_limits (route, tokens, updated_at) VALUES (?, ?, ?) ON CONFLICT (route) DO UPDATE SET tokens = excluded.tokens, updated_at = excluded.updated_at`,
      ),
      recover: db.prepare(`UPDATE deliveries SET status = 'pending', lease_until = NULL WHERE status = 'in_flight'`),
      depth: db.prepare(`SELECT status, COUNT(*) AS n FROM deliveries WHERE status IN ('pending', 'in_flight', 'failed') GROUP BY status`),
      nextDue: db.prepare(`SELECT MIN(next_attempt_at) AS at FROM deliveries WHERE status = 'pending'`),
      firstEventFrom: db.prepare(`SELECT id, received_at AS receivedAt FROM events WHERE id >= ? ORDER BY id LIMIT 1`),
      pruneRange: db.prepare(
        `DELETE FROM events WHERE id >= @from AND id < @to AND received_at < @before
           AND NOT EXISTS (SELECT 1 FROM deliveries d WHERE d.event_rowid = events.id AND d.status != 'delivered')`,
      ),
    };
    this.storeTransaction = db.transaction((records: readonly EventRecord[]) => records.map((r) => this.storeOne(r)));
    this.claimTransaction = db.transaction((requests: readonly ClaimRequest[], options: ClaimOptions) => this.claimAll(requests, options));
    this.attemptsTransaction = db.transaction((records: readonly AttemptRecord[]) => {
      for (const record of records) this.recordOne(record);
    });
  }

  /** Ready from construction (migrations ran then). */
  private migrate(): void {
    const version = this.db.pragma('user_version', { simple: true }) as number;
    for (let v = version; v < MIGRATIONS.length; v++) {
      this.db.transaction(() => {
        const migration = MIGRATIONS[v]!;
        if (typeof migration === 'string') this.db.exec(migration);
        else migration(this.db);
        this.db.pragma(`user_version = ${v + 1}`);
      })();
    }
  }

  /**
   * Stores a batch of verified events and their deliveries in one transaction (group
   * commit; its fsync is shared with others, see LocalWrites). A (source, event id) seen before is a duplicate.
   */
  storeEvents(records: readonly EventRecord[]): StoreResult[] {
    // IMMEDIATE: take the write lock up front, so a second connection waits (busy_timeout) instead of failing.
    return this.storeTransaction.immediate(records);
  }

  private storeOne(r: EventRecord): StoreResult {
    // run() rather than RETURNING: 2 µs less an event (a RETURNING statement buffers its rows).
    const inserted = this.q.insertEvent.run(
      r.source,
      r.eventId,
      r.provider,
      r.type,
      r.occurredAt,
      r.receivedAt,
      r.headers,
      r.body,
      r.event,
    );
    if (inserted.changes === 0) return { duplicate: true, rowid: (this.q.findEvent.get(r.source, r.eventId) as { id: number }).id };
    const rowid = Number(inserted.lastInsertRowid);
    for (const route of r.routes) this.q.insertDelivery.run(rowid, route, r.receivedAt, r.receivedAt, r.receivedAt);
    return { duplicate: false, rowid, deliveries: r.routes.length };
  }

  /**
   * Leases due deliveries route by route, within each route's limits (see ClaimRequest): a route
   * at its limit is simply not claimed (its deliveries stay pending, untouched), so it never holds
   * back the others. Orphans (routes no longer configured) are claimed a few at a time: that query
   * scans the due backlog, so the worker asks for it now and then, not every claim.
   */
  claim(requests: readonly ClaimRequest[], options: ClaimOptions): ClaimResult {
    return this.claimTransaction(requests, options);
  }

  private claimAll(requests: readonly ClaimRequest[], { now, leaseMs, orphans, instance }: ClaimOptions): ClaimResult {
    const lease = now + leaseMs;
    const rows: DeliveryRow[] = [];
    let more = false;
    for (const { route, want, concurrency, ratePerSecond } of requests) {
      if (want <= 0) continue;
      const free = concurrency - (this.q.leased.get(route, now) as { n: number }).n;
      const tokens =
        ratePerSecond === undefined
          ? Infinity
          : refill(this.q.bucket.get(route) as { tokens: number; updatedAt: number } | undefined, ratePerSecond, now);
      const limit = Math.min(want, free, Math.floor(tokens));
      if (limit <= 0) {
        more ||= free <= 0;
        continue;
      }
      const claimed = this.q.claimRoute.all({ route, limit, now, lease, instance }) as DeliveryRow[];
      if (ratePerSecond !== undefined) this.q.saveBucket.run(route, tokens - claimed.length, now);
      more ||= claimed.length === limit && limit < Math.floor(tokens);
      rows.push(...claimed);
    }
    if (orphans) {
      const routes = JSON.stringify(requests.map((r) => r.route));
      const claimed = this.q.claimOrphans.all({ routes, limit: 16, now, lease, instance }) as DeliveryRow[];
      more ||= claimed.length === 16;
      rows.push(...claimed);
    }
    return { rows, more };
  }

  event(rowid: number): EventRow | undefined {
    return this.q.event.get(rowid) as EventRow | undefined;
  }

  /** Records many attempts in one transaction: one fsync for a whole batch of results. */
  recordAttempts(records: readonly AttemptRecord[]): void {
    this.attemptsTransaction.immediate(records);
  }

  private recordOne({ delivery, attempt, outcome, now }: AttemptRecord): void {
    const status = attempt.status ?? null;
    const error = attempt.error ?? null;
    const retryAt = outcome.kind === 'retry' ? outcome.at : null;
    this.q.insertAttempt.run({ id: delivery.id, startedAt: attempt.startedAt, durationMs: attempt.durationMs, status, error, retryAt });
    if (outcome.kind === 'delivered') this.q.delivered.run(status, now, now, delivery.id);
    else if (outcome.kind === 'retry') this.q.retry.run(status, error, outcome.at, now, delivery.id);
    else this.q.failed.run(status, error, now, delivery.id);
  }

  /** Puts claimed deliveries back without counting an attempt (shutdown). */
  release(ids: readonly number[], at: number, now: number): void {
    for (const id of ids) this.q.release.run(at, now, id);
  }

  /** After a crash, leases of the previous process are void: at-least-once, not at-most-once. */
  recoverInFlight(): number {
    return this.q.recover.run().changes;
  }

  queueDepth(): QueueDepth {
    const rows = this.q.depth.all() as { status: DeliveryStatus; n: number }[];
    const get = (s: DeliveryStatus) => rows.find((r) => r.status === s)?.n ?? 0;
    return { pending: get('pending'), inFlight: get('in_flight'), failed: get('failed') };
  }

  nextDueAt(): number | undefined {
    return (this.q.nextDue.get() as { at: number | null }).at ?? undefined;
  }

  /** The WAL's path: next to the file SQLite opened, which for a symbolic link is its target. */
  walPath(): string {
    const main = (this.db.pragma('database_list') as { name: string; file: string }[]).find((d) => d.name === 'main');
    return `${main!.file}-wal`;
  }

  /** One step of retention: see PruneStep. */
  prune(before: number, from: number, span: number): PruneStep {
    const first = this.q.firstEventFrom.get(from) as { id: number; receivedAt: number } | undefined;
    if (!first || first.receivedAt >= before) return { pruned: 0 };
    const to = first.id + span;
    return { pruned: this.q.pruneRange.run({ from: first.id, to, before }).changes, next: to };
  }

  // --- admin queries -------------------------------------------------------------

  listEvents(filter: { source?: string; type?: string; limit: number; beforeId?: number }): EventSummary[] {
    return this.db
      .prepare(
        `SELECT e.id, e.source, e.event_id, e.provider, e.type, e.occurred_at, e.received_at,
                IFNULL(SUM(d.status = 'delivered'), 0) AS delivered, IFNULL(SUM(d.status = 'failed'), 0) AS failed,
                IFNULL(SUM(d.status IN ('pending', 'in_flight')), 0) AS pending
         FROM events e LEFT JOIN deliveries d ON d.event_rowid = e.id
         WHERE (@source IS NULL OR e.source = @source) AND (@type IS NULL OR e.type = @type) AND (@before IS NULL OR e.id < @before)
         GROUP BY e.id ORDER BY e.id DESC LIMIT @limit`,
      )
      .all({
        source: filter.source ?? null,
        type: filter.type ?? null,
        before: filter.beforeId ?? null,
        limit: filter.limit,
      }) as EventSummary[];
  }

  /** Finds an event by internal row id or by the provider's event id (optionally within a source). */
  findEvents(id: string, source?: string): EventRow[] {
    if (/^\d+$/.test(id)) {
      const row = this.event(Number(id));
      if (row) return [row];
    }
    return this.db
      .prepare(`SELECT * FROM events WHERE event_id = ? AND (? IS NULL OR source = ?) ORDER BY id`)
      .all(id, source ?? null, source ?? null) as EventRow[];
  }

  deliveriesOf(eventRowid: number): DeliveryWithAttempts[] {
    const deliveries = this.db.prepare(`SELECT * FROM deliveries WHERE event_rowid = ? ORDER BY id`).all(eventRowid) as DeliveryRow[];
    const attempts = this.db.prepare(`SELECT * FROM attempts WHERE delivery_id = ? ORDER BY attempt`);
    return deliveries.map((d) => ({ ...d, attemptsLog: attempts.all(d.id) as AttemptRow[] }));
  }

  listDeliveries(filter: { status?: DeliveryStatus; route?: string; since?: number; limit: number }): DeliveryListRow[] {
    return this.db
      .prepare(
        `SELECT d.*, e.event_id, e.source, e.type FROM deliveries d JOIN events e ON e.id = d.event_rowid
         WHERE (@status IS NULL OR d.status = @status) AND (@route IS NULL OR d.route = @route) AND (@since IS NULL OR d.updated_at >= @since)
         ORDER BY d.id DESC LIMIT @limit`,
      )
      .all({
        status: filter.status ?? null,
        route: filter.route ?? null,
        since: filter.since ?? null,
        limit: filter.limit,
      }) as DeliveryListRow[];
  }

  /** Replays one event: every delivery of it goes back to pending with a fresh attempt budget; the attempt history stays. */
  replayEvent(eventRowid: number, now: number): number {
    return this.db
      .prepare(
        `UPDATE deliveries SET status = 'pending', attempts = 0, next_attempt_at = ?, lease_until = NULL, delivered_at = NULL, updated_at = ? WHERE event_rowid = ? AND status != 'in_flight'`,
      )
      .run(now, now, eventRowid).changes;
  }

  /** Replays failed deliveries (optionally of one route, since a time). */
  replayFailed(filter: { route?: string; since?: number }, now: number): number {
    return this.db
      .prepare(
        `UPDATE deliveries SET status = 'pending', attempts = 0, next_attempt_at = @now, updated_at = @now
         WHERE status = 'failed' AND (@route IS NULL OR route = @route) AND (@since IS NULL OR updated_at >= @since)`,
      )
      .run({ now, route: filter.route ?? null, since: filter.since ?? null }).changes;
  }

  /** Totals and per-minute delivery counts and latency since `since`, for the console's health view. */
  stats(since: number): Stats {
    const totals = this.db
      .prepare(
        `SELECT (SELECT COUNT(*) FROM events) AS events,
                SUM(status = 'delivered') AS delivered, SUM(status = 'failed') AS failed, SUM(status IN ('pending', 'in_flight')) AS pending
         FROM deliveries`,
      )
      .get() as { events: number; delivered: number | null; failed: number | null; pending: number | null };
    const perMinute = this.db
      .prepare(
        `SELECT (d.updated_at / 60000) * 60000 AS minute, SUM(d.status = 'delivered') AS delivered, SUM(d.status = 'failed') AS failed,
                AVG(CASE WHEN d.status = 'delivered' THEN d.delivered_at - e.received_at END) AS avgLatencyMs
         FROM deliveries d JOIN events e ON e.id = d.event_rowid
         WHERE d.updated_at >= ? AND d.status IN ('delivered', 'failed') GROUP BY minute ORDER BY minute`,
      )
      .all(since) as { minute: number; delivered: number; failed: number; avgLatencyMs: number | null }[];
    return {
      totals: { events: totals.events, delivered: totals.delivered ?? 0, failed: totals.failed ?? 0, pending: totals.pending ?? 0 },
      perMinute,
    };
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}
