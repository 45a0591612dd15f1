import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { getProvider, type TrackScoreEvent } from '../providers';
import { Receiver } from './receiver';
import { createNodeMiddleware } from './node';
import { createFetchHandler } from './web';

const secret = 'ts_secret';
const profile = getProvider('trackscore');

function signed(type: string, id: string) {
  const body = Buffer.from(JSON.stringify(profile.samplePayload(type, { id })));
  return { body, headers: { 'content-type': 'application/json', ...profile.scheme.sign(body, { secret }) } };
}

describe('Receiver', () => {
  test('dispatches to on(type) and onAny, narrowing the event type', async () => {
    const receiver = new Receiver<TrackScoreEvent>({ provider: 'trackscore', secrets: [secret] });
    const scores: number[] = [];
    const all: string[] = [];
    receiver.on('score.updated', (e) => scores.push(e.data.new_score)).onAny((e) => all.push(e.type));
    const { body, headers } = signed('score.updated', 'wh_1');
    const result = await receiver.receive({ headers, rawBody: body });
    expect(result).toMatchObject({ status: 200, body: { ok: true, id: 'wh_1', duplicate: false } });
    expect(scores).toEqual([950]);
    expect(all).toEqual(['score.updated']);
  });

  test('a signed event of a type not in the catalogue is accepted (200) by default; 422 only with unknownEvents: reject', async () => {
    const payload = { ...(profile.samplePayload('score.updated', { id: 'wh_new' }) as object), type: 'season.started' };
    const body = Buffer.from(JSON.stringify(payload));
    const headers = profile.scheme.sign(body, { secret });
    const seen: string[] = [];
    const receiver = new Receiver({ provider: 'trackscore', secrets: [secret] }).onAny((e) => seen.push(e.type));
    expect(await receiver.receive({ headers, rawBody: body })).toMatchObject({ status: 200, body: { ok: true, type: 'season.started' } });
    expect(seen).toEqual(['season.started']);
    const strict = new Receiver({ provider: 'trackscore', secrets: [secret], unknownEvents: 'reject' });
    expect(await strict.receive({ headers, rawBody: body })).toMatchObject({ status: 422, body: { ok: false, error: 'unknown_event' } });
  });

  test('a retried delivery is answered 200 and not dispatched twice', async () => {
    const receiver = new Receiver({ provider: 'trackscore', secrets: [secret] });
    let calls = 0;
    receiver.onAny(() => calls++);
    const { body, headers } = signed('team.created', 'wh_dup');
    await receiver.receive({ headers, rawBody: body });
    const again = await receiver.receive({ headers, rawBody: body });
    expect(again.body).toMatchObject({ ok: true, duplicate: true });
    expect(calls).toBe(1);
  });

  test('a failing handler answers 500 and releases the id so the provider retry is handled', async () => {
    const receiver = new Receiver({ provider: 'trackscore', secrets: [secret] });
    let attempts = 0;
    receiver.onAny(() => {
      attempts++;
      if (attempts === 1) throw new Error('database down');
    });
    const { body, headers } = signed('team.created', 'wh_fail');
    expect((await receiver.receive({ headers, rawBody: body })).status).toBe(500);
    expect((await receiver.receive({ headers, rawBody: body })).body).toMatchObject({ ok: true, duplicate: false });
    expect(attempts).toBe(2);
  });
});

describe('node:http adapter on a real server', () => {
  let server: Server;
  let url: string;
  const seen: string[] = [];
  beforeAll(async () => {
    const receiver = new Receiver({ provider: 'trackscore', secrets: [secret], maxBodyBytes: 4096 }).onAny((e) => seen.push(e.id));
    server = createServer(createNodeMiddleware(receiver, { maxBodyBytes: 4096 }));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks/trackscore`;
  });
  afterAll(() => new Promise((r) => server.close(r)));

  test('200 for a signed event, 401 with a reason for a forged one', async () => {
    const { body, headers } = signed('score.updated', 'wh_http');
    const ok = await fetch(url, { method: 'POST', headers, body });
    expect(ok.status).toBe(200);
    expect(seen).toContain('wh_http');
    const forged = await fetch(url, {
      method: 'POST',
      headers: { ...headers, 'x-trackscore-signature': 'sha256=' + '0'.repeat(64) },
      body,
    });
    expect(forged.status).toBe(401);
    expect(await forged.json()).toMatchObject({ ok: false, error: 'signature_mismatch' });
  });

  test('400 for malformed JSON, 413 for an oversized body, 405 for GET', async () => {
    const bad = Buffer.from('{"id":');
    const res = await fetch(url, { method: 'POST', headers: profile.scheme.sign(bad, { secret }), body: bad });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: string }).error).toBe('invalid_json');
    const huge = Buffer.alloc(100_000, 0x20);
    const big = await fetch(url, { method: 'POST', headers: profile.scheme.sign(huge, { secret }), body: huge });
    expect(big.status).toBe(413);
    expect((await fetch(url)).status).toBe(405);
  });
});

describe('Fetch adapter', () => {
  const receiver = new Receiver({ provider: 'trackscore', secrets: [secret] });
  const POST = createFetchHandler(receiver, { maxBodyBytes: 2048 });

  test('Request → Response with the same statuses', async () => {
    const { body, headers } = signed('leaderboard.created', 'wh_fetch');
    const res = await POST(new Request('http://127.0.0.1/api/webhooks', { method: 'POST', headers, body }));
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ ok: true, id: 'wh_fetch', type: 'leaderboard.created' });
    const missing = await POST(new Request('http://127.0.0.1/api/webhooks', { method: 'POST', body }));
    expect(missing.status).toBe(401);
    expect(((await missing.json()) as { error: string }).error).toBe('missing_signature');
  });

  test('a streamed body over the limit is cut off with 413', async () => {
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let i = 0; i < 10; i++) controller.enqueue(new Uint8Array(1024));
        controller.close();
      },
    });
    const res = await POST(new Request('http://127.0.0.1/x', { method: 'POST', body: stream, duplex: 'half' } as RequestInit));
    expect(res.status).toBe(413);
  });
});
