// bench/soak: memory of the relay over many events (default 1,000,000), received, stored and
// delivered to a local sink in chunks; samples the relay's RSS and V8 heap after each chunk.
// Options: node bench/soak.js [--events 1000000] [--chunk 50000] [--connections 50]
const { relayServer, presigned, assertFresh, countingSink, load } = require('./relay');
const { table, fmt, median } = require('./harness');

const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};

async function metric(url, name) {
  const text = await (await fetch(`${url}/metrics`)).text();
  return Number(new RegExp(`^hookbridge_${name} (\\S+)`, 'm').exec(text)[1]);
}

async function run({
  events = arg('events', 1_000_000),
  chunk = arg('chunk', 50_000),
  connections = arg('connections', 50),
  log = console.log,
} = {}) {
  const sink = await countingSink();
  const relay = await relayServer(`${sink.url}/sink`);
  const samples = [];
  const t0 = Date.now();
  let sent = 0;
  while (sent < events) {
    const n = Math.min(chunk, events - sent);
    const result = await load(relay.url, { amount: n, connections, pool: presigned(n) });
    assertFresh(`chunk at ${sent}`, result);
    sent += n;
    while (sink.delivered < sent) await new Promise((r) => setTimeout(r, 50));
    samples.push({
      events: sent,
      seconds: (Date.now() - t0) / 1000,
      rss: await metric(relay.url, 'process_resident_memory_bytes'),
      heap: await metric(relay.url, 'nodejs_heap_size_used_bytes'),
      external: await metric(relay.url, 'nodejs_external_memory_bytes'),
    });
    const s = samples.at(-1);
    log(`${fmt(s.events)} events, ${s.seconds.toFixed(0)} s: RSS ${fmt(s.rss / 1048576)} MiB, heap ${fmt(s.heap / 1048576)} MiB`);
  }
  relay.child.kill('SIGTERM');
  sink.close();

  const mib = (b) => fmt(b / 1048576);
  const third = Math.max(1, Math.floor(samples.length / 3));
  const early = samples.slice(0, third);
  const late = samples.slice(-third);
  const summary = (key) => ({ early: median(early.map((s) => s[key])), late: median(late.map((s) => s[key])) });
  const rss = summary('rss');
  const heap = summary('heap');
  log(`\nbench/soak — ${fmt(events)} events end to end (verify, store, deliver), ${connections} connections, chunks of ${fmt(chunk)}`);
  log(
    table(
      samples.map((s) => ({
        events: fmt(s.events),
        s: s.seconds.toFixed(0),
        'RSS MiB': mib(s.rss),
        'heap MiB': mib(s.heap),
        'external MiB': mib(s.external),
      })),
    ),
  );
  log(
    `median over the first and last third of the run: RSS ${mib(rss.early)} → ${mib(rss.late)} MiB (${((rss.late / rss.early - 1) * 100).toFixed(0)}%), ` +
      `heap ${mib(heap.early)} → ${mib(heap.late)} MiB (${((heap.late / heap.early - 1) * 100).toFixed(0)}%); ` +
      `${fmt(events / samples.at(-1).seconds)} events/s overall`,
  );
}

if (require.main === module) run().catch((e) => (console.error(e), process.exit(1)));
module.exports = { run };
