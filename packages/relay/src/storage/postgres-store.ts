import { Client, Pool, types, type ClientConfig, type PoolClient } from 'pg';
import type { LiveDelivery, LiveEvent } from '../api-types';
import { POSTGRES_MIGRATIONS } from './postgres-schema';
import {
  liveDelivery,
  refill,
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
/** NOTIFY payloads must stay under 8000 bytes. */
const MAX_NOTICE_BYTES = 7000;

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
  return /Connection terminated|connection timeout|Client has encountered a connection error|not queryable/i.test(e?.message ?? '');
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

/** Splits notices into NOTIFY payloads under the size limit. */
function payloads(instance: string, key: 'e' | 'd', items: readonly (LiveEvent | LiveDelivery)[]): string[] {
  const out: string[] = [];
  let chunk: string[] = [];
  let size = 0;
  const flush = () => {
    if (chunk.length) out.push(`{"i":${JSON.stringify(instance)},"${key}":[${chunk.join(',')}]}`);
    chunk = [];
    size = 0;
  };
  for (const item of items) {
    const json = JSON.stringify(item);
    if (size + json.length > MAX_NOTICE_BYTES) flush();
    chunk.push(json);
    size += json.length + 1;
  }
  flush();
  return out;
}

export interface PostgresStoreOptions {
  /** This relay's name in notices, so it can tell its own from the others'. */
  instance: string;
  /** Connections in this store's pool. */
  poolSize?: number;
}

/**
 * Several relays on one PostgreSQL database: intake commits events with their deliveries in one
 * transaction (dedupe by the (source, event id) key holds across relays); claims lease rows with
 * FOR UPDATE SKIP LOCKED, serialised per route on its `route_limits` row so a route's concurrency
 * and rate hold across relays; every commit NOTIFYs the others (their workers wake, their consoles
 * show it). When the database is unreachable, calls fail with StoreUnavailableError and
 * `health()` says so until a call succeeds again.
 */
export class PostgresStore implements Store {
  readonly engine = 'postgres';
  private readonly pool: Pool;
  private readonly listeners: ((notice: StoreNotice) => void)[] = [];
  private listener: Client | undefined;
  private listening = false;
  private closed = false;
  private down: string | undefined;

  constructor(
    private readonly url: string,
    private readonly options: PostgresStoreOptions,
  ) {
    this.pool = new Pool({ connectionString: url, max: options.poolSize ?? 8, types: parsers, connectionTimeoutMillis: 5000 });
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

  private query<R extends object>(sql: string, params: unknown[] = []): Promise<R[]> {
    return this.using(async (c) => (await c.query<R>(sql, params)).rows);
  }

  private transaction<T>(work: (client: PoolClient) => Promise<T>): Promise<T> {
    return this.using(async (client) => {
      await client.query('BEGIN');
      try {
        const result = await work(client);
        await client.query('COMMIT');
        return result;
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw error;
      }
    });
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

  async storeEvents(records: readonly EventRecord[]): Promise<StoreResult[]> {
    // The first of two same-key records in one batch is stored; the second is its duplicate.
    const firstOf = new Map<string, number>();
    const unique: EventRecord[] = [];
    records.forEach((r, i) => {
      const key = `${r.source}\u0000${r.eventId}`;
      if (!firstOf.has(key)) {
        firstOf.set(key, i);
        unique.push(r);
      }
    });
    const col = <K extends keyof EventRecord>(k: K) => unique.map((r) => r[k]);
    return this.transaction(async (client) => {
      const inserted = await client.query<{ id: number; source: string; event_id: string }>(
        `INSERT INTO events (source, event_id, provider, type, occurred_at, received_at, headers, body, event)
         SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::bigint[], $7::text[], $8::bytea[], $9::text[])
         ON CONFLICT (source, event_id) DO NOTHING RETURNING id, source, event_id`,
        [
          col('source'),
          col('eventId'),
          col('provider'),
          col('type'),
          col('occurredAt'),
          col('receivedAt'),
          col('headers'),
          unique.map((r) => Buffer.from(r.body.buffer, r.body.byteOffset, r.body.byteLength)),
          col('event'),
        ],
      );
      const ids = new Map(inserted.rows.map((r) => [`${r.source}\u0000${r.event_id}`, r.id]));
      const fresh = unique.filter((r) => ids.has(`${r.source}\u0000${r.eventId}`));
      const deliveries = fresh.flatMap((r) =>
        r.routes.map((route) => [ids.get(`${r.source}\u0000${r.eventId}`)!, route, r.receivedAt] as const),
      );
      if (deliveries.length) {
        await client.query(
          `INSERT INTO deliveries (event_rowid, route, status, next_attempt_at, created_at, updated_at)
           SELECT e, r, 'pending', t, t, t FROM unnest($1::bigint[], $2::text[], $3::bigint[]) AS x(e, r, t)`,
          [deliveries.map((d) => d[0]), deliveries.map((d) => d[1]), deliveries.map((d) => d[2])],
        );
      }
      // Stored before by anyone (this statement's snapshot is newer than the insert's wait for a concurrent writer).
      const seen = unique.filter((r) => !ids.has(`${r.source}\u0000${r.eventId}`));
      if (seen.length) {
        const found = await client.query<{ id: number; source: string; event_id: string }>(
          `SELECT id, source, event_id FROM events WHERE (source, event_id) IN (SELECT * FROM unnest($1::text[], $2::text[]))`,
          [seen.map((r) => r.source), seen.map((r) => r.eventId)],
        );
        for (const r of found.rows) ids.set(`${r.source}\u0000${r.event_id}`, r.id);
      }
      const live: LiveEvent[] = fresh.map((r) => ({
        rowid: ids.get(`${r.source}\u0000${r.eventId}`)!,
        source: r.source,
        eventId: r.eventId,
        type: r.type,
        provider: r.provider,
        deliveries: r.routes.length,
        receivedAt: r.receivedAt,
      }));
      await this.notify(client, payloads(this.options.instance, 'e', live));
      const freshKeys = new Set(fresh.map((r) => `${r.source}\u0000${r.eventId}`));
      return records.map((r, i): StoreResult => {
        const key = `${r.source}\u0000${r.eventId}`;
        const rowid = ids.get(key)!;
        return freshKeys.has(key) && firstOf.get(key) === i
          ? { duplicate: false, rowid, deliveries: r.routes.length }
          : { duplicate: true, rowid };
      });
    });
  }

  /** Sent with the transaction: the others hear of it when (and only if) it commits. */
  private async notify(client: PoolClient, messages: string[]): Promise<void> {
    if (messages.length) await client.query(`SELECT pg_notify($1, m) FROM unnest($2::text[]) AS m`, [CHANNEL, messages]);
  }

  async claim(requests: readonly ClaimRequest[], { now, leaseMs, orphans }: ClaimOptions): Promise<ClaimResult> {
    const lease = now + leaseMs;
    // The same order in every relay: route rows are locked in it, so two claims never wait on each other in a cycle.
    const wanted = requests.filter((r) => r.want > 0).sort((a, b) => (a.route < b.route ? -1 : a.route > b.route ? 1 : 0));
    if (!wanted.length && !orphans) return { rows: [], more: false };
    return this.transaction(async (client) => {
      const rows: DeliveryRow[] = [];
      let more = false;
      for (const { route, want, concurrency, ratePerSecond } of wanted) {
        // Locks the route's row: claims of one route are taken in turn across relays, so the counts below hold.
        const bucket = (
          await client.query<{ tokens: number; updated_at: number; fresh: boolean }>(
            `INSERT INTO route_limits (route, tokens, updated_at) VALUES ($1, $2, $3)
             ON CONFLICT (route) DO UPDATE SET route = excluded.route RETURNING tokens, updated_at, (xmax = 0) AS fresh`,
            [route, Math.max(1, ratePerSecond ?? 1), now],
          )
        ).rows[0]!;
        const leased = (
          await client.query<{ n: number }>(
            `SELECT COUNT(*) AS n FROM deliveries WHERE route = $1 AND status = 'in_flight' AND lease_until > $2`,
            [route, now],
          )
        ).rows[0]!.n;
        const tokens =
          ratePerSecond === undefined
            ? Infinity
            : refill(bucket.fresh ? undefined : { tokens: bucket.tokens, updatedAt: bucket.updated_at }, ratePerSecond, now);
        const limit = Math.min(want, concurrency - leased, Math.floor(tokens));
        if (limit <= 0) {
          more ||= concurrency - leased <= 0;
          continue;
        }
        // Due pending rows and in-flight rows whose lease ran out (their relay died or lost its result), oldest first.
        const claimed = await client.query<DeliveryRow>(
          `WITH expired AS (SELECT id, lease_until AS due FROM deliveries WHERE route = $1 AND status = 'in_flight' AND lease_until <= $2
                            ORDER BY lease_until LIMIT $3 FOR UPDATE SKIP LOCKED),
                pending AS (SELECT id, next_attempt_at AS due FROM deliveries WHERE route = $1 AND status = 'pending' AND next_attempt_at <= $2
                            ORDER BY next_attempt_at LIMIT $3 FOR UPDATE SKIP LOCKED),
                picked AS (SELECT id FROM (SELECT * FROM expired UNION ALL SELECT * FROM pending) AS due ORDER BY due LIMIT $3)
           UPDATE deliveries d SET status = 'in_flight', lease_until = $4, updated_at = $2 FROM picked WHERE d.id = picked.id RETURNING d.*`,
          [route, now, limit, lease],
        );
        if (ratePerSecond !== undefined) {
          await client.query(`UPDATE route_limits SET tokens = $2, updated_at = $3 WHERE route = $1`, [
            route,
            tokens - claimed.rows.length,
            now,
          ]);
        }
        // Got all it asked for (not cut by the rate): there may be more.
        more ||= claimed.rows.length === limit && limit < Math.floor(tokens);
        rows.push(...claimed.rows);
      }
      if (orphans) {
        const claimed = await client.query<DeliveryRow>(
          `UPDATE deliveries d SET status = 'in_flight', lease_until = $3, updated_at = $2
           FROM (SELECT id FROM deliveries WHERE status = 'pending' AND next_attempt_at <= $2 AND NOT (route = ANY($1::text[]))
                 LIMIT 16 FOR UPDATE SKIP LOCKED) AS picked
           WHERE d.id = picked.id RETURNING d.*`,
          [requests.map((r) => r.route), now, lease],
        );
        more ||= claimed.rows.length === 16;
        rows.push(...claimed.rows);
      }
      return { rows, more };
    });
  }

  async recordAttempts(records: readonly AttemptRecord[]): Promise<void> {
    if (!records.length) return;
    const col = <T>(f: (r: AttemptRecord) => T) => records.map(f);
    await this.transaction(async (client) => {
      await client.query(
        `WITH input AS (
           SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::bigint[], $4::int[], $5::text[], $6::bigint[], $7::text[], $8::bigint[])
             AS t(id, started_at, duration_ms, status, error, retry_at, outcome, now)),
         logged AS (
           INSERT INTO attempts (delivery_id, attempt, started_at, duration_ms, status, error, retry_at)
           SELECT id, (SELECT COUNT(*) + 1 FROM attempts a WHERE a.delivery_id = input.id), started_at, duration_ms, status, error, retry_at
           FROM input)
         UPDATE deliveries d SET
           status = CASE input.outcome WHEN 'delivered' THEN 'delivered' WHEN 'retry' THEN 'pending' ELSE 'failed' END,
           attempts = d.attempts + 1,
           last_status = input.status,
           last_error = CASE WHEN input.outcome = 'delivered' THEN NULL ELSE input.error END,
           next_attempt_at = CASE WHEN input.outcome = 'retry' THEN input.retry_at ELSE d.next_attempt_at END,
           lease_until = NULL,
           delivered_at = CASE WHEN input.outcome = 'delivered' THEN input.now ELSE d.delivered_at END,
           updated_at = input.now
         FROM input WHERE d.id = input.id`,
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
      );
      await this.notify(client, payloads(this.options.instance, 'd', records.map(liveDelivery)));
    });
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

  async nextDueAt(): Promise<number | undefined> {
    return (
      (await this.query<{ at: number | null }>(`SELECT MIN(next_attempt_at) AS at FROM deliveries WHERE status = 'pending'`))[0]?.at ??
      undefined
    );
  }

  async prune(before: number): Promise<number> {
    return this.using(
      async (c) =>
        (
          await c.query(
            `DELETE FROM events WHERE received_at < $1 AND NOT EXISTS (SELECT 1 FROM deliveries d WHERE d.event_rowid = events.id AND d.status != 'delivered')`,
            [before],
          )
        ).rowCount ?? 0,
    );
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
    const rows = await this.query<{ status: DeliveryStatus; n: number }>(
      `SELECT status, COUNT(*) AS n FROM deliveries WHERE status IN ('pending', 'in_flight', 'failed') GROUP BY status`,
    );
    const get = (s: DeliveryStatus) => rows.find((r) => r.status === s)?.n ?? 0;
    return { pending: get('pending'), inFlight: get('in_flight'), failed: get('failed') };
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
      const client = new Client({ connectionString: this.url, connectionTimeoutMillis: 5000 });
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

  private dispatch(payload: string): void {
    const message = JSON.parse(payload) as { i: string; e?: LiveEvent[]; d?: LiveDelivery[] };
    if (message.i === this.options.instance) return;
    const notices: StoreNotice[] = [
      ...(message.e ?? []).map((event): StoreNotice => ({ instance: message.i, kind: 'event', event })),
      ...(message.d ?? []).map((delivery): StoreNotice => ({ instance: message.i, kind: 'delivery', delivery })),
    ];
    for (const notice of notices) for (const listener of this.listeners) listener(notice);
  }

  health(): StoreHealth {
    if (this.closed) return { ok: false, engine: 'postgres', error: 'closed' };
    return this.down === undefined ? { ok: true, engine: 'postgres' } : { ok: false, engine: 'postgres', error: this.down };
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.listener?.end().catch(() => undefined);
    await this.pool.end();
  }
}
