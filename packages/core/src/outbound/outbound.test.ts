// The Node entry's defaults (undici transport, timers), as users of @hookbridge/core get them.
import '../index';
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { createServer, type Server } from 'node:net';
import type { AddressInfo } from 'node:net';
import { DeliveryError } from '../errors';
import { addressRefusal, checkUrl, INSECURE_GUARD } from './address-policy';
import { sendOnce } from './send';
import { SubscriptionClient } from '../subscriptions/client';
import type { HttpRequest, HttpTransport } from './transport';

/** A TCP listener that only counts connections: the proof that a refused address was never reached. */
async function listener(host = '127.0.0.1'): Promise<{ port: number; connections: () => number; server: Server }> {
  let count = 0;
  const server = createServer((socket) => {
    count++;
    socket.destroy();
  });
  await new Promise<void>((r) => server.listen(0, host, r));
  return { port: (server.address() as AddressInfo).port, connections: () => count, server };
}

const closing: (Server | HttpServer)[] = [];
afterAll(() => Promise.all(closing.map((s) => new Promise((r) => s.close(r)))));

async function counting(host?: string) {
  const l = await listener(host);
  closing.push(l.server);
  return l;
}

async function failure(promise: Promise<unknown>): Promise<DeliveryError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(DeliveryError);
  return error as DeliveryError;
}

describe('address policy: an allow-list of global unicast', () => {
  test.each([
    ['93.184.216.34', undefined],
    ['2606:4700:4700::1111', undefined],
    ['::ffff:8.8.8.8', undefined],
    ['127.0.0.1', 'loopback'],
    ['127.10.0.1', 'loopback'],
    ['::1', 'loopback'],
    ['::ffff:127.0.0.1', 'loopback'],
    ['10.1.2.3', 'private'],
    ['172.16.5.4', 'private'],
    ['192.168.1.1', 'private'],
    ['::ffff:10.0.0.1', 'private'],
    ['100.64.0.1', 'private address (carrierGradeNat)'],
    ['fd12:3456::1', 'private address (uniqueLocal)'],
    ['169.254.169.254', 'linkLocal'],
    ['fe80::1', 'linkLocal'],
    ['fd00:ec2::254', 'cloud metadata'],
    ['198.18.0.1', 'benchmarking'],
    ['64:ff9b::a00:1', 'NAT64'],
    ['2002:a00:1::1', '6to4'],
    ['fec0::1', 'site-local'],
    ['2001::1', 'Teredo'],
    ['0.0.0.0', 'unspecified'],
    ['::', 'unspecified'],
    ['224.0.0.1', 'multicast'],
    ['255.255.255.255', 'broadcast'],
    ['192.0.2.10', 'reserved'],
    ['2001:db8::1', 'documentation'],
    ['100::1', 'discard'],
    ['4000::1', 'not a global unicast'],
  ])('%s → %s', (address, reason) => {
    const refusal = addressRefusal(address);
    if (reason === undefined) expect(refusal).toBeUndefined();
    else expect(refusal).toContain(reason);
  });

  test('loopback and private ranges open only when the guard says so; link-local, metadata and translated ranges never', () => {
    expect(addressRefusal('127.0.0.1', { allowLoopback: true })).toBeUndefined();
    expect(addressRefusal('10.0.0.1', { allowLoopback: true })).toBeDefined();
    expect(addressRefusal('10.0.0.1', { allowPrivate: true })).toBeUndefined();
    expect(addressRefusal('100.64.3.3', { allowPrivate: true })).toBeUndefined();
    for (const address of ['169.254.169.254', '::ffff:169.254.169.254', 'fd00:ec2::254', '64:ff9b::7f00:1', '2002:7f00:1::', '0.0.0.0']) {
      expect(addressRefusal(address, INSECURE_GUARD)).toBeDefined();
    }
  });

  test('checkUrl: scheme, plain http and literal addresses are judged before any connection', () => {
    expect(() => checkUrl('ftp://example.com/x')).toThrow('is not http(s)');
    expect(() => checkUrl('http://example.com/x')).toThrow('Plain http to example.com is not allowed');
    expect(() => checkUrl('https://[::ffff:a9fe:a9fe]/latest')).toThrow('169.254.169.254');
    expect(() => checkUrl('https://2130706433/')).toThrow('loopback'); // 127.0.0.1 as one number
    expect(() => checkUrl('https://0x7f.1/')).toThrow('loopback');
    expect(checkUrl('https://hooks.slack.com/services/x').host).toBe('hooks.slack.com');
  });
});

describe('sendOnce: the one way out', () => {
  test('a refused literal address is never connected to (https, http and mapped IPv6 forms)', async () => {
    const l = await counting();
    for (const url of [`https://127.0.0.1:${l.port}/`, `http://127.0.0.1:${l.port}/`, `http://[::ffff:127.0.0.1]:${l.port}/`]) {
      const error = await failure(sendOnce({ url, body: 'x' }, { guard: { allowHttpHosts: ['*'] } }));
      expect(error.code).toBe('destination_refused');
    }
    expect(l.connections()).toBe(0);
  });

  test('a name that resolves to a refused address is refused at connect time (DNS rebinding safe)', async () => {
    const l = await counting();
    const error = await failure(sendOnce({ url: `http://localhost:${l.port}/`, body: 'x' }, { guard: { allowHttpHosts: ['localhost'] } }));
    expect(error).toMatchObject({ code: 'destination_refused', message: expect.stringContaining('localhost resolves to') });
    expect(l.connections()).toBe(0);
  });

  test('redirects are answers, never followed', async () => {
    const target = await counting();
    const redirect = createHttpServer((_req, res) => res.writeHead(302, { location: `http://127.0.0.1:${target.port}/` }).end());
    await new Promise<void>((r) => redirect.listen(0, '127.0.0.1', r));
    closing.push(redirect);
    const url = `http://127.0.0.1:${(redirect.address() as AddressInfo).port}/`;
    const error = await failure(sendOnce({ url, body: 'x' }, { guard: INSECURE_GUARD }));
    expect(error).toMatchObject({ code: 'http_error', status: 302, retryable: false });
    expect(target.connections()).toBe(0);
  });

  test('a silent server times out with a typed, retryable error that names the host and no secret', async () => {
    const silent = createHttpServer(() => undefined);
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    closing.push(silent);
    const port = (silent.address() as AddressInfo).port;
    const secret = 'xoxb-very-secret-token';
    const error = await failure(
      sendOnce(
        { url: `http://127.0.0.1:${port}/hook?token=${secret}`, headers: { authorization: `Bearer ${secret}` }, body: { secret } },
        { guard: INSECURE_GUARD, timeoutMs: 150 },
      ),
    );
    expect(error).toMatchObject({ code: 'timeout', retryable: true, message: expect.stringContaining(`127.0.0.1:${port}`) });
    expect(error.message).not.toContain(secret);
    silent.closeAllConnections();
  });

  test('a refused connection is marked as never sent (safe to retry blindly)', async () => {
    const l = await counting();
    await new Promise((r) => l.server.close(r));
    const error = await failure(sendOnce({ url: `http://127.0.0.1:${l.port}/`, body: 'x' }, { guard: INSECURE_GUARD }));
    expect(error).toMatchObject({ code: 'network_error', notSent: true, retryable: true });
  });

  test('the REST-hook client goes the same way out: a provider API on a refused address is never connected to', async () => {
    const l = await counting();
    const client = new SubscriptionClient({
      provider: 'trakkr',
      baseUrl: `https://localhost:${l.port}`,
      apiKey: 'k',
      policy: { retries: 0 },
    });
    await expect(client.list()).rejects.toMatchObject({ code: 'network_error', message: expect.stringContaining('localhost resolves to') });
    const literal = new SubscriptionClient({
      provider: 'trakkr',
      baseUrl: `https://127.0.0.1:${l.port}`,
      apiKey: 'k',
      policy: { retries: 0 },
    });
    await expect(literal.subscribe({ url: 'https://example.com/h', events: ['citation_lost'], brand_id: 'b' })).rejects.toMatchObject({
      message: expect.stringContaining('loopback'),
    });
    expect(l.connections()).toBe(0);
  });

  test('the transport is injectable: a host sends the bytes, the address policy still judges the URL first', async () => {
    const seen: HttpRequest[] = [];
    const host: HttpTransport = async (request) => {
      seen.push(request);
      return { status: 429, headers: { 'retry-after': '3' }, body: 'slow down' };
    };
    const error = await failure(
      sendOnce({ url: 'https://api.example.com/v1/webhooks', method: 'PUT', body: { a: 1 } }, { transport: host, timeoutMs: 1234 }),
    );
    expect(error).toMatchObject({ code: 'rate_limited', status: 429, retryAfterMs: 3000, retryable: true });
    expect(seen).toEqual([
      {
        method: 'PUT',
        url: 'https://api.example.com/v1/webhooks',
        headers: expect.objectContaining({ 'content-type': 'application/json', 'user-agent': expect.stringContaining('Hookbridge') }),
        body: '{"a":1}',
        timeoutMs: 1234,
      },
    ]);
    await failure(sendOnce({ url: 'https://10.0.0.8/x', body: 'x' }, { transport: host }));
    expect(seen).toHaveLength(1);
  });
});
