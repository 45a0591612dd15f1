// bench/relay: intake req/s of the relay (verify + dedupe + durable SQLite store with group
// commit) against a bare node:http server that only reads the body, in the same run, plus
// end-to-end delivery throughput to a local sink and memory over many events.
// Options: node bench/relay.js [--rounds 5] [--phase 3] [--duration 10] [--events 20000] [--connections 50] [--pool 250000]
// With --storage postgres: SQLite and PostgreSQL side by side instead (bench/relay-storage.js).
// Intake and bare server are loaded in alternating short phases and compared pairwise (median of
// the per-round ratios), so a noisy neighbour during one phase does not decide the ratio.
const { spawn } = require('node:child_process');
const { createServer } = require('node:http');
const { mkdtempSync, rmSync, writeFileSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join, resolve } = require('node:path');
const autocannon = require('autocannon');
const core = require('@hookbridge/core');
const { table, fmt, median, cpuPerRequest } = require('./harness');

const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const SECRET = 'bench-secret';
const profile = core.getProvider('trackscore');
let counter = 0;

/** A signed ~1 KiB TrackScore event with a fresh id. */
function signed() {
  const payload = profile.samplePayload('score.updated', { id: `evt_${process.pid}_${++counter}` });
  payload.data.note = 'x'.repeat(1024 - JSON.stringify(payload).length - 12);
  const body = Buffer.from(JSON.stringify(payload));
  return { body, headers: { 'content-type': 'application/json', ...profile.scheme.sign(body, { secret: SECRET }) } };
}

function listen(server) {
  return new Promise((r) => server.listen(0, '127.0.0.1', () => r(`http://127.0.0.1:${server.address().port}`)));
}

function bareServer() {
  const script = `require('node:http').createServer((req, res) => { const c = []; req.on('data', (d) => c.push(d)); req.on('end', () => { Buffer.concat(c); res.writeHead(200).end('ok'); }); }).listen(0, '127.0.0.1', function () { console.log('http://127.0.0.1:' + this.address().port); });`;
  return startChild([process.execPath, '-e', script], /^(http:\/\/\S+)/m);
}

function startChild(argv, pattern) {
  const child = spawn(argv[0], argv.slice(1), {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, HOOKBRIDGE_LOG_LEVEL: 'warn' },
  });
  let out = '';
  return new Promise((resolvePromise, reject) => {
    child.stdout.on('data', (d) => {
      out += d;
      const m = pattern.exec(out);
      if (m) resolvePromise({ child, url: m[1] });
    });
    child.once('exit', (code) => reject(new Error(`child exited ${code}: ${out}`)));
  });
}

/**
 * A relay process: SQLite in a fresh folder, or PostgreSQL at `storage` (a URL). Tuned for throughput
 * (64 workers, route concurrency 64, 50 ms poll) unless `defaults`: the configuration's defaults.
 */
async function relayServer(sinkUrl, { routes = true, storage, defaults = false } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'hb-bench-'));
  const file = join(dir, 'hookbridge.yaml');
  const route = `{ id: sink, sources: [ts], ${defaults ? '' : 'concurrency: 64, '}destination: { type: webhook, url: '${sinkUrl}' } }`;
  writeFileSync(
    file,
    `server: { port: 0, allowInsecureDestinations: true }
storage: ${storage ? `{ url: '${storage}' }` : `{ path: ${join(dir, 'relay.db')}, synchronous: ${process.env.BENCH_SYNC || 'full'} }`}
${defaults ? '' : 'workers: { concurrency: 64, pollInterval: 50ms }'}
sources: [{ id: ts, provider: trackscore, secrets: [${SECRET}] }]
routes: ${routes ? `[${route}]` : '[]'}
`,
  );
  const relay = await startChild(
    [process.execPath, resolve(__dirname, '../packages/relay/bin/hookbridge.js'), 'serve', '--config', file],
    /Hookbridge relay on (http:\/\/\S+)/,
  );
  // A run writes hundreds of MB: its database goes with its relay, or with this process at the latest.
  relayDirs.add(dir);
  relay.child.once('exit', () => removeDir(dir));
  return relay;
}

const relayDirs = new Set();
function removeDir(dir) {
  rmSync(dir, { recursive: true, force: true });
  relayDirs.delete(dir);
}
process.on('exit', () => relayDirs.forEach(removeDir));

/**
 * Requests signed up front, so the load generator is not the bottleneck. A pool hands out each
 * request once, across every load() it feeds: a timed request is always a new event, never a
 * duplicate the relay answers without writing. `reuse` is for the bare server, which stores nothing.
 */
function presigned(count, { reuse = false } = {}) {
  const requests = Array.from({ length: count }, signed);
  let next = 0;
  return {
    size: count,
    take() {
      if (next >= requests.length) {
        if (!reuse) throw new Error(`bench: the pool of ${count} fresh events ran out; raise --pool so no timed request repeats an id`);
        next = 0;
      }
      return requests[next++];
    },
    get used() {
      return next;
    },
  };
}

/** Posts fresh pool entries to the relay's source for `duration` seconds, or exactly `amount` of them. */
function load(url, { duration, amount, connections, pool }) {
  return new Promise((resolvePromise, reject) => {
    autocannon(
      {
        url: `${url}/hooks/ts`,
        connections,
        // autocannon refuses a `duration` key left undefined.
        ...(amount === undefined ? { duration } : { amount }),
        requests: [{ method: 'POST', setupRequest: (req) => ({ ...req, ...pool.take() }) }],
      },
      (err, result) => (err ? reject(err) : resolvePromise(result)),
    );
  });
}

/** Fails the run unless every answer was 202 (stored, new): a 200 is a duplicate, which writes nothing. */
function assertFresh(what, result) {
  const codes = Object.fromEntries(Object.entries(result.statusCodeStats ?? {}).map(([code, { count }]) => [code, count]));
  const other = Object.entries(codes).filter(([code]) => code !== '202');
  if (other.length || result.errors || result.timeouts) {
    throw new Error(
      `bench: ${what} was not all fresh, stored events: status counts ${JSON.stringify(codes)}, errors ${result.errors}, timeouts ${result.timeouts}`,
    );
  }
  return codes['202'] ?? 0;
}

/** A local destination that answers 200 and counts what it received. */
async function countingSink() {
  const sink = { delivered: 0, url: '', close: () => server.close() };
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      sink.delivered++;
      res.writeHead(200).end();
    });
  });
  sink.url = await listen(server);
  return sink;
}

async function rssOf(url) {
  const text = await (await fetch(`${url}/metrics`)).text();
  return Number(/^hookbridge_process_resident_memory_bytes (\d+)/m.exec(text)[1]);
}

async function run({
  roundCount = arg('rounds', 5),
  phase = arg('phase', 3),
  duration = arg('duration', 10),
  connections = arg('connections', 50),
  events = arg('events', 20000),
  log = console.log,
} = {}) {
  const sink = await countingSink();
  const sinkUrl = sink.url;

  const pool = presigned(50_000, { reuse: true });
  const bare = await bareServer();
  // Intake alone: verify + dedupe + durable store, no deliveries competing for the CPU.
  const intakeOnly = await relayServer(`${sinkUrl}/sink`, { routes: false });
  // Every intake request, warm-up included, is a new event.
  const intakePool = presigned(arg('pool', 250_000));
  // Warm-up (JIT, SQLite page cache), not counted.
  await load(bare.url, { duration: 2, connections, pool });
  assertFresh('intake warm-up', await load(intakeOnly.url, { duration: 2, connections, pool: intakePool }));
  const rounds = [];
  for (let r = 0; r < roundCount; r++) {
    const b = await cpuPerRequest({ server: () => [bare.child.pid] }, () => load(bare.url, { duration: phase, connections, pool }));
    const i = await cpuPerRequest({ server: () => [intakeOnly.child.pid] }, () =>
      load(intakeOnly.url, { duration: phase, connections, pool: intakePool }),
    );
    const [bareResult, intakeResult] = [b.result, i.result];
    assertFresh(`intake round ${r + 1}`, intakeResult);
    rounds.push({
      bareResult,
      intakeResult,
      ratio: intakeResult.requests.average / bareResult.requests.average,
      cpu: { bare: b.cpu, intake: i.cpu },
    });
  }
  bare.child.kill();
  intakeOnly.child.kill('SIGTERM');
  const ratio = median(rounds.map((r) => r.ratio));
  const middle = rounds.find((r) => r.ratio === ratio) ?? rounds[0];
  const { bareResult, intakeResult } = middle;

  const relay = await relayServer(`${sinkUrl}/sink`);
  const relayPool = presigned(arg('pool', 250_000));
  const relayResult = await load(relay.url, { duration, connections, pool: relayPool });
  const accepted = assertFresh('intake while delivering', relayResult);
  // Drain what intake accepted, then measure end-to-end throughput on a fresh burst.
  while (sink.delivered < accepted) await new Promise((r) => setTimeout(r, 50));

  const rssStart = await rssOf(relay.url);
  const startDelivered = sink.delivered;
  const burstPool = presigned(events);
  const t0 = Date.now();
  assertFresh('burst', await load(relay.url, { amount: events, connections, pool: burstPool }));
  const intakeDone = Date.now();
  while (sink.delivered - startDelivered < events) await new Promise((r) => setTimeout(r, 20));
  // Every event once: more than `events` at the sink would be duplicates, which this figure must not count.
  await new Promise((r) => setTimeout(r, 500));
  if (sink.delivered - startDelivered !== events) {
    throw new Error(`bench: the sink received ${sink.delivered - startDelivered} deliveries for ${events} events (duplicates)`);
  }
  const seconds = (Date.now() - t0) / 1000;
  const rssEnd = await rssOf(relay.url);
  relay.child.kill('SIGTERM');
  sink.close();

  const row = (name, r) => ({
    server: name,
    'req/s': fmt(r.requests.average),
    'p50 ms': r.latency.p50,
    'p99 ms': r.latency.p99,
    '2xx': fmt(r['2xx']),
    errors: r.errors + r.non2xx,
  });
  log(
    `bench/relay — ${connections} connections, signed 1 KiB events; bare vs intake in ${roundCount} alternating rounds of ${phase}s (median round shown), ` +
      `intake while delivering ${duration}s`,
  );
  log(
    table([
      row('bare node:http (read body, 200)', bareResult),
      row('relay intake: verify + dedupe + durable store', intakeResult),
      row('relay intake while delivering to a sink', relayResult),
    ]),
  );
  log(`every timed intake request was a new event (${fmt(intakePool.used)} distinct ids, all answered 202)`);
  log(`ratio intake / bare: ${ratio.toFixed(2)}x median of rounds [${rounds.map((r) => r.ratio.toFixed(2)).join(', ')}] (target ≥ 0.50x)`);
  const cpu = (server, who) => median(rounds.map((r) => r.cpu[server][who] ?? NaN)).toFixed(0);
  log(
    `CPU per request (median of rounds, µs, all threads): bare server ${cpu('bare', 'server')} + load generator ${cpu('bare', 'load generator')}; ` +
      `relay ${cpu('intake', 'server')} + load generator ${cpu('intake', 'load generator')}. The load generator is one thread: ` +
      `at the bare server's rate it uses ${((bareResult.requests.average * cpu('bare', 'load generator')) / 1e4).toFixed(0)}% of a core`,
  );
  log(`ratio intake while delivering / bare: ${(relayResult.requests.average / bareResult.requests.average).toFixed(2)}x`);
  log(
    `end to end: ${fmt(events)} events received, stored and delivered to a local sink in ${seconds.toFixed(1)} s = ${fmt(events / seconds)} events/s ` +
      `(intake alone ${fmt(events / ((intakeDone - t0) / 1000))}/s; target ≥ 2,000/s)`,
  );
  log(`memory: RSS ${fmt(rssStart / 1048576)} MiB before the burst, ${fmt(rssEnd / 1048576)} MiB after ${fmt(events)} more events`);
}

/** `--storage postgres`: the storage comparison instead of the SQLite figures. */
function runSelected(options) {
  const i = process.argv.indexOf('--storage');
  if (i > 0 && process.argv[i + 1] === 'postgres') return require('./relay-storage').run(options);
  if (i > 0) throw new Error(`bench/relay: --storage takes "postgres" (SQLite is the default), not ${process.argv[i + 1]}`);
  return run(options);
}

if (require.main === module) runSelected().catch((e) => (console.error(e), process.exit(1)));
module.exports = { run: runSelected, relayServer, bareServer, signed, presigned, assertFresh, countingSink, load };
