// Which PostgreSQL client the relay uses, by measurement (`node bench/run.js pg-clients`): `pg` (node-postgres)
// against `postgres` (porsager), on the relay's own write shapes, in alternating rounds on one fresh server:
//  - intake: one transaction per batch of 64 events (events + deliveries, arrays through unnest), 8 batches in flight;
//  - single: one transaction per event (insert event + delivery), 32 in flight (a relay under light, steady load).
// Every event id is new (checked: the table's row count must equal what was sent).
const { PostgresServer } = require('../test/support/postgres');

const SCHEMA = `
  CREATE TABLE e (id BIGSERIAL PRIMARY KEY, source TEXT NOT NULL, event_id TEXT NOT NULL, body BYTEA NOT NULL, UNIQUE (source, event_id));
  CREATE TABLE d (id BIGSERIAL PRIMARY KEY, event_rowid BIGINT NOT NULL, route TEXT NOT NULL, due BIGINT NOT NULL);`;
const BATCH_EVENTS = `INSERT INTO e (source, event_id, body) SELECT * FROM unnest($1::text[], $2::text[], $3::bytea[])
  ON CONFLICT DO NOTHING RETURNING id`;
const BATCH_DELIVERIES = `INSERT INTO d (event_rowid, route, due) SELECT id, 'r', 0 FROM unnest($1::bigint[]) AS t(id)`;
const body = Buffer.from(JSON.stringify({ id: 'x', type: 'score.updated', data: { value: 42, note: 'x'.repeat(300) } }));

let next = 0;
const fresh = (n) => Array.from({ length: n }, () => `evt_${next++}`);

const clients = {
  async pg(url) {
    const { Pool } = require('pg');
    const pool = new Pool({ connectionString: url, max: 16 });
    pool.on('error', () => undefined);
    return {
      async batch(ids) {
        const c = await pool.connect();
        try {
          await c.query('BEGIN');
          const r = await c.query(BATCH_EVENTS, [ids.map(() => 's'), ids, ids.map(() => body)]);
          await c.query(BATCH_DELIVERIES, [r.rows.map((x) => x.id)]);
          await c.query('COMMIT');
        } finally {
          c.release();
        }
      },
      async single(id) {
        const c = await pool.connect();
        try {
          await c.query('BEGIN');
          const r = await c.query('INSERT INTO e (source, event_id, body) VALUES ($1, $2, $3) RETURNING id', ['s', id, body]);
          await c.query(`INSERT INTO d (event_rowid, route, due) VALUES ($1, 'r', 0)`, [r.rows[0].id]);
          await c.query('COMMIT');
        } finally {
          c.release();
        }
      },
      count: async () => Number((await pool.query('SELECT COUNT(*) AS n FROM e')).rows[0].n),
      end: () => pool.end(),
    };
  },
  async postgres(url) {
    const postgres = require('postgres');
    const sql = postgres(url, { max: 16, onnotice: () => undefined });
    return {
      async batch(ids) {
        await sql.begin(async (tx) => {
          const rows = await tx.unsafe(BATCH_EVENTS, [
            ids.map(() => 's'),
            ids,
            tx.array(
              ids.map(() => body),
              17,
            ),
          ]);
          await tx.unsafe(BATCH_DELIVERIES, [rows.map((x) => x.id)]);
        });
      },
      async single(id) {
        await sql.begin(async (tx) => {
          const [row] = await tx.unsafe('INSERT INTO e (source, event_id, body) VALUES ($1, $2, $3) RETURNING id', ['s', id, body]);
          await tx.unsafe(`INSERT INTO d (event_rowid, route, due) VALUES ($1, 'r', 0)`, [row.id]);
        });
      },
      count: async () => Number((await sql`SELECT COUNT(*) AS n FROM e`)[0].n),
      end: () => sql.end(),
    };
  },
};

/** Events/s for `ms` with `inFlight` operations of `size` events each always under way. */
async function load(op, size, inFlight, ms) {
  let sent = 0;
  const end = Date.now() + ms;
  const start = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (Date.now() < end) {
        const ids = fresh(size);
        await op(ids);
        sent += size;
      }
    }),
  );
  return { sent, perSecond: sent / (Number(process.hrtime.bigint() - start) / 1e9) };
}

async function run() {
  const server = await PostgresServer.start();
  try {
    const results = {};
    const opened = {};
    for (const name of Object.keys(clients)) {
      const url = await server.createDatabase(`bench_${name}`);
      opened[name] = await clients[name](url);
      const setup = new (require('pg').Client)({ connectionString: url });
      await setup.connect();
      await setup.query(SCHEMA);
      await setup.end();
      results[name] = { intake: [], single: [], sent: 0 };
    }
    for (let round = 0; round < 6; round++) {
      for (const name of round % 2 ? Object.keys(clients).reverse() : Object.keys(clients)) {
        const c = opened[name];
        const a = await load((ids) => c.batch(ids), 64, 8, 700);
        const b = await load(([id]) => c.single(id), 1, 32, 700);
        if (round > 0) {
          results[name].intake.push(a.perSecond);
          results[name].single.push(b.perSecond);
        }
        results[name].sent += a.sent + b.sent;
      }
    }
    const median = (xs) => [...xs].sort((x, y) => x - y)[xs.length >> 1];
    console.log('\nPostgreSQL clients, events/s (median of 5 alternating rounds; every id fresh)');
    for (const name of Object.keys(clients)) {
      const stored = await opened[name].count();
      if (stored !== results[name].sent) throw new Error(`${name}: sent ${results[name].sent} fresh events, table has ${stored}`);
      console.log(
        `  ${name.padEnd(9)} batches of 64: ${Math.round(median(results[name].intake)).toLocaleString('en')}/s   one per transaction: ${Math.round(median(results[name].single)).toLocaleString('en')}/s`,
      );
      await opened[name].end();
    }
  } catch (error) {
    console.error(error);
    throw error;
  } finally {
    await server.destroy();
  }
}

module.exports = { run };
