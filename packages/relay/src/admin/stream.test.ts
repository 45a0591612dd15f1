import type { Readable } from 'node:stream';
import { request } from 'undici';
import { Writable } from 'node:stream';
import pino from 'pino';
import { parseConfig } from '../config/load';
import { Relay } from '../relay';
import type { LiveEvent } from '../live';

const TOKEN = 'admin-token-0123456789abcdef';

/**
 * A console's stream, read with undici: not node:http's `request`, which zapier-platform-core
 * (loaded by the Zapier tests in the same Jest worker) replaces with a two-argument version.
 */
async function openStream(url: string): Promise<Readable> {
  const { statusCode, body } = await request(`${url}/admin/stream`, { headers: { authorization: `Bearer ${TOKEN}` } });
  expect(statusCode).toBe(200);
  return body;
}

test('a console that stops reading is dropped once it falls 1 MiB behind; one that reads keeps every event', async () => {
  const logs: string[] = [];
  const logger = pino({ level: 'info' }, new Writable({ write: (chunk, _e, cb) => (logs.push(String(chunk)), cb()) }));
  const config = parseConfig(`
server: { adminToken: ${TOKEN} }
storage: { path: ':memory:' }
sources: [{ id: ts, provider: trackscore, secrets: [s] }]
`);
  const relay = new Relay(config, { logger, print: () => undefined });
  const url = await relay.start(0);
  const clients: Readable[] = [];
  try {
    const stalled = await openStream(url);
    clients.push(stalled);
    stalled.pause(); // reads nothing more: the kernel buffers fill, then the relay's would
    const reader = await openStream(url);
    clients.push(reader);
    let received = 0;
    let text = '';
    reader.setEncoding('utf8');
    reader.on('data', (chunk: string) => {
      text += chunk;
      const blocks = text.split('\n\n');
      text = blocks.pop()!;
      received += blocks.filter((b) => b.startsWith('event: event')).length;
    });
    expect(relay.feed.listenerCount('event')).toBe(2);

    // 3,000 events of ~8 KiB (24 MiB): far more than sockets buffer. Paced by the live reader, so it
    // never falls more than one batch behind, however loaded the machine is.
    const padding = 'x'.repeat(8000);
    const total = 3000;
    const waitFor = async (check: () => boolean) => {
      const end = Date.now() + 20_000;
      while (!check() && Date.now() < end) await new Promise((r) => setTimeout(r, 5));
    };
    for (let i = 0; i < total; i += 20) {
      for (let j = i; j < i + 20; j++) {
        const event: LiveEvent = {
          rowid: j,
          source: 'ts',
          eventId: `e${j}-${padding}`,
          type: 't',
          provider: 'trackscore',
          deliveries: 0,
          receivedAt: 0,
        };
        relay.feed.emit('event', event);
      }
      await waitFor(() => received >= i + 20);
    }
    await waitFor(() => received >= total && relay.feed.listenerCount('event') === 1);
    expect(received).toBe(total);
    expect(relay.feed.listenerCount('event')).toBe(1); // only the reader is still subscribed
    expect(logs.some((l) => l.includes('fell too far behind'))).toBe(true);
  } finally {
    for (const client of clients) client.destroy();
    await relay.close(1000);
  }
}, 60_000);

test('a graceful stop ends open console streams instead of waiting for them forever', async () => {
  const relay = new Relay(
    parseConfig(
      `server: { adminToken: ${TOKEN} }\nstorage: { path: ':memory:' }\nsources: [{ id: ts, provider: trackscore, secrets: [s] }]\n`,
    ),
    {
      logger: pino({ level: 'silent' }),
      print: () => undefined,
    },
  );
  const stream = await openStream(await relay.start(0));
  stream.resume();
  const ended = new Promise<void>((r) => stream.on('end', () => r()));
  const started = Date.now();
  await relay.close(1000);
  await ended;
  expect(Date.now() - started).toBeLessThan(5000);
});
