// The Node entry's defaults (undici transport, timers), as users of @hookbridge/core get them.
import '../index';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { deliver, type DeliverOptions } from './deliver';
import { detectDestination } from './destination';
import { parseRetryAfter, retryDelay, DEFAULT_RETRY_POLICY } from './policy';
import { getProvider } from '../providers';
import { verifyWebhook } from '../verify';

type Handler = (req: IncomingMessage, res: ServerResponse, body: string, n: number) => void;

/** A local sink that answers with whatever script the test gives it. */
async function sink(
  handler: Handler,
): Promise<{ url: string; server: Server; requests: { headers: IncomingMessage['headers']; body: string }[] }> {
  const requests: { headers: IncomingMessage['headers']; body: string }[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString();
      requests.push({ headers: req.headers, body });
      handler(req, res, body, requests.length);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, server, requests };
}

const servers: Server[] = [];
afterAll(() =>
  Promise.all(
    servers.map(
      (s) =>
        new Promise((r) => {
          s.close(r);
          s.closeAllConnections();
        }),
    ),
  ),
);
async function open(handler: Handler) {
  const s = await sink(handler);
  servers.push(s.server);
  return s;
}

/** Loopback allowed explicitly (the guard refuses it by default); a fake clock records the waits. */
function local(extra: DeliverOptions = {}): DeliverOptions & { waits: number[] } {
  const waits: number[] = [];
  return { guard: { allowLoopback: true, allowHttpHosts: ['127.0.0.1'] }, sleep: async (ms) => void waits.push(ms), waits, ...extra };
}

test("Trakkr's webhook docs schedule: 3 retries after 1 s, 2 s, 4 s on 5xx, then dead", async () => {
  const s = await open((_q, res) => res.writeHead(500).end('boom'));
  const o = local();
  const result = await deliver({ url: s.url, body: { hello: 'world' } }, o);
  expect(result.ok).toBe(false);
  expect(result.error?.code).toBe('retries_exhausted');
  expect(o.waits).toEqual([1000, 2000, 4000]);
  expect(result.attempts.map((a) => a.status)).toEqual([500, 500, 500, 500]);
  expect(s.requests).toHaveLength(4);
  expect(s.requests[0]!.headers['content-type']).toBe('application/json');
});

test('500 then success: two attempts, ok', async () => {
  const s = await open((_q, res, _b, n) => res.writeHead(n === 1 ? 503 : 200).end());
  const o = local();
  const result = await deliver({ url: s.url, body: 'x' }, o);
  expect(result).toMatchObject({ ok: true, status: 200 });
  expect(result.attempts).toHaveLength(2);
  expect(o.waits).toEqual([1000]);
});

test('429 waits Retry-After in seconds and as an HTTP date, capped', async () => {
  const date = new Date(Date.now() + 7000).toUTCString();
  const s = await open((_q, res, _b, n) => {
    if (n === 1) res.writeHead(429, { 'retry-after': '3' }).end();
    else if (n === 2) res.writeHead(429, { 'retry-after': date }).end();
    else if (n === 3) res.writeHead(429, { 'retry-after': '3600' }).end();
    else res.writeHead(204).end();
  });
  const o = local();
  const result = await deliver({ url: s.url, body: 'x' }, o);
  expect(result.ok).toBe(true);
  expect(o.waits[0]).toBe(3000);
  expect(o.waits[1]).toBeGreaterThan(5000);
  expect(o.waits[1]).toBeLessThanOrEqual(7000);
  expect(o.waits[2]).toBe(60_000);
});

test('4xx other than 408/429 is final; 410 included', async () => {
  for (const status of [400, 401, 404, 410, 422]) {
    const s = await open((_q, res) => res.writeHead(status).end('no'));
    const o = local();
    const result = await deliver({ url: s.url, body: 'x' }, o);
    expect(result).toMatchObject({ ok: false, status, error: { code: 'http_error', retryable: false } });
    expect(result.attempts).toHaveLength(1);
  }
  const s408 = await open((_q, res, _b, n) => res.writeHead(n === 1 ? 408 : 200).end());
  expect((await deliver({ url: s408.url, body: 'x' }, local())).attempts).toHaveLength(2);
});

test('a timeout is retried and logged', async () => {
  const s = await open((_q, res, _b, n) => {
    if (n === 1) setTimeout(() => res.writeHead(200).end(), 500);
    else res.writeHead(200).end();
  });
  const result = await deliver({ url: s.url, body: 'x' }, local({ policy: { timeoutMs: 100 } }));
  expect(result.ok).toBe(true);
  expect(result.attempts[0]!.error?.code).toBe('timeout');
});

test('connection refused is a retryable network error, then exhausted', async () => {
  const s = await open((_q, res) => res.end());
  const url = s.url;
  await new Promise((r) => s.server.close(r));
  servers.splice(servers.indexOf(s.server), 1);
  const o = local();
  const result = await deliver({ url, body: 'x' }, o);
  expect(result.error?.code).toBe('retries_exhausted');
  expect(result.attempts[0]!.error).toMatchObject({ code: 'network_error', message: expect.stringContaining('ECONNREFUSED') });
});

test('outbound auth and signing: bearer, basic, api_key, and a provider signature that verifies', async () => {
  const s = await open((_q, res) => res.writeHead(200).end());
  await deliver({ url: s.url, body: { a: 1 } }, local({ auth: { type: 'bearer', token: 'tok' } }));
  await deliver({ url: s.url, body: { a: 1 } }, local({ auth: { type: 'basic', username: 'u', password: 'p' } }));
  await deliver(
    { url: s.url, body: { a: 1 }, headers: { 'x-custom': 'c' } },
    local({ auth: { type: 'api_key', header: 'X-Api-Key', value: 'k' } }),
  );
  const trakkr = getProvider('trakkr');
  const payload = trakkr.samplePayload('citation_gained');
  await deliver({ url: s.url, body: payload as object }, local({ sign: { scheme: trakkr.scheme, secret: 'sek' } }));
  expect(s.requests[0]!.headers.authorization).toBe('Bearer tok');
  expect(s.requests[1]!.headers.authorization).toBe('Basic ' + Buffer.from('u:p').toString('base64'));
  expect(s.requests[2]!.headers).toMatchObject({ 'x-api-key': 'k', 'x-custom': 'c' });
  const signed = s.requests[3]!;
  expect(verifyWebhook({ headers: signed.headers, rawBody: signed.body }, { provider: 'trakkr', secrets: 'sek' }).type).toBe(
    'citation_gained',
  );
});

test('parseRetryAfter and retryDelay', () => {
  expect(parseRetryAfter('2')).toBe(2000);
  expect(parseRetryAfter('1.5')).toBe(1500);
  expect(parseRetryAfter(new Date(10_000).toUTCString(), 4000)).toBe(6000);
  expect(parseRetryAfter('soon')).toBeUndefined();
  expect([0, 1, 2, 3].map((n) => retryDelay(DEFAULT_RETRY_POLICY, n))).toEqual([1000, 2000, 4000, 8000]);
  const jittered = retryDelay({ ...DEFAULT_RETRY_POLICY, jitter: 0.5 }, 0, () => 1);
  expect(jittered).toBe(1500);
});

test.each([
  ['https://discord.com/api/webhooks/123/abc', 'discord'],
  ['https://hooks.slack.com/services/T0/B0/x', 'slack'],
  ['https://hooks.zapier.com/hooks/catch/1/2/', 'zapier'],
  ['https://hook.eu1.make.com/abc', 'make'],
  ['https://acme.webhook.office.com/webhookb2/x', 'teams_webhook'],
  ['https://prod-12.westus.logic.azure.com/workflows/x', 'teams_webhook'],
  ['https://example.com/hooks', 'webhook'],
  ['not a url', 'webhook'],
])('detectDestination(%s) = %s', (url, kind) => {
  expect(detectDestination(url)).toBe(kind);
});
