/**
 * Reliability with real processes: the built CLI as a child process, a real SQLite file,
 * sinks on 127.0.0.1. `npm test` builds first, so dist/ is current.
 */
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { createServer, type Server } from 'node:http';
import { startSink, tempDir, signedRequest } from './test-support';

const BIN = resolve(__dirname, '../bin/hookbridge.js');
const ADMIN = 'reliability-admin-token-0001';
const SECRET = 'reliability-secret-0001';

interface Proc {
  child: ChildProcess;
  url: string;
  output: () => string;
}

function startProcess(configFile: string): Promise<Proc> {
  const child = spawn(process.execPath, [BIN, 'serve', '--config', configFile], {
    env: { ...process.env, HOOKBRIDGE_LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (c: Buffer) => (out += c));
  child.stderr!.on('data', (c: Buffer) => (out += c));
  return new Promise((resolvePromise, reject) => {
    const timer = setTimeout(() => reject(new Error(`relay did not start:\n${out}`)), 15_000);
    const check = () => {
      const m = /Hookbridge relay on (http:\/\/[\d.:]+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolvePromise({ child, url: m[1]!, output: () => out });
      }
    };
    child.stdout!.on('data', check);
    child.once('exit', (code) => reject(new Error(`relay exited with ${code}:\n${out}`)));
  });
}

function config(dir: string, routes: string, extra = ''): string {
  const file = join(dir, 'hookbridge.yaml');
  writeFileSync(
    file,
    `server: { port: 0, adminToken: ${ADMIN}, allowInsecureDestinations: true }
storage: { path: ${join(dir, 'relay.db')} }
workers: { pollInterval: 50ms, concurrency: 16 }
${extra}
sources:
  - { id: ts, provider: trackscore, secrets: [${SECRET}] }
routes:
${routes}
`,
  );
  return file;
}

async function waitFor(check: () => boolean | Promise<boolean>, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function post(
  url: string,
  req: ReturnType<typeof signedRequest> | { body: Buffer; headers: Record<string, string> },
): Promise<number> {
  try {
    const res = await fetch(url, { method: 'POST', headers: req.headers, body: req.body });
    await res.arrayBuffer();
    return res.status;
  } catch {
    return 0;
  }
}

async function pool<T>(items: T[], concurrency: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < items.length) await fn(items[next++]!);
    }),
  );
}

const running: ChildProcess[] = [];
afterEach(() => {
  for (const child of running.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
});

test('kill -9 mid-stream: every acknowledged event is delivered after restart, none lost', async () => {
  const dir = tempDir('hb-crash-');
  const sink = await startSink();
  const file = config(dir, `  - { id: sink, sources: [ts], concurrency: 16, destination: { type: webhook, url: '${sink.url}' } }`);
  const first = await startProcess(file);
  running.push(first.child);
  const requests = Array.from({ length: 400 }, () => signedRequest('trackscore', SECRET, 'score.updated'));
  const acknowledged = new Set<string>();
  let answered = 0;
  await pool(requests, 16, async (req) => {
    const status = await post(`${first.url}/hooks/ts`, req);
    if (status === 202 || status === 200) acknowledged.add(req.id);
    if (++answered === 200) first.child.kill('SIGKILL');
  });
  await new Promise((r) => (first.child.exitCode !== null || first.child.signalCode ? r(null) : first.child.once('exit', r)));
  expect(acknowledged.size).toBeGreaterThanOrEqual(150);

  const second = await startProcess(file);
  running.push(second.child);
  const seen = () => new Set(sink.received.map((r) => r.json.id as string));
  await waitFor(() => [...acknowledged].every((id) => seen().has(id)), 30_000, 'every acknowledged event at the sink');
  // At least once: duplicates are possible after a crash, and the sink dedupes them by id.
  expect([...acknowledged].filter((id) => !seen().has(id))).toEqual([]);
  second.child.kill('SIGTERM');
  await sink.close();
}, 60_000);

test('a sink failing in every way for a while, then recovering: everything arrives; exhausted ones fail and replayable', async () => {
  const dir = tempDir('hb-flaky-');
  let phase = 'failing';
  let n = 0;
  const flaky = await startSink(() => {
    if (phase !== 'failing') return 200;
    const mode = n++ % 3;
    return mode === 0 ? 500 : mode === 1 ? { status: 429, headers: { 'retry-after': '1' } } : 'hang';
  });
  let doomedOk = false;
  const doomed = await startSink(() => (doomedOk ? 200 : 500));
  // A port nobody listens on for the first seconds: connection refused, then a sink appears there.
  const refusedPort = await new Promise<number>((r) => {
    const probe: Server = createServer().listen(0, '127.0.0.1', () => {
      const port = (probe.address() as { port: number }).port;
      probe.close(() => r(port));
    });
  });
  const lateReceived: string[] = [];
  const file = config(
    dir,
    `  - { id: flaky, sources: [ts], retry: { retries: 10, delays: [200ms, 400ms, 800ms] }, destination: { type: webhook, url: '${flaky.url}' } }
  - { id: refused, sources: [ts], retry: { retries: 10, delays: [200ms, 400ms, 800ms] }, destination: { type: webhook, url: 'http://127.0.0.1:${refusedPort}/late' } }
  - { id: doomed, sources: [ts], retry: { retries: 1, delays: [50ms] }, destination: { type: webhook, url: '${doomed.url}' } }`,
    'retry: { timeout: 300ms }',
  );
  const relay = await startProcess(file);
  running.push(relay.child);
  const requests = Array.from({ length: 30 }, () => signedRequest('trackscore', SECRET, 'ranking.changed'));
  await pool(requests, 5, async (req) => void expect(await post(`${relay.url}/hooks/ts`, req)).toBe(202));

  await new Promise((r) => setTimeout(r, 1500));
  phase = 'recovered';
  const late = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c));
    req.on('end', () => {
      lateReceived.push((JSON.parse(body) as { id: string }).id);
      res.writeHead(200).end();
    });
  }).listen(refusedPort, '127.0.0.1');

  const ids = requests.map((r) => r.id);
  await waitFor(() => ids.every((id) => flaky.received.some((r) => r.json.id === id)), 30_000, 'flaky sink to receive all');
  await waitFor(() => ids.every((id) => lateReceived.includes(id)), 30_000, 'refused sink to receive all');

  const cli = (...args: string[]) => promisify(execFile)(process.execPath, [BIN, ...args, '--url', relay.url, '--token', ADMIN]);
  await waitFor(
    async () =>
      (JSON.parse((await cli('deliveries', '--status', 'failed', '--route', 'doomed', '--json', '--limit', '100')).stdout) as unknown[])
        .length === 30,
    20_000,
    'doomed deliveries failed',
  );
  expect(doomed.received).toHaveLength(0);
  doomedOk = true;
  expect((await cli('replay', '--failed', '--route', 'doomed')).stdout).toContain('queued 30 deliveries again');
  await waitFor(() => doomed.received.length === 30, 20_000, 'replayed deliveries');
  relay.child.kill('SIGTERM');
  await new Promise((r) => relay.child.once('exit', r));
  await Promise.all([flaky.close(), doomed.close(), new Promise((r) => late.close(r))]);
}, 90_000);

test('a flood of bad requests mixed with good ones: good all delivered, nothing bad stored, memory bounded', async () => {
  const dir = tempDir('hb-flood-');
  const sink = await startSink();
  const file = config(dir, `  - { id: sink, sources: [ts], destination: { type: webhook, url: '${sink.url}' } }`);
  const relay = await startProcess(file);
  running.push(relay.child);
  const rss = async () => {
    const text = await (await fetch(`${relay.url}/metrics`)).text();
    return Number(/^hookbridge_process_resident_memory_bytes (\d+)/m.exec(text)![1]);
  };
  const before = await rss();
  const good = Array.from({ length: 150 }, () => signedRequest('trackscore', SECRET, 'participant.added'));
  const huge = Buffer.alloc(3 * 1024 * 1024, 0x61);
  const bad = [
    ...Array.from({ length: 300 }, () => ({ ...signedRequest('trackscore', 'wrong-secret'), expect: 401 })),
    ...Array.from({ length: 150 }, (_v, i) => ({
      body: Buffer.from(`garbage ${i} {{{`),
      headers: { 'x-trackscore-signature': 'sha256=zz' },
      expect: 401,
    })),
    ...Array.from({ length: 30 }, () => ({
      body: huge,
      headers: { 'content-type': 'application/json', 'x-trackscore-signature': 'sha256=' + '0'.repeat(64) },
      expect: 413,
    })),
  ];
  const mixed = [...good.map((g) => ({ ...g, expect: 202 })), ...bad].sort(() => Math.random() - 0.5);
  const statuses: Record<string, number> = {};
  await pool(mixed, 12, async (req) => {
    const status = await post(`${relay.url}/hooks/ts`, req);
    statuses[`${req.expect}->${status}`] = (statuses[`${req.expect}->${status}`] ?? 0) + 1;
  });
  expect(statuses['202->202']).toBe(150);
  expect(statuses['401->401']).toBe(450);
  // A huge body is cut off at the limit: 413, or a reset once the relay stops reading.
  expect((statuses['413->413'] ?? 0) + (statuses['413->0'] ?? 0)).toBe(30);

  await waitFor(() => sink.received.length >= 150, 20_000, 'good events delivered');
  expect(new Set(sink.received.map((r) => r.json.id))).toEqual(new Set(good.map((g) => g.id)));
  const events = (await (await fetch(`${relay.url}/admin/events?limit=500`, { headers: { authorization: `Bearer ${ADMIN}` } })).json()) as {
    data: unknown[];
  };
  expect(events.data).toHaveLength(150);
  const after = await rss();
  expect(after - before).toBeLessThan(200 * 1024 * 1024);
  relay.child.kill('SIGTERM');
  await new Promise((r) => relay.child.once('exit', r));
  expect(relay.child.exitCode).toBe(0);
  await sink.close();
}, 60_000);
