import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getProvider, generateStandardSecret } from '@hookbridge/core';
import type { IncomingEvent } from './storage/store';

export interface SinkRequest {
  headers: IncomingMessage['headers'];
  body: string;
  json: Record<string, unknown>;
}

/** A destination on 127.0.0.1 whose answers a test can script: a status, or `'hang'` / `'drop'`. */
export async function startSink(
  script: (n: number, req: SinkRequest) => number | 'hang' | 'drop' | { status: number; headers?: Record<string, string> } = () => 200,
) {
  const received: SinkRequest[] = [];
  let count = 0;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString();
      let json: Record<string, unknown> = {};
      try {
        json = JSON.parse(body) as Record<string, unknown>;
      } catch {
        // not JSON
      }
      const r = { headers: req.headers, body, json };
      const answer = script(++count, r);
      if (answer === 'hang') return;
      if (answer === 'drop') return req.socket.destroy();
      const { status, headers } = typeof answer === 'number' ? { status: answer, headers: {} } : answer;
      if (status >= 200 && status < 300) received.push(r);
      res.writeHead(status, headers).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/sink`,
    port,
    received,
    attempts: () => count,
    close: () =>
      new Promise<void>((r) => {
        server.close(() => r());
        server.closeAllConnections();
      }),
  };
}

export function tempDir(prefix = 'hookbridge-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** A request signed as `provider` would sign it; a fresh event id each call. */
export function signedRequest(provider: string, secret: string, type?: string, overrides: { id?: string; timestamp?: number } = {}) {
  const profile = getProvider(provider);
  const eventType = type ?? profile.events[0]?.type ?? 'demo.event';
  const id = overrides.id ?? `evt_${Math.random().toString(36).slice(2)}${Date.now().toString(36)}`;
  const payload = profile.samplePayload(eventType, { id, occurredAt: new Date().toISOString() });
  const body = Buffer.from(JSON.stringify(payload));
  const headers = { 'content-type': 'application/json', ...profile.scheme.sign(body, { secret, timestamp: overrides.timestamp, id }) };
  return { body, headers, id, payload };
}

let incomingCount = 0;
/** A verified TrackScore event as intake hands it to the store; a fresh event id each call. */
export function incomingEvent(): IncomingEvent {
  const id = `evt_${++incomingCount}`;
  const payload = { id, type: 'score.updated', data: { score: incomingCount } };
  return {
    source: 'ts',
    event: { id, type: 'score.updated', provider: 'trackscore', occurredAt: '2026-12-01T00:00:00.000Z', data: payload.data, raw: payload },
    headers: {},
    body: Buffer.from(JSON.stringify(payload)),
    routes: ['sink'],
    receivedAt: 1000,
  };
}

export { generateStandardSecret };
