import { Client, Pool, types, type ClientConfig, type PoolClient } from 'pg';
import type { LiveEvent } from '../api-types';
import { POSTGRES_MIGRATIONS } from './postgres-schema';
import {
  PRUNE_SPAN,
  pruneInSteps,
  StoreUnavailableError,
  type AttemptRecord,
  type AttemptRow,
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
  type QueueDepth,
  type Stats,
  type Store,
  type StoreHealth,
  type StoreNotice,
  type StoreResult,
} from './store';

/** The channel relays NOTIFY each other on. */
const CHANNEL = 'hookbridge';
/** Held while migrations run, so relays starting together take turns ("hook" in ASCII). */
const MIGRATION_LOCK = 0x686f6f6b;
/**
 * Notices carry row ids only (NOTIFY payloads must stay under 8000 bytes; 400 ids of up to 16
 * digits do); a listener reads the rows it is told of.
 */
const NOTICE_IDS = 400;
/**
 * How long committed rows wait to be announced, so one NOTIFY covers many commits. Each NOTIFY is a
 * round trip, and every listening relay (this one too) is woken to read it: every 10 ms (~100 a
 * second) it cost ~12% of intake in a paired A/B; every 50 ms, as little as not announcing at all.
 */
const ANNOUNCE_EVERY_MS = 50;

// Times and ids are BIGINT (milliseconds, serials): numbers, not the strings pg returns by default. Both stay far below 2^53.
const parsers: NonNullable<ClientConfig['types']> = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === types.builtins.INT8 || oid === types.builtins.NUMERIC
      ? (value: string) => Number(value)
      : types.getTypeParser(oid, format ?? 'text')) as NonNullable<ClientConfig['types']>['getTypeParser'],
};

/** Errors that mean "the database cannot be reached now", not "this statement is wrong". */
function isConnectionError(error: unknown): boolean {
  const e = error as { code?: string; message?: string };
  if (typeof e?.code === 'string') {
    if (/^(08|57P)/.test(e.code)) return true; // connection exception, operator intervention (shutdown, starting up)
    if (['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EHOSTUNREACH', 'ECONNABORTED'].includes(e.code)) return true;
  }
  return /Connection terminated|connection timeout|timeout exceeded when trying to connect|Query read timeout|Client has encountered a connection error|not queryable/i.test(
    e?.message ?? '',
  );
}

/** Hides the password of a connection URL, for messages and logs. */
export function redactUrl(url: string): string {
  return url.replace(/\/\/([^:/@]+):[^@]*@/, '//$1:***@');
}

/**
 * Applies the versioned migrations not applied yet, under an advisory lock: relays starting
 * together take turns, and the second finds nothing left to do. Returns the versions applied.
 */
export async function migratePostgres(url: string): Promise<number[]> {
  const client = new Client({ connectionString: url });
  try {
    await client.connect();
  } catch (error) {
    throw new StoreUnavailableError(`could not connect to PostgreSQL at ${redactUrl(url)}: ${(error as Error).message}`);
  }
  try {
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    await client.query(
      'CREATE TABLE IF NOT EXISTS hookbridge_migrations (version INTEGER PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())',
    );
    const done = new Set((await client.query<{ version: number }>('SELECT version FROM hookbridge_migrations')).rows.map((r) => r.version));
    const newest = Math.max(0, ...done);
    if (newest > POSTGRES_MIGRATIONS.length) {
      throw new Error(
        `the database's schema is version ${newest}, newer than this relay knows (${POSTGRES_MIGRATIONS.length}): upgrade the relay`,
      );
    }
    const applied: number[] = [];
    for (const [i, sql] of POSTGRES_MIGRATIONS.entries()) {
      const version = i + 1;
      if (done.has(version)) continue;
      await client.query('BEGIN');
      try {
        await client.query(sql);
        await client.query('INSERT INTO hookbridge_migrations (version) VALUES ($1)', [version]);
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK');
        throw new Error(`migration ${version} failed: ${(error as Error).message}`);
      }
      applied.push(version);
    }
    return applied;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** PostgreSQL's error code for a duplicate key. */
const UNIQUE_VIOLATION = '23505';

/** Batch sizes are rounded up to a power of two: at most 10 sizes (each prepared per connection in at most two forms). */
function bucket(n: number): number {
  return 2 ** Math.ceil(Math.log2(Math.max(1, n)));
}

const storeEventsCache = new Map<string, { name: string; text: string }>();

/**
 * Intake for `size` rows (padding rows are all NULL and dropped), and the name it is prepared
 * under: the events and their deliveries in one statement — one round trip, one commit.
 * `skipStored`: rows whose (source, event id) is stored already are left out (ON CONFLICT);
 * without it such a row fails the statement, which costs less when none is (PostgreSQL checks
 * the key before each speculative insert, and logs each one's confirmation): intake +3.5% in a
 * paired A/B.
 */
function storeEventsStatement(size: number, skipStored: boolean): { name: string; text: string } {
  const name = `hookbridge_store_events_${skipStored ? 'skip_' : ''}${size}`;
  const cached = storeEventsCache.get(name);
  if (cached) return cached;
  const rows = Array.from({ length: size }, (_, i) => {
    const p = (k: number) => `$${i * 10 + k}`;
    return `(${p(1)}::text, ${p(2)}::text, ${p(3)}::text, ${p(4)}::text, ${p(5)}::text, ${p(6)}::bigint, ${p(7)}::text, ${p(8)}::bytea, ${p(9)}::text, ${p(10)}::text)`;
  });
  const text = `WITH input AS (
      SELECT * FROM (VALUES ${rows.join(', ')})
        AS t(source, event_id, provider, type, occurred_at, received_at, headers, body, event, routes) WHERE source IS NOT NULL),
    stored AS (
      INSERT INTO events (source, event_id, provider, type, occurred_at, received_at, headers, body, event)
      SELECT source, event_id, provider, type, occurred_at, received_at, headers, body, event FROM input
      ${skipStored ? 'ON CONFLICT (source, event_id) DO NOTHING ' : ''}RETURNING id, source, event_id, received_at),
    queued AS (
      INSERT INTO deliveries (event_rowid, route, status, next_attempt_at, created_at, updated_at)
      SELECT s.id, route, 'pending', s.received_at, s.received_at, s.received_at
      FROM stored s JOIN input i USING (source, event_id), unnest(string_to_array(i.routes, ' ')) AS route)
    SELECT id, source, event_id FROM stored`;
  storeEventsCache.set(name, { name, text });
  return { name, text };
}

/** A notice from another relay, or undefined for anything else sent on the channel. */
function parseNotice(payload: string): { i: string; e?: number[]; d?: number[] } | undefined {
  let message: unknown;
  try {
    message = JSON.parse(payload);
  } catch {
    return undefined;
  }
  const m = message as { i?: unknown; e?: unknown; d?: unknown };
  const ids = (v: unknown) => v === undefined || (Array.isArray(v) && v.every((x) => Number.isSafeInteger(x)));
  return typeof m?.i === 'string' && ids(m.e) && ids(m.d) ? (m as { i: string; e?: number[]; d?: number[] }) : undefined;
}

export interface PostgresStoreOptions {
  /** This relay's name in notices, so it can tell its own from the others'. */
  instance: string;
  /** Connections in this store's pool. */
  poolSize?: number;
  /** A statement not answered in this long fails as unavailable (and its connection is dropped). Default 30 s. */
  queryTimeoutMs?: number;
}

/**
 * Several relays on one PostgreSQL database: intake commits events with their deliveries in one
 * statement (dedupe by the (source, event id) key holds across relays); claims lease rows with
 * FOR UPDATE SKIP LOCKED, taken in turn per route on its `route_limits` row so a route's concurrency
 * and rate hold across relays; committed rows are announced by NOTIFY (the others' workers wake,
 * their consoles show them). When the database is unreachable, calls fail with
 * StoreUnavailableError and `health()` says so until a call succeeds again.
 */
export class PostgresStore implements Store {
  readonly engine = 'postgres';
  private readonly pool: Pool;
  private readonly listeners: ((notice: StoreNotice) => void)[] = [];
  private listener: Client | undefined;
  private listening = false;
  private closed = false;
  private down: string | undefined;
  private readonly outbox: { e: number[]; d: number[] } = { e: [], d: [] };
  private announcing: NodeJS.Timeout | undefined;

  constructor(
    private readonly url: string,
    private readonly options: PostgresStoreOptions,
  ) {
    this.pool = new Pool({
      connectionString: url,
      max: options.poolSize ?? 8,
      types: parsers,
      // A database that stops answering (hung, or a network that drops packets) must not hold intake forever.
      connectionTimeoutMillis: 5000,
      query_timeout: options.queryTimeoutMs ?? 30_000,
      keepAlive: true,
    });
    // An idle connection dropped by the server (restart, failover) is discarded by the pool; remember the store is down.
    this.pool.on('error', (error) => this.markDown(error));
  }

  private markDown(error: unknown): StoreUnavailableError {
    const message = (error as Error).message || String(error);
    this.down = message;
    return new StoreUnavailableError(`PostgreSQL is unavailable: ${message}`);
  }

  /** One pooled connection for `work`; connection failures become StoreUnavailableError (the caller retries later). */
  private async using<T>(work: (client: PoolClient) => Promise<T>): Promise<T> {
    let client: PoolClient;
    try {
      client = await this.pool.connect();
    } catch (error) {
      throw this.markDown(error);
    }
    let broken: Error | undefined;
    // A checked-out connection that drops emits 'error' besides failing its query: unheard, it would end the process.
    const onError = (error: Error) => {
      broken = error;
      this.markDown(error);
    };
    client.on('error', onError);
    try {
      const result = await work(client);
      this.down = undefined;
      return result;
    } catch (error) {
      if (isConnectionError(error)) {
        broken = error as Error;
        throw this.markDown(error);
      }
      throw error;
    } finally {
      client.off('error', onError);
      client.release(broken);
    }
  }

  /**
   * `name`: a statement prepared once per connection (the relay's hot statements: planning them every time cost more
   * than running them). The values are emptied once answered: V8 tenures node-postgres' per-query objects (nearly all
   * are alive at a young collection), so they die in the old generation and, until a full collection, keep what they
   * point to alive through young ones — a batch's 1.5 KB a row was copied and promoted. Emptied, the rows die young:
   * the relay's CPU a request −18%, intake +7% (paired A/B, relay README).
   */
  private query<R extends object>(sql: string, params: readonly unknown[] = [], name?: string): Promise<R[]> {
    return this.using(async (c) => {
      const values = [...params]; // a copy: intake sends the same parameters again after a unique-key failure
      try {
        return (await c.query<R>({ text: sql, values, ...(name ? { name } : {}) })).rows;
      } finally {
        values.length = 0;
      }
    });
  }

  /**
   * Tells the other relays of committed rows, at most 20 times a second. NOTIFY inside the
   * intake transaction would serialise every commit on PostgreSQL's notify lock (measured: 17% of
   * intake); after the commit it costs one small transaction per flush. A notice lost in a crash
   * costs only latency: the other relays' workers poll.
   */
  private announce(kind: 'e' | 'd', ids: number[]): void {
    if (!ids.length) return;
    this.outbox[kind].push(...ids);
    this.announcing ??= setTimeout(() => void this.flushAnnouncements(), ANNOUNCE_EVERY_MS);
  }

  private async flushAnnouncements(): Promise<void> {
    this.announcing = undefined;
    const messages: string[] = [];
    for (const kind of ['e', 'd'] as const) {
      const ids = this.outbox[kind].splice(0);
      for (let i = 0; i < ids.length; i += NOTICE_IDS)
        messages.push(JSON.stringify({ i: this.options.instance, [kind]: ids.slice(i, i + NOTICE_IDS) }));
    }
    if (messages.length) {
      await this.query(`SELECT pg_notify($1, m) FROM unnest($2::text[]) AS m`, [CHANNEL, messages], 'hookbridge_notify').catch(
        () => undefined, // the store is down: the others' workers poll, their consoles reload on reconnect
      );
    }
  }

  /** Applies pending migrations (under the advisory lock). */
  async open(): Promise<void> {
    try {
      await migratePostgres(this.url);
    } catch (error) {
      if (error instanceof StoreUnavailableError) this.markDown(error);
      throw error;
    }
  }

  /**
   * One statement, so one round trip and one commit: the events and their deliveries; the other
   * relays are told after it committed. A batch holding an event stored before takes a second
   * statement, which leaves it out; duplicates are looked up after, outside it.
   */
  async storeEvents(records: readonly EventRecord[]): Promise<StoreResult[]> {
    // The first of two same-key records in one batch is stored; the second is its duplicate.
    const key = (source: string, eventId: string) => `${source}\u0000${eventId}`;
    const keys = records.map((r) => key(r.source, r.eventId));
    const firstOf = new Map<string, number>();
    const unique: EventRecord[] = [];
    const uniqueKeys: string[] = [];
    records.forEach((r, i) => {
      if (!firstOf.has(keys[i]!)) {
        firstOf.set(keys[i]!, i);
        unique.push(r);
        uniqueKeys.push(keys[i]!);
      }
    });
    // Rows as separate parameters (a body goes as binary bytea, a JSON text as it is), padded to a
    // bucket size so each connection prepares at most a few statements. Arrays (unnest) cost twice as much.
    const size = bucket(unique.length);
    const params: unknown[] = [];
    for (let i = 0; i < size; i++) {
      const r = unique[i];
      if (!r) params.push(null, null, null, null, null, null, null, null, null, null);
      else {
        const body = Buffer.from(r.body.buffer, r.body.byteOffset, r.body.byteLength);
        // Route ids are letters, digits, ".", "-" and "_": a space cannot be part of one.
        params.push(r.source, r.eventId, r.provider, r.type, r.occurredAt, r.receivedAt, r.headers, body, r.event, r.routes.join(' '));
      }
    }
    type Inserted = { id: number; source: string; event_id: string };
    const insert = (skipStored: boolean) => {
      const { name, text } = storeEventsStatement(size, skipStored);
      return this.query<Inserted>(text, params, name);
    };
    let inserted: Inserted[];
    try {
      inserted = await insert(false);
    } catch (error) {
      // A row stored before (a provider's retry, or the same event at another relay): again, leaving such rows out.
      if ((error as { code?: string }).code !== UNIQUE_VIOLATION) throw error;
      inserted = await insert(true);
    }
    this.announce(
      'e',
      inserted.map((r) => r.id),
    );
    const ids = new Map(inserted.map((r) => [key(r.source, r.event_id), r.id]));
    const fresh = new Set(ids.keys());
    // Stored before, by this relay or another (committed: the insert waited for any concurrent writer of the key).
    const seen = unique.filter((_, j) => !ids.has(uniqueKeys[j]!));
    if (seen.length) {
      const found = await this.query<{ id: number; source: string; event_id: string }>(
        `SELECT id, source, event_id FROM events WHERE (source, event_id) IN (SELECT * FROM unnest($1::text[], $2::text[]))`,
        [seen.map((r) => r.source), seen.map((r) => r.eventId)],
      );
      for (const r of found) ids.set(key(r.source, r.event_id), r.id);
    }
    return records.map((r, i): StoreResult => {
      const k = keys[i]!;
      const rowid = ids.get(k)!;
      return fresh.has(k) && firstOf.get(k) === i ? { duplicate: false, rowid, deliveries: r.routes.length } : { duplicate: true, rowid };
    });
  }

  async claim(requests: readonly ClaimRequest[], { now, leaseMs, orphans, instance }: ClaimOptions): Promise<ClaimResult> {
    const lease = now + leaseMs;
    // Route by route, each in one round trip (hookbridge_claim in the schema), in the same order in every relay.
    const wanted = requests.filter((r) => r.want > 0).sort((a, b) => (a.route < b.route ? -1 : a.route > b.route ? 1 : 0));
    if (!wanted.length && !orphans) return { rows: [], more: false };
    const rows: DeliveryRow[] = [];
    let more = false;
    for (const { route, want, concurrency, ratePerSecond } of wanted) {
      const [{ claimed }] = (await this.query<{ claimed: { rows: DeliveryRow[]; more: boolean } }>(
        `SELECT hookbridge_claim($1, $2, $3, $4, $5, $6, $7) AS claimed`,
        [route, want, concurrency, ratePerSecond ?? null, now, lease, instance],
        'hookbridge_claim',
      )) as [{ claimed: { rows: DeliveryRow[]; more: boolean } }];
      rows.push(...claimed.rows);
      more ||= claimed.more;
    }
    if (orphans) {
      const claimed = await this.query<DeliveryRow>(
        `UPDATE deliveries d SET status = 'in_flight', lease_until = $3, leased_by = $4, updated_at = $2
         FROM (SELECT id FROM deliveries WHERE status = 'pending' AND next_attempt_at <= $2 AND NOT (route = ANY($1::text[]))
               LIMIT 16 FOR UPDATE SKIP LOCKED) AS picked
         WHERE d.id = picked.id RETURNING d.*`,
        [requests.map((r) => r.route), now, lease, instance],
      );
      more ||= claimed.length === 16;
      rows.push(...claimed);
    }
    return { rows, more };
  }

  /** One statement: the attempts and each delivery's next state; the other relays are told after. */
  async recordAttempts(records: readonly AttemptRecord[]): Promise<void> {
    if (!records.length) return;
    const col = <T>(f: (r: AttemptRecord) => T) => records.map(f);
    const updated = await this.query<{ id: number }>(
      `WITH input AS (
         SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::bigint[], $4::int[], $5::text[], $6::bigint[], $7::text[], $8::bigint[])
           AS t(id, started_at, duration_ms, status, error, retry_at, outcome, now)),
       logged AS (
         INSERT INTO attempts (delivery_id, attempt, started_at, duration_ms, status, error, retry_at)
         SELECT id, (SELECT COUNT(*) + 1 FROM attempts a WHERE a.delivery_id = input.id), started_at, duration_ms, status, error, retry_at
         FROM input),
       updated AS (
         UPDATE deliveries d SET
           status = CASE input.outcome WHEN 'delivered' THEN 'delivered' WHEN 'retry' THEN 'pending' ELSE 'failed' END,
           attempts = d.attempts + 1,
           last_status = input.status,
           last_error = CASE WHEN input.outcome = 'delivered' THEN NULL ELSE input.error END,
           next_attempt_at = CASE WHEN input.outcome = 'retry' THEN input.retry_at ELSE d.next_attempt_at END,
           lease_until = NULL,
           delivered_at = CASE WHEN input.outcome = 'delivered' THEN input.now ELSE d.delivered_at END,
           updated_at = input.now
         FROM input WHERE d.id = input.id RETURNING d.id)
       SELECT id FROM updated`,
      [
        col((r) => r.delivery.id),
        col((r) => r.attempt.startedAt),
        col((r) => r.attempt.durationMs),
        col((r) => r.attempt.status ?? null),
        col((r) => r.attempt.error ?? null),
        col((r) => (r.outcome.kind === 'retry' ? r.outcome.at : null)),
        col((r) => r.outcome.kind),
        col((r) => r.now),
      ],
      'hookbridge_record_attempts',
    );
    this.announce(
      'd',
      updated.map((r) => r.id),
    );
  }

  async release(ids: readonly number[], at: number, now: number): Promise<void> {
    if (!ids.length) return;
    await this.query(
      `UPDATE deliveries SET status = 'pending', next_attempt_at = $2, lease_until = NULL, updated_at = $3 WHERE id = ANY($1::bigint[]) AND status = 'in_flight'`,
      [ids, at, now],
    );
  }

  async event(rowid: number): Promise<EventRow | undefined> {
    return (await this.query<EventRow>(`SELECT * FROM events WHERE id = $1`, [rowid]))[0];
  }

  events(rowids: readonly number[]): Promise<EventRow[]> {
    // Columns named: a prepared `SELECT *` fails once a later migration adds a column under a running relay.
    return this.query<EventRow>(
      `SELECT id, source, event_id, provider, type, occurred_at, received_at, headers, body, event FROM events WHERE id = ANY($1::bigint[])`,
      [rowids],
      'hookbridge_events',
    );
  }

  /**
   * The earliest pending row of each route, route after route (a skip scan of the pending index: PostgreSQL has none
   * of its own), so the index stays led by the route and a route's claim never walks another route's backlog.
   */
  async nextDueAt(): Promise<number | undefined> {
    const [row] = await this.query<{ at: number | null }>(
      `WITH RECURSIVE routes AS (
         (SELECT route FROM deliveries WHERE status = 'pending' ORDER BY route LIMIT 1)
         UNION ALL
         SELECT (SELECT d.route FROM deliveries d WHERE d.status = 'pending' AND d.route > routes.route ORDER BY d.route LIMIT 1)
         FROM routes WHERE routes.route IS NOT NULL)
       SELECT MIN((SELECT d.next_attempt_at FROM deliveries d WHERE d.status = 'pending' AND d.route = routes.route
                   ORDER BY d.next_attempt_at LIMIT 1)) AS at
       FROM routes WHERE routes.route IS NOT NULL`,
      [],
      'hookbridge_next_due',
    );
    return row?.at ?? undefined;
  }

  /** Each step one statement. */
  prune(before: number): Promise<number> {
    return pruneInSteps(async (from) => {
      const [step]: { first: number; old: boolean; pruned: number }[] = await this.query(
        `WITH first AS (SELECT id, received_at FROM events WHERE id >= $1 ORDER BY id LIMIT 1),
           gone AS (DELETE FROM events e USING first WHERE first.received_at < $3 AND e.id >= first.id AND e.id < first.id + $2
                      AND e.received_at < $3
                      AND NOT EXISTS (SELECT 1 FROM deliveries d WHERE d.event_rowid = e.id AND d.status != 'delivered') RETURNING 1)
         SELECT first.id AS first, first.received_at < $3 AS old, (SELECT COUNT(*) FROM gone)::int AS pruned FROM first`,
        [from, PRUNE_SPAN, before],
      );
      return { pruned: step?.pruned ?? 0, next: step?.old ? step.first + PRUNE_SPAN : undefined };
    });
  }

  async replayEvent(eventRowid: number, now: number): Promise<number> {
    return this.using(
      async (c) =>
        (
          await c.query(
            `UPDATE deliveries SET status = 'pending', attempts = 0, next_attempt_at = $1, lease_until = NULL, delivered_at = NULL, updated_at = $1
             WHERE event_rowid = $2 AND status != 'in_flight'`,
            [now, eventRowid],
          )
        ).rowCount ?? 0,
    );
  }

  async replayFailed(filter: { route?: string; since?: number }, now: number): Promise<number> {
    return this.using(
      async (c) =>
        (
          await c.query(
            `UPDATE deliveries SET status = 'pending', attempts = 0, next_attempt_at = $1, updated_at = $1
             WHERE status = 'failed' AND ($2::text IS NULL OR route = $2) AND ($3::bigint IS NULL OR updated_at >= $3)`,
            [now, filter.route ?? null, filter.since ?? null],
          )
        ).rowCount ?? 0,
    );
  }

  async queueDepth(): Promise<QueueDepth> {
    // One count per status, each over the index that holds only that status's rows.
    const [depth] = await this.query<QueueDepth>(
      `SELECT (SELECT COUNT(*) FROM deliveries WHERE status = 'pending') AS pending,
              (SELECT COUNT(*) FROM deliveries WHERE status = 'in_flight') AS "inFlight",
              (SELECT COUNT(*) FROM deliveries WHERE status = 'failed') AS failed`,
    );
    return depth!;
  }

  listEvents(filter: { source?: string; type?: string; limit: number; beforeId?: number }): Promise<EventSummary[]> {
    return this.query<EventSummary>(
      `SELECT e.id, e.source, e.event_id, e.provider, e.type, e.occurred_at, e.received_at,
              COUNT(d.id) FILTER (WHERE d.status = 'delivered') AS delivered, COUNT(d.id) FILTER (WHERE d.status = 'failed') AS failed,
              COUNT(d.id) FILTER (WHERE d.status IN ('pending', 'in_flight')) AS pending
       FROM events e LEFT JOIN deliveries d ON d.event_rowid = e.id
       WHERE ($1::text IS NULL OR e.source = $1) AND ($2::text IS NULL OR e.type = $2) AND ($3::bigint IS NULL OR e.id < $3)
       GROUP BY e.id ORDER BY e.id DESC LIMIT $4`,
      [filter.source ?? null, filter.type ?? null, filter.beforeId ?? null, filter.limit],
    );
  }

  async findEvents(id: string, source?: string): Promise<EventRow[]> {
    if (/^\d{1,15}$/.test(id)) {
      const row = await this.event(Number(id));
      if (row) return [row];
    }
    return this.query<EventRow>(`SELECT * FROM events WHERE event_id = $1 AND ($2::text IS NULL OR source = $2) ORDER BY id`, [
      id,
      source ?? null,
    ]);
  }

  async deliveriesOf(eventRowid: number): Promise<DeliveryWithAttempts[]> {
    const deliveries = await this.query<DeliveryRow>(`SELECT * FROM deliveries WHERE event_rowid = $1 ORDER BY id`, [eventRowid]);
    const attempts = await this.query<AttemptRow>(`SELECT * FROM attempts WHERE delivery_id = ANY($1::bigint[]) ORDER BY attempt`, [
      deliveries.map((d) => d.id),
    ]);
    return deliveries.map((d) => ({ ...d, attemptsLog: attempts.filter((a) => a.delivery_id === d.id) }));
  }

  listDeliveries(filter: { status?: DeliveryStatus; route?: string; since?: number; limit: number }): Promise<DeliveryListRow[]> {
    return this.query<DeliveryListRow>(
      `SELECT d.*, e.event_id, e.source, e.type FROM deliveries d JOIN events e ON e.id = d.event_rowid
       WHERE ($1::text IS NULL OR d.status = $1) AND ($2::text IS NULL OR d.route = $2) AND ($3::bigint IS NULL OR d.updated_at >= $3)
       ORDER BY d.id DESC LIMIT $4`,
      [filter.status ?? null, filter.route ?? null, filter.since ?? null, filter.limit],
    );
  }

  async stats(since: number): Promise<Stats> {
    const [totals] = await this.query<Stats['totals']>(
      `SELECT (SELECT COUNT(*) FROM events) AS events, COUNT(*) FILTER (WHERE status = 'delivered') AS delivered,
              COUNT(*) FILTER (WHERE status = 'failed') AS failed, COUNT(*) FILTER (WHERE status IN ('pending', 'in_flight')) AS pending
       FROM deliveries`,
    );
    const perMinute = await this.query<Stats['perMinute'][number]>(
      `SELECT (d.updated_at / 60000) * 60000 AS minute, COUNT(*) FILTER (WHERE d.status = 'delivered') AS delivered,
              COUNT(*) FILTER (WHERE d.status = 'failed') AS failed,
              AVG(CASE WHEN d.status = 'delivered' THEN d.delivered_at - e.received_at END)::float8 AS "avgLatencyMs"
       FROM deliveries d JOIN events e ON e.id = d.event_rowid
       WHERE d.updated_at >= $1 AND d.status IN ('delivered', 'failed') GROUP BY minute ORDER BY minute`,
      [since],
    );
    return { totals: totals!, perMinute };
  }

  subscribe(listener: (notice: StoreNotice) => void): void {
    this.listeners.push(listener);
    if (!this.listening) {
      this.listening = true;
      void this.listen();
    }
  }

  /** One connection LISTENs; when it drops it comes back (every second while the database is down), and says the store is up. */
  private async listen(): Promise<void> {
    while (!this.closed) {
      const client = new Client({ connectionString: this.url, connectionTimeoutMillis: 5000, keepAlive: true });
      const ended = new Promise<void>((resolve) => {
        client.once('end', resolve);
        client.on('error', (error) => {
          this.markDown(error);
          resolve();
        });
      });
      client.on('notification', (n) => n.payload && this.dispatch(n.payload));
      try {
        await client.connect();
        await client.query(`LISTEN ${CHANNEL}`);
        this.listener = client;
        this.down = undefined;
        await ended;
      } catch (error) {
        this.markDown(error);
      }
      this.listener = undefined;
      await client.end().catch(() => undefined);
      if (!this.closed) await new Promise((r) => setTimeout(r, 1000).unref());
    }
  }

  /** A notice names rows; listeners get them as the console shows them, read now. */
  private dispatch(payload: string): void {
    const message = parseNotice(payload);
    // Not ours (anyone with access to the database may NOTIFY on the channel), or our own.
    if (!message || message.i === this.options.instance) return;
    const tell = (notices: StoreNotice[]) => {
      for (const notice of notices) for (const listener of this.listeners) listener(notice);
    };
    // If the store is down meanwhile, the console misses these (it reloads its list when it reconnects).
    const ignore = () => undefined;
    if (message.e?.length) {
      this.query<LiveEvent>(
        `SELECT e.id AS rowid, e.source, e.event_id AS "eventId", e.type, e.provider, e.received_at AS "receivedAt",
                (SELECT COUNT(*) FROM deliveries d WHERE d.event_rowid = e.id) AS deliveries
         FROM events e WHERE e.id = ANY($1::bigint[]) ORDER BY e.id`,
        [message.e],
      ).then((rows) => tell(rows.map((event) => ({ instance: message.i, kind: 'event', event }))), ignore);
    }
    if (message.d?.length) {
      this.query<DeliveryRow>(`SELECT * FROM deliveries WHERE id = ANY($1::bigint[]) ORDER BY id`, [message.d]).then(
        (rows) =>
          tell(
            rows.map((d) => ({
              instance: message.i,
              kind: 'delivery',
              delivery: {
                rowid: d.event_rowid,
                deliveryId: d.id,
                route: d.route,
                status: d.status === 'in_flight' ? 'pending' : d.status,
                attempts: d.attempts,
                ...(d.last_status !== null ? { lastStatus: d.last_status } : {}),
                ...(d.last_error !== null ? { error: d.last_error } : {}),
                at: d.updated_at,
              },
            })),
          ),
        ignore,
      );
    }
  }

  health(): StoreHealth {
    if (this.closed) return { ok: false, engine: 'postgres', error: 'closed' };
    return this.down === undefined ? { ok: true, engine: 'postgres' } : { ok: false, engine: 'postgres', error: this.down };
  }

  async close(): Promise<void> {
    if (this.announcing) clearTimeout(this.announcing);
    await this.flushAnnouncements();
    this.closed = true;
    await this.listener?.end().catch(() => undefined);
    await this.pool.end();
  }
}
