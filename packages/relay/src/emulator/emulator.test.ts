import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  INSECURE_GUARD,
  SubscriptionClient,
  SubscriptionError,
  listProviders,
  verifyWebhook,
  generateStandardSecret,
  apiAuth,
  type OutboundAuth,
} from '@hookbridge/core';
import { ProviderEmulator } from '.';

interface Received {
  headers: IncomingMessage['headers'];
  body: string;
}

/** A receiver on 127.0.0.1 that records what arrives and answers with a scripted status. */
async function receiver(statuses: number[] = []) {
  const received: Received[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ headers: req.headers, body: Buffer.concat(chunks).toString() });
      res.writeHead(statuses.shift() ?? 200).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`;
  return {
    url,
    received,
    close: () =>
      new Promise<void>((r) => {
        server.close(() => r());
        server.closeAllConnections();
      }),
  };
}

describe('subscription client against the Trakkr emulator', () => {
  let emulator: ProviderEmulator;
  let client: SubscriptionClient;
  let base: string;
  beforeEach(async () => {
    emulator = new ProviderEmulator({ provider: 'trakkr', apiKey: 'key_1', sleep: async () => undefined });
    base = await emulator.listen();
    client = new SubscriptionClient({
      guard: INSECURE_GUARD,
      provider: 'trakkr',
      baseUrl: base,
      apiKey: 'key_1',
      policy: { delaysMs: [50, 100, 200] },
    });
  });
  afterEach(() => emulator.close());

  test('create, list, get, test, delete — with a generated signing secret', async () => {
    const sink = await receiver();
    const created = await client.subscribe({ url: sink.url, events: ['citation_gained', 'citation_lost'], brand_id: 'brand-1' });
    expect(created).toMatchObject({
      object: 'webhook',
      url: sink.url,
      events: ['citation_gained', 'citation_lost'],
      brand_id: 'brand-1',
      active: true,
      provider: 'webhook',
    });
    expect(created.signing_secret).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/);
    expect(Date.parse(created.created_at)).not.toBeNaN();
    expect((await client.list()).map((s) => s.id)).toEqual([created.id]);
    expect(await client.get(created.id)).toMatchObject({ id: created.id });
    expect(await client.findByUrl(sink.url)).toHaveLength(1);

    const test = (await client.test(created.id)) as { ok: boolean; event_type: string };
    expect(test).toMatchObject({ ok: true, event_type: 'citation_gained' });
    const event = verifyWebhook(
      { headers: sink.received[0]!.headers, rawBody: sink.received[0]!.body },
      { provider: 'trakkr', secrets: created.signing_secret },
    );
    expect(event).toMatchObject({ type: 'citation_gained', brand: { id: 'brand-1' } });

    expect(await client.unsubscribe(created.id)).toEqual({ deleted: true, alreadyGone: false });
    expect(await client.unsubscribe(created.id)).toEqual({ deleted: true, alreadyGone: true });
    await expect(client.get(created.id)).rejects.toMatchObject({ code: 'not_found', status: 404 });
    await sink.close();
  });

  test('a wrong API key is a clear 401', async () => {
    const bad = new SubscriptionClient({ guard: INSECURE_GUARD, provider: 'trakkr', baseUrl: base, apiKey: 'nope' });
    const error = await bad.list().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SubscriptionError);
    expect(error).toMatchObject({ code: 'unauthorized', status: 401, message: expect.stringContaining('Invalid API key') });
  });

  test('missing fields: 422 with the provider message; brand_id checked before calling', async () => {
    await expect(client.subscribe({ url: 'http://127.0.0.1:1/x', events: [], brand_id: 'b' })).rejects.toMatchObject({
      code: 'validation_failed',
      status: 422,
      message: expect.stringContaining('events is required'),
    });
    await expect(client.subscribe({ url: 'http://127.0.0.1:1/x', events: ['citation_lost'] })).rejects.toMatchObject({
      code: 'validation_failed',
      message: 'Trakkr requires brand_id to subscribe',
    });
    await expect(
      client.subscribe({ url: 'http://127.0.0.1:1/x', events: ['citation_lost'], brand_id: 'b', auth_type: 'bearer' }),
    ).rejects.toThrow('auth_token is required');
  });

  test('429 with Retry-After is honoured (measured), then the call succeeds', async () => {
    emulator.injectFault(429, 1, '1');
    const start = Date.now();
    const real = new SubscriptionClient({ guard: INSECURE_GUARD, provider: 'trakkr', baseUrl: base, apiKey: 'key_1' });
    expect(await real.list()).toEqual([]);
    expect(Date.now() - start).toBeGreaterThanOrEqual(950);
  });

  test('500 then success', async () => {
    emulator.injectFault(500, 2);
    const waits: number[] = [];
    const c = new SubscriptionClient({
      guard: INSECURE_GUARD,
      provider: 'trakkr',
      baseUrl: base,
      apiKey: 'key_1',
      sleep: async (ms) => void waits.push(ms),
    });
    expect(await c.list()).toEqual([]);
    expect(waits).toEqual([1000, 2000]);
  });

  test('manual providers have no client: the error says where to set it up', () => {
    expect(() => new SubscriptionClient({ guard: INSECURE_GUARD, provider: 'trophy', baseUrl: base, apiKey: 'k' })).toThrow(
      /Trophy has no subscription API\. On the Webhooks page/,
    );
  });

  test("deliveries follow Trakkr's webhook docs: outbound auth, custom headers, 3 retries 1 s/2 s/4 s, logged", async () => {
    const sink = await receiver([500, 503, 500, 500]);
    const waits: number[] = [];
    const emu = new ProviderEmulator({ provider: 'trakkr', apiKey: 'k', sleep: async (ms) => void waits.push(ms) });
    const url = await emu.listen();
    const c = new SubscriptionClient({ guard: INSECURE_GUARD, provider: 'trakkr', baseUrl: url, apiKey: 'k' });
    await c.subscribe({
      url: sink.url,
      events: ['report_completed'],
      brand_id: 'b',
      auth_type: 'basic',
      auth_username: 'u',
      auth_password: 'p',
      headers: { 'x-team': 'growth' },
    });
    const [delivery] = await emu.trigger('report_completed');
    expect(delivery).toMatchObject({ ok: false, status: 500, event_type: 'report_completed' });
    expect(delivery!.attempts).toHaveLength(4);
    expect(waits).toEqual([1000, 2000, 4000]);
    expect(sink.received[0]!.headers).toMatchObject({
      authorization: 'Basic ' + Buffer.from('u:p').toString('base64'),
      'x-team': 'growth',
    });
    const log = (await (await fetch(`${url}/_emulator/deliveries`)).json()) as { data: unknown[] };
    expect(log.data).toHaveLength(1);
    await emu.close();
    await sink.close();
  });

  test('create is never blindly retried: after a timeout the client finds the subscription it made instead of making a second', async () => {
    const emu = new ProviderEmulator({ provider: 'trakkr' });
    const url = await emu.listen();
    const waits: number[] = [];
    const c = new SubscriptionClient({
      guard: INSECURE_GUARD,
      provider: 'trakkr',
      baseUrl: url,
      apiKey: 'test_api_key',
      policy: { timeoutMs: 150, delaysMs: [10, 10, 10] },
      sleep: async (ms) => void waits.push(ms),
    });
    emu.injectLatency(600); // the create is carried out, its answer comes after the client gave up
    const sub = await c.subscribe({ url: 'https://example.com/hooks/n8n-1', events: ['citation_lost'], brand_id: 'b' });
    expect(emu.subscriptions).toHaveLength(1);
    expect(sub.id).toBe(emu.subscriptions[0]!.id);
    expect(sub.signing_secret).toBe(emu.subscriptions[0]!.signing_secret);
    expect(waits).toEqual([10]);
    await emu.close();
  });

  test('create after an unclear failure with nothing created tries again; a 5xx that created nothing does not block', async () => {
    const emu = new ProviderEmulator({ provider: 'trakkr' });
    const url = await emu.listen();
    const c = new SubscriptionClient({
      guard: INSECURE_GUARD,
      provider: 'trakkr',
      baseUrl: url,
      apiKey: 'test_api_key',
      policy: { delaysMs: [10, 10, 10] },
    });
    emu.injectFault(502, 1);
    const sub = await c.subscribe({ url: 'https://example.com/hooks/n8n-2', events: ['citation_lost'], brand_id: 'b' });
    expect(emu.subscriptions.map((s) => s.id)).toEqual([sub.id]);
    await emu.close();
  });

  test('subscriptions survive a restart with --state', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'hb-emu-')), 'state.json');
    const first = new ProviderEmulator({ provider: 'trakkr', stateFile: file });
    const c1 = new SubscriptionClient({ guard: INSECURE_GUARD, provider: 'trakkr', baseUrl: await first.listen(), apiKey: 'test_api_key' });
    const sub = await c1.subscribe({ url: 'http://127.0.0.1:9/x', events: ['citation_lost'], brand_id: 'b' });
    await first.close();
    const second = new ProviderEmulator({ provider: 'trakkr', stateFile: file });
    const c2 = new SubscriptionClient({
      guard: INSECURE_GUARD,
      provider: 'trakkr',
      baseUrl: await second.listen(),
      apiKey: 'test_api_key',
    });
    expect((await c2.list()).map((s) => s.id)).toEqual([sub.id]);
    await second.close();
  });
});

describe("the provider API's auth type (Trakkr's webhook docs: bearer, api_key, basic, none)", () => {
  const cases: { name: string; demands: OutboundAuth; good: Parameters<typeof apiAuth>[0]; bad: Parameters<typeof apiAuth>[0] }[] = [
    {
      name: 'bearer',
      demands: { type: 'bearer', token: 'k1' },
      good: { authType: 'bearer', apiKey: 'k1' },
      bad: { authType: 'api_key', apiKeyHeader: 'Authorization', apiKey: 'k1' },
    },
    {
      name: 'api_key',
      demands: { type: 'api_key', header: 'X-Trakkr-Key', value: 'k2' },
      good: { authType: 'api_key', apiKeyHeader: 'x-trakkr-key', apiKey: 'k2' },
      bad: { authType: 'bearer', apiKey: 'k2' },
    },
    {
      name: 'basic',
      demands: { type: 'basic', username: 'acme', password: 'k3' },
      good: { authType: 'basic', username: 'acme', apiKey: 'k3' },
      bad: { authType: 'basic', username: 'acme', password: 'k4' },
    },
  ];
  test.each(cases)('$name: the matching credential lists hooks, another is a 401', async ({ demands, good, bad }) => {
    const emulator = new ProviderEmulator({ provider: 'trakkr', apiAuth: demands });
    const baseUrl = await emulator.listen();
    try {
      const client = new SubscriptionClient({ guard: INSECURE_GUARD, provider: 'trakkr', baseUrl, auth: apiAuth(good) });
      const created = await client.subscribe({ url: 'http://127.0.0.1:1/hook', events: ['citation_gained'], brand_id: 'b' });
      expect((await client.list()).map((s) => s.id)).toEqual([created.id]);
      const wrong = new SubscriptionClient({
        guard: INSECURE_GUARD,
        provider: 'trakkr',
        baseUrl,
        auth: apiAuth(bad),
        policy: { retries: 0 },
      });
      await expect(wrong.list()).rejects.toMatchObject({ code: 'unauthorized', status: 401 });
    } finally {
      await emulator.close();
    }
  });

  test('none: no credential header at all', async () => {
    const emulator = new ProviderEmulator({ provider: 'trakkr', apiAuth: { type: 'none' } });
    const baseUrl = await emulator.listen();
    try {
      expect(
        await new SubscriptionClient({ guard: INSECURE_GUARD, provider: 'trakkr', baseUrl, auth: apiAuth({ authType: 'none' }) }).list(),
      ).toEqual([]);
    } finally {
      await emulator.close();
    }
  });

  test('incomplete or invalid credentials fail before any call, with the reason', () => {
    expect(() => apiAuth({ authType: 'bearer' })).toThrow('The API key is empty');
    expect(() => apiAuth({ authType: 'api_key', apiKeyHeader: 'bad header', apiKey: 'k' })).toThrow(
      '"bad header" is not a valid header name',
    );
    expect(() => apiAuth({ authType: 'basic', apiKey: 'k' })).toThrow('Basic auth needs a username');
    expect(() => apiAuth({ authType: 'oauth', apiKey: 'k' })).toThrow('Unknown auth type "oauth"');
    expect(apiAuth({ authType: 'api_key', apiKey: 'k' })).toEqual({ type: 'api_key', header: 'X-API-Key', value: 'k' });
    expect(apiAuth({ apiKey: 'k' })).toEqual({ type: 'bearer', token: 'k' });
    expect(() => new SubscriptionClient({ guard: INSECURE_GUARD, provider: 'trakkr', baseUrl: 'http://127.0.0.1:1' })).toThrow(
      'Trakkr needs an API key',
    );
  });
});

describe('round trip: the emulator signs, the core verifies — every provider, every event type', () => {
  const cases = listProviders()
    .filter((p) => p.events.length)
    .flatMap((p) => p.events.map((e) => [p.id, e.type] as const));

  test.each(cases)('%s %s', async (providerId, type) => {
    const sink = await receiver();
    const secret = providerId === 'standard' ? generateStandardSecret() : `${providerId}-secret`;
    const emulator = new ProviderEmulator({ provider: providerId, targets: [{ url: sink.url, secret }] });
    const [delivery] = await emulator.trigger(type);
    expect(delivery).toMatchObject({ ok: true, status: 200 });
    const { headers, body } = sink.received[0]!;
    const event = verifyWebhook({ headers, rawBody: body }, { provider: providerId, secrets: [secret] });
    expect(event).toMatchObject({ provider: providerId, type, id: delivery!.event_id });
    expect(headers['content-type']).toBe('application/json');
    await emulator.close();
    await sink.close();
  });

  test('Standard Webhooks emulated too (any type)', async () => {
    const sink = await receiver();
    const secret = generateStandardSecret();
    const emulator = new ProviderEmulator({ provider: 'standard', targets: [{ url: sink.url, secret }] });
    const url = await emulator.listen();
    const res = await fetch(`${url}/_emulator/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ type: 'invoice.paid' }),
    });
    expect(res.status).toBe(200);
    const { headers, body } = sink.received[0]!;
    expect(verifyWebhook({ headers, rawBody: body }, { provider: 'standard', secrets: [secret] })).toMatchObject({
      type: 'invoice.paid',
      id: headers['webhook-id'],
    });
    await emulator.close();
    await sink.close();
  });
});
