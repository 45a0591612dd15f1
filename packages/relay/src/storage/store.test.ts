// One behaviour suite for both stores (SQLite on a file, its writes synced off the thread; PostgreSQL on a real server started
// here), then what only PostgreSQL offers: several relays on one database.
import { existsSync, mkdirSync, mkdtempSync, statSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { PostgresServer } from '../../../../test/support/postgres';
import { migratePostgres, PostgresStore } from './postgres-store';
import { POSTGRES_MIGRATIONS } from './postgres-schema';
import { SqliteStore } from './sqlite-store';
import {
  eventFromRow,
  StoreUnavailableError,
  toRecord,
  type AttemptRecord,
  type DeliveryRow,
  type EventRecord,
  type Store,
  type StoreNotice,
} from './store';

let server: PostgresServer;
let databases = 0;

beforeAll(async () => {
  server = await PostgresServer.start({ fsync: false });
}, 60_000);
afterAll(async () => {
  await server?.destroy();
});

async function postgresUrl(): Promise<string> {
  return server.createDatabase(`store_${process.pid}_${databases++}`);
}

async function openPostgres(url: string, instance = 'a'): Promise<PostgresStore> {
  const store = new PostgresStore(url, { instance, poolSize: 4 });
  await store.open();
  return store;
}

const ENGINES: { name: string; open: () => Promise<Store> }[] = [
  {
    name: 'SQLite',
    open: async () => SqliteStore.open({ path: join(mkdtempSync(join(tmpdir(), 'hb-store-')), 'relay.db'), synchronous: 'full' }).store,
  },
  { name: 'PostgreSQL', open: async () => openPostgres(await postgresUrl()) },
];

function record(eventId: string, routes = ['r'], receivedAt = 1000, source = 'ts'): EventRecord {
  return {
    source,
    eventId,
    provider: 'trackscore',
    type: 'score.updated',
    occurredAt: '2026-12-01T00:00:00Z',
    receivedAt,
    headers: '{"content-type":"application/json"}',
    body: Buffer.from(JSON.stringify({ id: eventId })),
    event: JSON.stringify({ id: eventId, type: 'score.updated' }),
    routes,
  };
}

const want = (route: string, n = 10, concurrency = 100, ratePerSecond?: number) => ({ route, want: n, concurrency, ratePerSecond });
const claimAt = (now: number, leaseMs = 5000, instance = 'relay-1') => ({ now, leaseMs, orphans: false, instance });

function result(delivery: DeliveryRow, outcome: AttemptRecord['outcome'], now: number, status?: number): AttemptRecord {
  return {
    delivery,
    attempt: { startedAt: now, durationMs: 3, status, error: status === 200 ? undefined : `HTTP ${status}` },
    outcome,
    now,
  };
}

describe.each(ENGINES)('$name store', ({ open }) => {
  let store: Store;
  beforeEach(async () => {
    store = await open();
  });
  afterEach(async () => {
    await store.close();
  });

  test('stores an event with its deliveries; the same (source, event id) again is a duplicate of the same row', async () => {
    const [first] = await store.storeEvents([record('e1', ['a', 'b'])]);
    expect(first).toMatchObject({ duplicate: false, deliveries: 2 });
    const again = await store.storeEvents([record('e1', ['a', 'b']), record('e1', ['a', 'b'], 1000, 'other'), record('e2'), record('e2')]);
    expect(again[0]).toEqual({ duplicate: true, rowid: first!.rowid });
    expect(again[1]).toMatchObject({ duplicate: false, deliveries: 2 }); // another source: another event
    expect(again[2]).toMatchObject({ duplicate: false, deliveries: 1 });
    expect(again[3]).toEqual({ duplicate: true, rowid: again[2]!.rowid }); // twice in one batch: stored once
    expect(await store.queueDepth()).toEqual({ pending: 5, inFlight: 0, failed: 0 });
    const [row] = await store.findEvents('e2');
    expect(row).toMatchObject({ source: 'ts', event_id: 'e2', received_at: 1000 });
    expect(JSON.parse(row!.body.toString('utf8'))).toEqual({ id: 'e2' });
    expect((await store.findEvents(String(first!.rowid)))[0]!.event_id).toBe('e1');
    expect(await store.findEvents('e1', 'other')).toHaveLength(1);
  });

  test("an event's data is stored once (in the body) and found again by its path; data a profile built is kept in the event", async () => {
    const payload = { id: 'p1', data: { note: 'marker-in-data' }, event: { type: 'x.y', data: { deep: 'marker-in-event-data' } } };
    const cases = [
      { data: payload.data as unknown, marker: 'marker-in-data', inEvent: false }, // TrackScore: payload.data
      { data: payload.event.data, marker: 'marker-in-event-data', inEvent: false }, // Trakkr: payload.event.data
      { data: payload, marker: 'marker-in-data', inEvent: false }, // the payload itself
      { data: { built: 'marker-built' }, marker: 'marker-built', inEvent: true }, // not in the payload
    ];
    for (const [i, c] of cases.entries()) {
      const event = {
        id: `evt_${i}`,
        provider: 'trakkr',
        type: 'x.y',
        occurredAt: '2026-12-01T00:00:00Z',
        data: c.data,
        summary: 's',
        raw: payload,
      };
      const body = Buffer.from(JSON.stringify(payload));
      const [stored] = await store.storeEvents([toRecord({ source: 'ts', event, headers: {}, body, routes: [], receivedAt: 1000 })]);
      const row = (await store.event(stored!.rowid))!;
      const { raw: _raw, ...canonical } = event;
      expect(eventFromRow(row.event, JSON.parse(row.body.toString('utf8')))).toEqual(canonical);
      expect(row.event.includes(c.marker)).toBe(c.inEvent);
    }
  });

  test('a claimed delivery is leased: nobody takes it until the lease runs out, then it is claimed again with a new lease', async () => {
    await store.storeEvents([record('e1')]);
    const { rows } = await store.claim([want('r')], claimAt(1000));
    expect(rows).toEqual([expect.objectContaining({ route: 'r', status: 'in_flight', lease_until: 6000, leased_by: 'relay-1' })]);
    expect((await store.claim([want('r')], claimAt(5999, 5000, 'relay-2'))).rows).toEqual([]);
    const again = (await store.claim([want('r')], claimAt(6000, 5000, 'relay-2'))).rows;
    expect(again).toEqual([expect.objectContaining({ id: rows[0]!.id, lease_until: 11_000, leased_by: 'relay-2' })]);
  });

  test("a route's concurrency caps what is leased at once; a freed slot lets the next be claimed", async () => {
    await store.storeEvents(['a', 'b', 'c', 'd'].map((id) => record(id)));
    const first = await store.claim([want('r', 10, 2)], claimAt(1000));
    expect(first.rows).toHaveLength(2);
    expect((await store.claim([want('r', 10, 2)], claimAt(1001))).rows).toHaveLength(0);
    expect(await store.queueDepth()).toEqual({ pending: 2, inFlight: 2, failed: 0 });
    await store.recordAttempts([result(first.rows[0]!, { kind: 'delivered' }, 1002, 200)]);
    expect(await store.queueDepth()).toEqual({ pending: 2, inFlight: 1, failed: 0 });
    expect((await store.claim([want('r', 10, 2)], claimAt(1003))).rows).toHaveLength(1);
  });

  test('the next due delivery is the earliest pending one of any route', async () => {
    expect(await store.nextDueAt()).toBeUndefined();
    await store.storeEvents([record('late', ['a'], 5000), record('early', ['b'], 2000), record('later', ['c'], 9000)]);
    expect(await store.nextDueAt()).toBe(2000);
    await store.claim([want('b')], claimAt(2000));
    expect(await store.nextDueAt()).toBe(5000);
    await store.claim([want('a'), want('c')], claimAt(9000));
    expect(await store.nextDueAt()).toBeUndefined();
  });

  test("a route's rate is a token bucket of one second's worth, spent by claims", async () => {
    await store.storeEvents(Array.from({ length: 10 }, (_, i) => record(`e${i}`)));
    const rate = [want('r', 10, 100, 2)];
    expect((await store.claim(rate, claimAt(10_000))).rows).toHaveLength(2); // a full bucket: 2
    expect((await store.claim(rate, claimAt(10_100))).rows).toHaveLength(0);
    expect((await store.claim(rate, claimAt(10_600))).rows).toHaveLength(1); // 0.6 s → 1.2 tokens
    expect((await store.claim(rate, claimAt(20_000))).rows).toHaveLength(2); // never more than the bucket holds
  });

  test('attempt results: delivered, retry at a time, failed; replays start a new budget and keep the history numbered on', async () => {
    await store.storeEvents([record('e1', ['ok', 'flaky', 'bad'])]);
    const claimed = (await store.claim([want('ok'), want('flaky'), want('bad')], claimAt(1000))).rows;
    const by = (route: string) => claimed.find((d) => d.route === route)!;
    await store.recordAttempts([
      result(by('ok'), { kind: 'delivered' }, 1100, 200),
      result(by('flaky'), { kind: 'retry', at: 3000 }, 1100, 503),
      result(by('bad'), { kind: 'failed' }, 1100, 400),
    ]);
    expect(await store.queueDepth()).toEqual({ pending: 1, inFlight: 0, failed: 1 });
    expect(await store.nextDueAt()).toBe(3000);
    expect((await store.claim([want('flaky')], claimAt(2999))).rows).toHaveLength(0);
    const retried = (await store.claim([want('flaky')], claimAt(3000))).rows;
    expect(retried).toEqual([expect.objectContaining({ attempts: 1 })]);
    await store.recordAttempts([result(retried[0]!, { kind: 'delivered' }, 3100, 200)]);

    const deliveries = await store.deliveriesOf(by('ok').event_rowid);
    const flaky = deliveries.find((d) => d.route === 'flaky')!;
    expect(flaky).toMatchObject({ status: 'delivered', attempts: 2, last_status: 200, last_error: null, delivered_at: 3100 });
    expect(flaky.attemptsLog.map((a) => [a.attempt, a.status, a.retry_at])).toEqual([
      [1, 503, 3000],
      [2, 200, null],
    ]);
    expect(deliveries.find((d) => d.route === 'bad')).toMatchObject({ status: 'failed', last_error: 'HTTP 400' });

    expect(await store.replayFailed({ route: 'bad' }, 4000)).toBe(1);
    const replayed = (await store.claim([want('bad')], claimAt(4000))).rows;
    expect(replayed).toEqual([expect.objectContaining({ attempts: 0 })]);
    await store.recordAttempts([result(replayed[0]!, { kind: 'delivered' }, 4100, 200)]);
    expect(await store.replayEvent(by('ok').event_rowid, 5000)).toBe(3);
    const log = (await store.deliveriesOf(by('ok').event_rowid)).find((d) => d.route === 'bad')!.attemptsLog;
    expect(log.map((a) => a.attempt)).toEqual([1, 2]);
  });

  test('released deliveries go back to pending without an attempt; orphans are claimed only when asked', async () => {
    await store.storeEvents([record('e1', ['r', 'gone'])]);
    const { rows } = await store.claim([want('r')], claimAt(1000));
    await store.release(
      rows.map((r) => r.id),
      1500,
      1500,
    );
    expect(await store.queueDepth()).toEqual({ pending: 2, inFlight: 0, failed: 0 });
    const again = (await store.claim([want('r')], claimAt(1500))).rows;
    expect(again).toEqual([expect.objectContaining({ id: rows[0]!.id, attempts: 0 })]);
    const orphans = (await store.claim([want('r')], { now: 1600, leaseMs: 5000, orphans: true, instance: 'relay-1' })).rows;
    expect(orphans.map((r) => r.route)).toEqual(['gone']);
  });

  test('admin views: events with delivery counts, deliveries by status and route, stats; retention prunes what was delivered', async () => {
    await store.storeEvents([record('e1', ['a'], 1000), record('e2', ['a', 'b'], 2000), record('e3', [], 3000, 'other')]);
    const claimed = (await store.claim([want('a'), want('b')], claimAt(60_000))).rows;
    await store.recordAttempts(
      claimed.map((d) => (d.route === 'b' ? result(d, { kind: 'failed' }, 61_000, 500) : result(d, { kind: 'delivered' }, 61_000, 200))),
    );
    const events = await store.listEvents({ limit: 10 });
    expect(events.map((e) => [e.event_id, e.delivered, e.failed, e.pending])).toEqual([
      ['e3', 0, 0, 0],
      ['e2', 1, 1, 0],
      ['e1', 1, 0, 0],
    ]);
    expect((await store.listEvents({ source: 'other', limit: 10 })).map((e) => e.event_id)).toEqual(['e3']);
    expect((await store.listEvents({ limit: 10, beforeId: events[1]!.id })).map((e) => e.event_id)).toEqual(['e1']);
    const failed = await store.listDeliveries({ status: 'failed', limit: 10 });
    expect(failed).toEqual([expect.objectContaining({ route: 'b', event_id: 'e2', source: 'ts', type: 'score.updated' })]);
    expect(await store.listDeliveries({ route: 'a', since: 61_000, limit: 10 })).toHaveLength(2);
    const stats = await store.stats(0);
    expect(stats.totals).toEqual({ events: 3, delivered: 2, failed: 1, pending: 0 });
    expect(stats.perMinute).toEqual([{ minute: 60_000, delivered: 2, failed: 1, avgLatencyMs: (60_000 + 59_000) / 2 }]);
    // e1 is delivered and old; e2 has a failed delivery; e3 had nothing to deliver.
    expect(await store.prune(2500)).toBe(1);
    expect((await store.listEvents({ limit: 10 })).map((e) => e.event_id)).toEqual(['e3', 'e2']);
    expect(store.health()).toMatchObject({ ok: true });
  });

  test('retention walks the events in id order, step after step: the old and delivered go, the rest stay', async () => {
    // 2,500 old events (more than two steps of ids), one in ten with a delivery; among them e-late, received after
    // the cut-off (a clock set back), and after them events newer than the cut-off.
    const old = Array.from({ length: 2500 }, (_, i) => record(`e${i}`, i % 10 === 0 ? ['r'] : [], 1000 + i));
    old.splice(1200, 0, record('e-late', [], 9000));
    await store.storeEvents(old);
    await store.storeEvents([record('n1', [], 8000), record('n2', [], 8000)]);
    // The oldest 50 deliveries succeed: 200 events still have one pending.
    const claimed = (await store.claim([want('r', 50)], claimAt(5000))).rows;
    expect(claimed).toHaveLength(50);
    await store.recordAttempts(claimed.map((d) => result(d, { kind: 'delivered' }, 5000, 200)));

    expect(await store.prune(5000)).toBe(2300);
    const left: string[] = [];
    for (let beforeId: number | undefined; ;) {
      const page = await store.listEvents({ limit: 500, beforeId });
      if (page.length === 0) break;
      left.push(...page.map((e) => e.event_id));
      beforeId = page.at(-1)!.id;
    }
    expect(left).toHaveLength(203);
    expect(left.slice(0, 2)).toEqual(['n2', 'n1']);
    expect(left).toContain('e-late');
    expect(left.filter((id) => /^e\d+$/.test(id)).every((id) => Number(id.slice(1)) % 10 === 0 && Number(id.slice(1)) >= 500)).toBe(true);
    expect(await store.queueDepth()).toEqual({ pending: 200, inFlight: 0, failed: 0 });
    // Later, the newer ones go too; what still has a delivery to make never does.
    expect(await store.prune(10_000)).toBe(3);
    expect(await store.queueDepth()).toEqual({ pending: 200, inFlight: 0, failed: 0 });
  });
});

describe('SQLite under sustained intake', () => {
  test('the WAL stays bounded while the writer never pauses (it checkpoints itself and starts the file over)', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'hb-wal-')), 'relay.db');
    const { store } = SqliteStore.open({ path, synchronous: 'normal' });
    const note = 'x'.repeat(2000);
    let largest = 0;
    // ~60 MB of events, batch after batch with no gap in which another connection could catch up.
    for (let batch = 0; batch < 60; batch++) {
      const records = Array.from({ length: 500 }, (_, i) => {
        const r = record(`evt_${batch}_${i}`, []);
        return { ...r, body: Buffer.from(JSON.stringify({ id: r.eventId, note })) };
      });
      await store.storeEvents(records);
      largest = Math.max(largest, statSync(`${path}-wal`).size);
    }
    await store.close();
    // A checkpoint every 1,000 pages (8 MiB) and a batch on top; a WAL nobody restarts grows past 60 MB.
    expect(largest).toBeLessThan(16 * 1024 * 1024);
    expect(largest).toBeGreaterThan(0);
  }, 60_000);
});

describe('SQLite durable writes', () => {
  test('a database reached through a symbolic link: writes are synced on the WAL SQLite uses, next to the target', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hb-link-'));
    mkdirSync(join(dir, 'data'));
    symlinkSync(join(dir, 'data', 'relay.db'), join(dir, 'relay.db'));
    const { store } = SqliteStore.open({ path: join(dir, 'relay.db'), synchronous: 'full' });
    const [result] = await store.storeEvents([record('linked')]);
    expect(result).toMatchObject({ duplicate: false });
    expect(store.health()).toMatchObject({ ok: true });
    expect(existsSync(join(dir, 'data', 'relay.db-wal'))).toBe(true);
    expect(existsSync(join(dir, 'relay.db-wal'))).toBe(false);
    await store.close();
  });
});

describe('PostgreSQL: several relays on one database', () => {
  test('the same event stored by two relays at once is stored once; the other answers duplicate', async () => {
    const url = await postgresUrl();
    const [a, b] = [await openPostgres(url, 'a'), await openPostgres(url, 'b')];
    for (let i = 0; i < 20; i++) {
      const results = await Promise.all([a.storeEvents([record(`race-${i}`)]), b.storeEvents([record(`race-${i}`)])]);
      const flat = results.flat();
      expect(flat.filter((r) => !r.duplicate)).toHaveLength(1);
      expect(new Set(flat.map((r) => r.rowid)).size).toBe(1);
    }
    expect((await a.queueDepth()).pending).toBe(20);
    await Promise.all([a.close(), b.close()]);
  });

  test('claims from two relays never take the same row, and a route’s concurrency holds across both', async () => {
    const url = await postgresUrl();
    const [a, b] = [await openPostgres(url, 'a'), await openPostgres(url, 'b')];
    await a.storeEvents(Array.from({ length: 200 }, (_, i) => record(`e${i}`)));
    const taken: number[] = [];
    for (let round = 0; round < 20; round++) {
      const [ra, rb] = await Promise.all([a.claim([want('r', 10, 1000)], claimAt(1000)), b.claim([want('r', 10, 1000)], claimAt(1000))]);
      taken.push(...ra.rows.map((r) => r.id), ...rb.rows.map((r) => r.id));
    }
    expect(taken).toHaveLength(200);
    expect(new Set(taken).size).toBe(200);

    await a.storeEvents(Array.from({ length: 20 }, (_, i) => record(`c${i}`, ['limited'])));
    const limited = await Promise.all([a.claim([want('limited', 10, 3)], claimAt(2000)), b.claim([want('limited', 10, 3)], claimAt(2000))]);
    expect(limited[0].rows.length + limited[1].rows.length).toBe(3);
    await Promise.all([a.close(), b.close()]);
  });

  test('each relay hears what the other committed (events, delivery outcomes), not its own', async () => {
    const url = await postgresUrl();
    const [a, b] = [await openPostgres(url, 'a'), await openPostgres(url, 'b')];
    const heardByB: StoreNotice[] = [];
    const heardByA: StoreNotice[] = [];
    b.subscribe((n) => heardByB.push(n));
    a.subscribe((n) => heardByA.push(n));
    await waitFor(() => a.health().ok && b.health().ok);
    await new Promise((r) => setTimeout(r, 200)); // both LISTENing
    // Anything else on the channel (anyone with access to the database may NOTIFY) is ignored, not fatal.
    const other = new Client({ connectionString: url });
    await other.connect();
    for (const junk of ['not json', '{"i":1}', '{"i":"x","e":["1; DROP"]}', '[]', 'null'])
      await other.query(`SELECT pg_notify('hookbridge', $1)`, [junk]);
    await other.end();
    const [stored] = await a.storeEvents([record('live-1')]);
    await waitFor(() => heardByB.length === 1);
    expect(heardByB[0]).toEqual({
      instance: 'a',
      kind: 'event',
      event: {
        rowid: stored!.rowid,
        source: 'ts',
        eventId: 'live-1',
        type: 'score.updated',
        provider: 'trackscore',
        deliveries: 1,
        receivedAt: 1000,
      },
    });
    const { rows } = await b.claim([want('r')], claimAt(1000));
    await b.recordAttempts([result(rows[0]!, { kind: 'delivered' }, 1200, 200)]);
    await waitFor(() => heardByA.length === 1);
    expect(heardByA[0]).toMatchObject({
      instance: 'b',
      kind: 'delivery',
      delivery: { rowid: stored!.rowid, status: 'delivered', attempts: 1 },
    });
    await new Promise((r) => setTimeout(r, 100));
    expect(heardByB).toHaveLength(1); // its own outcome is not echoed back
    await Promise.all([a.close(), b.close()]);
  });

  test('migrations: relays starting together apply each version once; a newer schema is refused with a clear message', async () => {
    const url = await postgresUrl();
    const applied = await Promise.all([migratePostgres(url), migratePostgres(url), migratePostgres(url)]);
    expect(applied.flat().sort()).toEqual(POSTGRES_MIGRATIONS.map((_, i) => i + 1));
    const client = new Client({ connectionString: url });
    await client.connect();
    await client.query('INSERT INTO hookbridge_migrations (version) VALUES ($1)', [POSTGRES_MIGRATIONS.length + 1]);
    await client.end();
    await expect(migratePostgres(url)).rejects.toThrow(/newer than this relay knows .*upgrade the relay/);
  });

  /** A database as an older relay left it: the first `version` migrations applied, and recorded. */
  async function databaseAt(version: number): Promise<{ url: string; client: Client }> {
    const url = await postgresUrl();
    const client = new Client({ connectionString: url });
    await client.connect();
    await client.query('CREATE TABLE hookbridge_migrations (version INTEGER PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())');
    for (const [i, sql] of POSTGRES_MIGRATIONS.slice(0, version).entries()) {
      await client.query(sql);
      await client.query('INSERT INTO hookbridge_migrations (version) VALUES ($1)', [i + 1]);
    }
    return { url, client };
  }

  test('upgrading a database that holds events: dedupe and look-ups by event id keep working, on one index for both', async () => {
    // Before the unique key was led by event_id (migrations 1–3).
    const { url, client } = await databaseAt(3);
    const old = await client.query<{ id: number }>(
      `INSERT INTO events (source, event_id, provider, type, occurred_at, received_at, headers, body, event)
       VALUES ('ts', 'kept', 'trackscore', 'score.updated', '2026-12-01T00:00:00Z', 1000, '{}', '\\x7b7d', '{}') RETURNING id`,
    );
    expect(await migratePostgres(url)).toEqual(POSTGRES_MIGRATIONS.map((_, i) => i + 1).slice(3));
    const store = await openPostgres(url);
    const [again, fresh] = await store.storeEvents([record('kept'), record('new')]);
    expect(again).toEqual({ duplicate: true, rowid: Number(old.rows[0]!.id) });
    expect(fresh).toMatchObject({ duplicate: false, deliveries: 1 });
    expect((await store.findEvents('kept')).map((e) => e.source)).toEqual(['ts']);
    const indexes = await client.query<{ indexdef: string }>(
      `SELECT indexdef FROM pg_indexes WHERE tablename = 'events' ORDER BY indexname`,
    );
    expect(indexes.rows.map((r) => r.indexdef.replace(/^.* USING /, ''))).toEqual(['btree (event_id, source)', 'btree (id)']);
    await client.end();
    await store.close();
  });

  test("upgrading a queue in use: the deliveries' indexes become per status, and pending, leased and failed rows carry on", async () => {
    // Before the queue's indexes were per status (migrations 1–4), holding a queue in every state.
    const { url, client } = await databaseAt(4);
    const before = new PostgresStore(url, { instance: 'a', poolSize: 2 });
    await before.storeEvents(['p1', 'p2', 'f1', 'l1', 'd1'].map((id) => record(id)));
    const claimed = (await before.claim([want('r', 3)], claimAt(2000))).rows;
    await before.recordAttempts([
      result(claimed[0]!, { kind: 'failed' }, 2100, 400),
      result(claimed[1]!, { kind: 'delivered' }, 2100, 200),
    ]);
    await before.close();

    expect(await migratePostgres(url)).toEqual(POSTGRES_MIGRATIONS.map((_, i) => i + 1).slice(4));
    const store = await openPostgres(url);
    expect(await store.queueDepth()).toEqual({ pending: 2, inFlight: 1, failed: 1 });
    expect(await store.nextDueAt()).toBe(1000);
    // The two pending rows are claimed; the leased one comes back once its lease (5 s) has run out.
    expect((await store.claim([want('r')], claimAt(6999))).rows).toHaveLength(2);
    expect((await store.claim([want('r')], claimAt(7000))).rows.map((d) => d.id)).toEqual([claimed[2]!.id]);
    expect(await store.replayFailed({}, 8000)).toBe(1);
    expect(await store.queueDepth()).toEqual({ pending: 1, inFlight: 3, failed: 0 });
    const indexes = await client.query<{ indexdef: string }>(
      `SELECT indexdef FROM pg_indexes WHERE tablename = 'deliveries' ORDER BY indexname`,
    );
    expect(indexes.rows.map((r) => r.indexdef.replace(/^.* USING /, ''))).toEqual([
      'btree (event_rowid)',
      "btree (updated_at) WHERE (status = 'failed'::text)",
      "btree (route, lease_until) WHERE (status = 'in_flight'::text)",
      "btree (route, next_attempt_at) WHERE (status = 'pending'::text)",
      'btree (id)',
    ]);
    await client.end();
    await store.close();
  });

  test('while PostgreSQL is down: calls fail as unavailable, health says so; both recover by themselves', async () => {
    const own = await PostgresServer.start({ fsync: false });
    try {
      const store = await openPostgres(own.url(), 'a');
      store.subscribe(() => undefined);
      await store.storeEvents([record('before')]);
      await own.stop();
      await expect(store.storeEvents([record('during')])).rejects.toBeInstanceOf(StoreUnavailableError);
      expect(store.health()).toMatchObject({ ok: false, engine: 'postgres' });
      await expect(store.claim([want('r')], claimAt(1000))).rejects.toBeInstanceOf(StoreUnavailableError);
      await own.startServer();
      await waitFor(() => store.health().ok, 10_000); // the LISTEN connection came back
      expect(await store.storeEvents([record('after')])).toEqual([expect.objectContaining({ duplicate: false })]);
      expect((await store.listEvents({ limit: 10 })).map((e) => e.event_id)).toEqual(['after', 'before']);
      await store.close();
    } finally {
      await own.destroy();
    }
  }, 30_000);

  test('a database that stops answering (frozen, connections open) fails calls as unavailable after the query timeout, then recovers', async () => {
    const own = await PostgresServer.start({ fsync: false });
    try {
      const store = new PostgresStore(own.url(), { instance: 'a', poolSize: 2, queryTimeoutMs: 500 });
      await store.open();
      await store.storeEvents([record('before')]);
      own.pause();
      const started = Date.now();
      await expect(store.storeEvents([record('during')])).rejects.toBeInstanceOf(StoreUnavailableError);
      expect(Date.now() - started).toBeLessThan(3000);
      expect(store.health()).toMatchObject({ ok: false });
      own.resume();
      expect(await store.storeEvents([record('after')])).toEqual([expect.objectContaining({ duplicate: false })]);
      expect(store.health()).toMatchObject({ ok: true });
      // Whether 'during' reached the database before it froze is unknown to the caller: it was answered as failed, so the provider sends it again.
      expect((await store.storeEvents([record('during')]))[0]).toHaveProperty('rowid');
      await store.close();
    } finally {
      own.resume();
      await own.destroy();
    }
  }, 30_000);

  test('an unreachable database at start is a clear error that hides the password', async () => {
    const store = new PostgresStore('postgres://hookbridge:s3cret@127.0.0.1:1/none', { instance: 'a' });
    const error = await store.open().then(
      () => undefined,
      (e: Error) => e,
    );
    expect(error).toBeInstanceOf(StoreUnavailableError);
    expect(error!.message).toMatch(/could not connect to PostgreSQL at postgres:\/\/hookbridge:\*\*\*@127\.0\.0\.1:1\/none/);
    expect(error!.message).not.toContain('s3cret');
    await store.close();
  });
});

async function waitFor(check: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 20));
  }
}
