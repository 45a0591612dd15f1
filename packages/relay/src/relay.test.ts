import { Writable } from 'node:stream';
import { join } from 'node:path';
import pino from 'pino';
import { parseConfig, ConfigError } from './config/load';
import { Relay } from './relay';
import { SqliteDatabase } from './storage/sqlite';
import { startSink, tempDir, signedRequest } from './test-support';

const SECRETS = { trackscore: 'ts-secret-value-123', trophy: 'trophy-secret-value-456', trackpilots: 'tp-secret-value-789' };
const ADMIN = 'admin-token-0123456789abcdef';

function yaml(sinkUrl: string, extra = ''): string {
  return `
server: { adminToken: ${ADMIN}, allowInsecureDestinations: true }
storage: { path: ${join(tempDir(), 'relay.db')} }
retry: { retries: 2, delays: [30ms, 60ms], timeout: 500ms }
workers: { pollInterval: 20ms }
sources:
  - { id: ts, provider: trackscore, secrets: [old-secret-000000, ${SECRETS.trackscore}], maxBodyBytes: 64kb }
  - { id: trophy, provider: trophy, secrets: [${SECRETS.trophy}] }
  - { id: tp, provider: trackpilots, secrets: [${SECRETS.trackpilots}], toleranceSeconds: 60 }
routes:
  - { id: all-to-sink, sources: [ts, trophy, tp], destination: { type: webhook, url: '${sinkUrl}' } }
${extra}`;
}

interface Harness {
  relay: Relay;
  url: string;
  logs: string[];
  post: (
    path: string,
    req: { body: Buffer | string; headers: Record<string, string> },
  ) => Promise<{ status: number; json: Record<string, unknown> }>;
  admin: (path: string, init?: RequestInit, token?: string) => Promise<Response>;
  waitFor: (check: () => boolean | Promise<boolean>, ms?: number) => Promise<void>;
}

async function startRelay(text: string): Promise<Harness> {
  const logs: string[] = [];
  const logger = pino({ level: 'debug' }, new Writable({ write: (chunk, _e, cb) => (logs.push(String(chunk)), cb()) }));
  const relay = new Relay(parseConfig(text), { logger, print: (line) => logs.push(line) });
  const url = await relay.start(0);
  return {
    relay,
    url,
    logs,
    post: async (path, req) => {
      const res = await fetch(url + path, { method: 'POST', headers: req.headers, body: req.body });
      return { status: res.status, json: (await res.json()) as Record<string, unknown> };
    },
    admin: (path, init = {}, token = ADMIN) =>
      fetch(url + path, { ...init, headers: { ...(init.headers as object), authorization: `Bearer ${token}` } }),
    waitFor: async (check, ms = 5000) => {
      const end = Date.now() + ms;
      while (!(await check())) {
        if (Date.now() > end) throw new Error('timed out waiting');
        await new Promise((r) => setTimeout(r, 10));
      }
    },
  };
}

async function eventCount(relay: Relay): Promise<number> {
  return (await relay.store.stats(0)).totals.events;
}

async function metric(h: Harness, name: string, labels: string): Promise<number> {
  const text = await (await fetch(`${h.url}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${name}{`) && l.includes(labels));
  return line ? Number(line.split(' ').pop()) : 0;
}

describe('intake', () => {
  let sink: Awaited<ReturnType<typeof startSink>>;
  let h: Harness;
  beforeEach(async () => {
    sink = await startSink();
    h = await startRelay(yaml(sink.url));
  });
  afterEach(async () => {
    await h.relay.close(1000);
    await sink.close();
  });

  test('a signed event is answered 202 after it is stored, then delivered to the route', async () => {
    const req = signedRequest('trackscore', SECRETS.trackscore, 'score.updated');
    const res = await h.post('/hooks/ts', req);
    expect(res).toEqual({ status: 202, json: { ok: true, id: req.id, deliveries: 1 } });
    expect(await eventCount(h.relay)).toBe(1);
    await h.waitFor(() => sink.received.length === 1);
    expect(sink.received[0]!.json).toMatchObject({ id: req.id, provider: 'trackscore', type: 'score.updated', data: { new_score: 950 } });
    await h.waitFor(async () => (await h.relay.store.listDeliveries({ status: 'delivered', limit: 5 })).length === 1);
    expect(await metric(h, 'hookbridge_received_total', 'source="ts"')).toBe(1);
    expect(await metric(h, 'hookbridge_delivered_total', 'route="all-to-sink"')).toBe(1);
  });

  test('the node:http fast path and the Fastify route answer alike (query string, encoded id, inject)', async () => {
    const viaQuery = signedRequest('trackscore', SECRETS.trackscore);
    expect(await h.post('/hooks/ts?attempt=1', viaQuery)).toEqual({ status: 202, json: { ok: true, id: viaQuery.id, deliveries: 1 } });
    // A percent-encoded id is left to Fastify, which decodes it.
    const viaFastify = signedRequest('trackscore', SECRETS.trackscore);
    expect(await h.post('/hooks/%74s', viaFastify)).toEqual({ status: 202, json: { ok: true, id: viaFastify.id, deliveries: 1 } });
    const injected = signedRequest('trackscore', SECRETS.trackscore);
    const res = await h.relay.app.inject({ method: 'POST', url: '/hooks/ts', headers: injected.headers, payload: injected.body });
    expect([res.statusCode, res.json()]).toEqual([202, { ok: true, id: injected.id, deliveries: 1 }]);
    for (const path of ['/hooks/ts', '/hooks/%74s']) {
      const forged = signedRequest('trackscore', 'not-the-secret');
      expect(await h.post(path, forged)).toMatchObject({ status: 401, json: { ok: false, error: 'signature_mismatch' } });
    }
    expect(await eventCount(h.relay)).toBe(3);
  });

  test('rotation: an event signed with the old secret is accepted too', async () => {
    expect((await h.post('/hooks/ts', signedRequest('trackscore', 'old-secret-000000'))).status).toBe(202);
  });

  test('a duplicate is answered 200 with the original id and is not delivered again', async () => {
    const req = signedRequest('trophy', SECRETS.trophy, 'points.changed');
    const first = await h.post('/hooks/trophy', req);
    const second = await h.post('/hooks/trophy', req);
    expect(first.status).toBe(202);
    expect(second).toEqual({ status: 200, json: { ok: true, id: first.json.id, duplicate: true } });
    await h.waitFor(() => sink.received.length === 1);
    await new Promise((r) => setTimeout(r, 100));
    expect(sink.received).toHaveLength(1);
    expect(await metric(h, 'hookbridge_deduplicated_total', 'source="trophy"')).toBe(1);
  });

  test.each([
    ['bad signature', 'ts', () => ({ ...signedRequest('trackscore', 'wrong-secret') }), 401, 'signature_mismatch'],
    [
      'missing signature',
      'ts',
      () => ({ body: signedRequest('trackscore', 'x').body, headers: { 'content-type': 'application/json' } }),
      401,
      'missing_signature',
    ],
    [
      'stale timestamp',
      'tp',
      () => signedRequest('trackpilots', SECRETS.trackpilots, undefined, { timestamp: Math.floor(Date.now() / 1000) - 3600 }),
      401,
      'timestamp_out_of_tolerance',
    ],
    [
      'malformed JSON',
      'ts',
      () => {
        const body = Buffer.from('{"id": "x", ');
        const { headers } = signedRequest('trackscore', SECRETS.trackscore);
        const { getProvider } = jest.requireActual('@hookbridge/core') as typeof import('@hookbridge/core');
        return { body, headers: { ...headers, ...getProvider('trackscore').scheme.sign(body, { secret: SECRETS.trackscore }) } };
      },
      400,
      'invalid_json',
    ],
    [
      'oversized body',
      'ts',
      () => ({
        body: Buffer.alloc(100 * 1024, 0x20),
        headers: { 'content-type': 'application/json', 'x-trackscore-signature': 'sha256=' + '0'.repeat(64) },
      }),
      413,
      'body_too_large',
    ],
    ['unknown source', 'nope', () => signedRequest('trackscore', SECRETS.trackscore), 404, 'unknown_source'],
  ])('%s: refused, nothing stored, a counter incremented, no secret logged', async (_name, source, make, status, reason) => {
    const res = await h.post(`/hooks/${source}`, make());
    expect(res.status).toBe(status);
    expect(res.json.error).toBe(reason);
    expect(await eventCount(h.relay)).toBe(0);
    expect(await metric(h, 'hookbridge_rejected_total', `reason="${reason}"`)).toBe(1);
    const logs = h.logs.join('\n');
    expect(logs).toContain(reason);
    for (const secret of Object.values(SECRETS)) expect(logs).not.toContain(secret);
  });

  test('stored headers have signatures redacted', async () => {
    const req = signedRequest('trackscore', SECRETS.trackscore);
    await h.post('/hooks/ts', req);
    const detail = (await (await h.admin(`/admin/events/${req.id}`)).json()) as { headers: Record<string, string>; payload: unknown };
    expect(detail.headers['x-trackscore-signature']).toBe('[redacted]');
    expect(detail.payload).toEqual(req.payload);
  });
});

describe('routing, delivery, failures and replay', () => {
  test('event filters with wildcards and a `when` condition pick the routes', async () => {
    const sink = await startSink();
    const other = await startSink();
    const h = await startRelay(
      yaml(
        sink.url,
        `  - { id: big-scores, sources: [ts], events: ['score.*'], when: 'gt event.data.new_score 900', destination: { type: webhook, url: '${other.url}' } }
  - { id: small-scores, sources: [ts], events: ['score.*'], when: 'lt event.data.new_score 900', destination: { type: webhook, url: '${other.url}' } }`,
      ),
    );
    expect((await h.post('/hooks/ts', signedRequest('trackscore', SECRETS.trackscore, 'score.updated'))).json.deliveries).toBe(2);
    expect((await h.post('/hooks/ts', signedRequest('trackscore', SECRETS.trackscore, 'team.created'))).json.deliveries).toBe(1);
    await h.waitFor(() => other.received.length === 1 && sink.received.length === 2);
    await h.relay.close(1000);
    await sink.close();
    await other.close();
  });

  test('a failing sink is retried on the route policy, honours 429 Retry-After, then delivers', async () => {
    const starts: number[] = [];
    const sink = await startSink((n) => {
      starts.push(Date.now());
      if (n === 1) return 500;
      if (n === 2) return { status: 429, headers: { 'retry-after': '1' } };
      return 200;
    });
    const h = await startRelay(yaml(sink.url));
    await h.post('/hooks/ts', signedRequest('trackscore', SECRETS.trackscore));
    await h.waitFor(async () => (await h.relay.store.listDeliveries({ status: 'delivered', limit: 5 })).length === 1, 8000);
    expect(starts[2]! - starts[1]!).toBeGreaterThanOrEqual(950);
    const [delivery] = await h.relay.store.listDeliveries({ limit: 1 });
    expect(delivery).toMatchObject({ status: 'delivered', attempts: 3 });
    expect((await h.relay.store.deliveriesOf(delivery!.event_rowid))[0]!.attemptsLog.map((a) => a.status)).toEqual([500, 429, 200]);
    expect(await metric(h, 'hookbridge_retries_total', 'route="all-to-sink"')).toBe(2);
    await h.relay.close(1000);
    await sink.close();
  });

  test('exhausted deliveries fail, are notified, and replayable through the admin API', async () => {
    let failing = true;
    const sink = await startSink(() => (failing ? 503 : 200));
    const h = await startRelay(
      yaml(sink.url).replace("url: '" + sink.url + "' } }", `url: '${sink.url}' }, onFailure: { type: log, format: text } }`),
    );
    const req = signedRequest('trophy', SECRETS.trophy, 'streak.extended');
    const { json } = await h.post('/hooks/trophy', req);
    await h.waitFor(async () => (await h.relay.store.listDeliveries({ status: 'failed', limit: 5 })).length === 1);
    const gaveUp = (await h.relay.store.listDeliveries({ status: 'failed', limit: 5 }))[0]!;
    expect(gaveUp).toMatchObject({ attempts: 3, last_status: 503, last_error: expect.stringMatching(/^127\.0\.0\.1:\d+ answered 503$/) });
    expect(await metric(h, 'hookbridge_failed_total', 'route="all-to-sink"')).toBe(1);
    await h.waitFor(() => h.logs.some((l) => l.includes('delivery.failed') && l.includes('failed after 3 attempts: 127.0.0.1')));
    expect(h.logs.some((l) => l.includes('delivery failed after 3 attempts'))).toBe(true);
    expect(h.logs.join('\n')).not.toMatch(/Gave up after 1 attempt/);

    const failed = (await (await h.admin('/admin/deliveries?status=failed')).json()) as { data: unknown[] };
    expect(failed.data).toHaveLength(1);
    failing = false;
    const replay = (await (
      await h.admin('/admin/replay', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ failed: true, since: '1h' }),
      })
    ).json()) as { deliveries: number };
    expect(replay.deliveries).toBe(1);
    await h.waitFor(() => sink.received.length === 1);
    const byId = (await (
      await h.admin('/admin/replay', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ event: json.id }),
      })
    ).json()) as { deliveries: number };
    expect(byId.deliveries).toBe(1);
    await h.waitFor(() => sink.received.length === 2);
    // Each replay starts a new attempt budget; the history of every attempt stays, numbered on.
    await h.waitFor(async () => (await h.relay.store.listDeliveries({ status: 'delivered', limit: 5 })).length === 1);
    const detail = (await (await h.admin(`/admin/events/${json.id as string}`)).json()) as {
      deliveries: { attemptsLog: { attempt: number; status: number }[] }[];
    };
    expect(detail.deliveries[0]!.attemptsLog.map((a) => [a.attempt, a.status])).toEqual([
      [1, 503],
      [2, 503],
      [3, 503],
      [4, 200],
      [5, 200],
    ]);
    await h.relay.close(1000);
    await sink.close();
  });

  test('a rate-limited route keeps to its rate, and its backlog never delays another route', async () => {
    const slow = await startSink();
    const fast = await startSink();
    const h = await startRelay(
      yaml(fast.url).replace(
        `url: '${fast.url}' } }`,
        `url: '${fast.url}' } }\n  - { id: slow, sources: [ts], ratePerSecond: 2, destination: { type: webhook, url: '${slow.url}' } }`,
      ),
    );
    const started = Date.now();
    for (let i = 0; i < 12; i++) expect((await h.post('/hooks/ts', signedRequest('trackscore', SECRETS.trackscore))).status).toBe(202);
    // The unlimited route gets all twelve at once, whatever the slow one's backlog.
    await h.waitFor(() => fast.received.length === 12, 3000);
    const fastDone = Date.now() - started;
    await h.waitFor(() => slow.received.length >= 6, 8000);
    const slowSix = Date.now() - started;
    expect(fastDone).toBeLessThan(1500);
    // 2/s with a burst of 2: the sixth is sent about 2 s in, not at once.
    expect(slowSix).toBeGreaterThanOrEqual(1500);
    expect(slowSix).toBeLessThan(4000);
    // Nothing was postponed: every slow delivery took exactly one attempt.
    await h.waitFor(() => slow.received.length === 12, 8000);
    expect(
      (await h.relay.store.listDeliveries({ status: 'delivered', limit: 50 }))
        .filter((d) => d.route === 'slow')
        .every((d) => d.attempts === 1),
    ).toBe(true);
    await h.relay.close(1000);
    await slow.close();
    await fast.close();
  }, 30_000);

  test('deliveries of a route removed from the configuration are marked failed, saying why', async () => {
    const sink = await startSink();
    const text = yaml(sink.url);
    const first = await startRelay(text);
    const db = first.relay.config.storage.path;
    await first.relay.close(1000);
    // A delivery left pending for a route that the next configuration no longer has.
    const storage = new SqliteDatabase(db);
    storage.storeEvents([
      {
        source: 'ts',
        eventId: 'orphan-1',
        provider: 'trackscore',
        type: 'score.updated',
        occurredAt: '',
        receivedAt: Date.now(),
        headers: '{}',
        body: Buffer.from('{}'),
        event: '{}',
        routes: ['gone'],
      },
    ]);
    storage.close();
    const second = await startRelay(text.replace(/path: .*relay\.db/, `path: ${db}`));
    await second.waitFor(async () => (await second.relay.store.listDeliveries({ status: 'failed', limit: 5 })).length === 1);
    expect((await second.relay.store.listDeliveries({ status: 'failed', limit: 5 }))[0]).toMatchObject({
      route: 'gone',
      last_error: 'route "gone" is no longer configured',
    });
    await second.relay.close(1000);
    await sink.close();
  });

  test('a template error is final, not retried', async () => {
    const sink = await startSink();
    const h = await startRelay(
      yaml(sink.url).replace(`url: '${sink.url}' } }`, `url: '${sink.url}' }, template: { x: '{{nohelper brand.name}}' } }`),
    );
    await h.post('/hooks/ts', signedRequest('trackscore', SECRETS.trackscore));
    await h.waitFor(async () => (await h.relay.store.listDeliveries({ status: 'failed', limit: 5 })).length === 1);
    expect((await h.relay.store.listDeliveries({ status: 'failed', limit: 5 }))[0]).toMatchObject({
      attempts: 1,
      last_error: expect.stringContaining('nohelper'),
    });
    await h.relay.close(1000);
    await sink.close();
  });
});

describe('admin API and operations', () => {
  let h: Harness;
  let sink: Awaited<ReturnType<typeof startSink>>;
  beforeAll(async () => {
    sink = await startSink();
    h = await startRelay(yaml(sink.url));
  });
  afterAll(async () => {
    await h.relay.close(1000);
    await sink.close();
  });

  test('refuses missing and wrong tokens', async () => {
    expect((await fetch(`${h.url}/admin/events`)).status).toBe(401);
    expect((await h.admin('/admin/events', {}, 'wrong-token-wrong-token')).status).toBe(401);
    expect((await h.admin('/admin/replay', { method: 'POST' }, '')).status).toBe(401);
    expect((await h.admin('/admin/events')).status).toBe(200);
  });

  test('healthz, readyz, metrics', async () => {
    expect((await fetch(`${h.url}/healthz`)).status).toBe(200);
    expect((await fetch(`${h.url}/readyz`)).status).toBe(200);
    const metrics = await (await fetch(`${h.url}/metrics`)).text();
    for (const name of [
      'hookbridge_received_total',
      'hookbridge_rejected_total',
      'hookbridge_deduplicated_total',
      'hookbridge_delivered_total',
      'hookbridge_failed_total',
      'hookbridge_retries_total',
      'hookbridge_queue_depth',
      'hookbridge_delivery_latency_seconds',
    ]) {
      expect(metrics).toContain(`# TYPE ${name}`);
    }
  });

  test('lists events with delivery counts', async () => {
    const req = signedRequest('trackscore', SECRETS.trackscore);
    await h.post('/hooks/ts', req);
    await h.waitFor(() => sink.received.some((r) => r.json.id === req.id));
    await h.waitFor(async () => (await h.relay.store.listDeliveries({ status: 'delivered', limit: 50 })).length > 0);
    const { data } = (await (await h.admin('/admin/events?source=ts')).json()) as { data: { event_id: string; delivered: number }[] };
    expect(data.find((e) => e.event_id === req.id)).toMatchObject({ delivered: 1 });
  });

  test('without an admin token configured the admin API is disabled', async () => {
    const other = await startRelay(yaml(sink.url).replace(`adminToken: ${ADMIN}, `, ''));
    expect((await other.admin('/admin/events')).status).toBe(403);
    await other.relay.close(1000);
  });
});

describe('IP allow-list', () => {
  test('refuses addresses outside the list; trusts X-Forwarded-For only from a trusted proxy', async () => {
    const sink = await startSink();
    const text = yaml(sink.url).replace(
      `maxBodyBytes: 64kb }`,
      `maxBodyBytes: 64kb, allowIps: ['203.0.113.0/24'], trustedProxies: ['127.0.0.1'] }`,
    );
    const h = await startRelay(text);
    const req = signedRequest('trackscore', SECRETS.trackscore);
    expect((await h.post('/hooks/ts', req)).status).toBe(403);
    const forwarded = signedRequest('trackscore', SECRETS.trackscore);
    expect((await h.post('/hooks/ts', { ...forwarded, headers: { ...forwarded.headers, 'x-forwarded-for': '203.0.113.7' } })).status).toBe(
      202,
    );
    await h.relay.close(1000);
    await sink.close();
  });
});

test("a database written before the one-word rename reads its given-up deliveries as 'failed'", () => {
  const file = join(tempDir(), 'old.db');
  const storage = new SqliteDatabase(file);
  storage.db.exec(
    `INSERT INTO events (source, event_id, provider, type, occurred_at, received_at, headers, body, event) VALUES ('ts', 'e1', 'trackscore', 't', '', 0, '{}', x'7b7d', '{}');
     INSERT INTO deliveries (event_rowid, route, status, next_attempt_at, created_at, updated_at) VALUES (1, 'r', 'dead', 0, 0, 0);`,
  );
  storage.db.pragma('user_version = 1');
  storage.close();
  const reopened = new SqliteDatabase(file);
  expect(reopened.listDeliveries({ status: 'failed', limit: 5 }).map((d) => d.route)).toEqual(['r']);
  reopened.close();
});

describe('configuration errors are precise', () => {
  const base = (body: string) => `sources:\n  - { id: ts, provider: trackscore, secrets: [s] }\n${body}`;
  const problems = (text: string, env: NodeJS.ProcessEnv = {}) => {
    try {
      parseConfig(text, 'test.yaml', env);
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      return (error as ConfigError).problems;
    }
    throw new Error('no ConfigError');
  };

  test('path, expected and got', () => {
    expect(problems(base('server: { port: "eighty" }'))).toContainEqual('server.port: expected number, got "eighty"');
    expect(problems('sources:\n  - { id: ts, provider: acme, secrets: [s] }')[0]).toMatch(/^sources\[0\]\.provider: /);
    expect(problems(base('routes:\n  - { id: r, sources: [nope], destination: { type: log } }'))).toContainEqual(
      'routes[0].sources[0]: expected a source id (ts), got "nope"',
    );
    expect(problems(base('routes:\n  - { id: r, sources: [ts], destination: { type: log }, colour: red }'))).toContainEqual(
      'routes[0]: unknown key "colour"',
    );
    expect(problems(base('retry: { delays: [soon] }'))[0]).toContain('retry.delays[0]: expected a duration');
  });

  test('a missing environment variable names the variable and where it is used, as the one error there', () => {
    expect(problems('sources:\n  - { id: ts, provider: trackscore, secrets: ["${TS_SECRET}"] }')).toEqual([
      'sources[0].secrets[0]: environment variable TS_SECRET is not set',
    ]);
    expect(problems(base("routes:\n  - { id: r, sources: [ts], destination: { type: slack, webhookUrl: '${SLACK_URL}' } }"))).toEqual([
      'routes[0].destination.webhookUrl: environment variable SLACK_URL is not set',
    ]);
    expect(
      parseConfig('sources:\n  - { id: ts, provider: trackscore, secrets: ["${TS_SECRET}"] }', 'x', { TS_SECRET: 'abc' }).sources[0]!
        .secrets,
    ).toEqual(['abc']);
  });

  test('template and condition errors are caught at start, with line and column', () => {
    expect(problems(base('routes:\n  - { id: r, sources: [ts], destination: { type: log }, text: "{{#if x}} open" }'))[0]).toMatch(
      /^routes\[0\]\.text: Template syntax error/,
    );
    expect(problems(base('routes:\n  - { id: r, sources: [ts], destination: { type: log }, template: { a: ["{{/x}}"] } }'))[0]).toMatch(
      /^routes\[0\]\.template\.a\[0\]:/,
    );
  });

  test('YAML syntax errors give the line and column, with the line itself and a caret', () => {
    expect(problems('sources:\n  - { id: ts, provider: trackscore, secrets: [s]\nroutes: []\n')).toEqual([
      [
        'YAML syntax at line 3, column 1: Flow map in block collection must be sufficiently indented and end with a }',
        '      3 | routes: []',
        '        | ^',
      ].join('\n'),
    ]);
  });

  test('an unknown destination type lists the valid ones', () => {
    const text = base("routes:\n  - { id: r, sources: [ts], destination: { type: slak, webhookUrl: 'https://hooks.slack.com/x' } }");
    expect(problems(text)).toEqual(['routes[0].destination.type: unknown type "slak" (valid: slack, discord, teams, webhook, log)']);
  });

  test('the example configuration is valid', () => {
    const { loadConfig } = jest.requireActual('./config/load') as typeof import('./config/load');
    const config = loadConfig(join(__dirname, '../../../examples/relay/hookbridge.yaml'), {});
    expect(config.sources.map((s) => s.id)).toEqual(['trackscore', 'trakkr', 'trophy', 'trackpilots']);
  });
});

test('graceful stop: intake closes, readyz goes 503, the database closes', async () => {
  const sink = await startSink(() => 'hang');
  const h = await startRelay(yaml(sink.url));
  await h.post('/hooks/ts', signedRequest('trackscore', SECRETS.trackscore));
  await h.waitFor(() => sink.attempts() === 1);
  await h.relay.close(200);
  expect(h.relay.store.health().ok).toBe(false);
  await expect(fetch(`${h.url}/healthz`)).rejects.toThrow();
  await sink.close();
});

test('retention prunes delivered events older than the configured age, keeps the rest', async () => {
  const sink = await startSink();
  const h = await startRelay(yaml(sink.url));
  await h.post('/hooks/ts', signedRequest('trackscore', SECRETS.trackscore));
  await h.waitFor(async () => (await h.relay.store.listDeliveries({ status: 'delivered', limit: 5 })).length === 1);
  expect(await h.relay.store.prune(Date.now() - 60_000)).toBe(0);
  expect(await h.relay.store.prune(Date.now() + 1)).toBe(1);
  expect(await eventCount(h.relay)).toBe(0);
  await h.relay.close(1000);
  await sink.close();
});
