import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createHmac } from 'node:crypto';
import { getProvider } from '@hookbridge/core';
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { createApp } = require('./server.js') as {
  createApp: (secret: string, log: (line: string) => void) => import('node:http').RequestListener & { listen: Server['listen'] };
};

test('the Express example verifies a TrackScore event and rejects a forged one', async () => {
  const lines: string[] = [];
  const server = createApp('example-secret', (l) => lines.push(l)).listen(0, '127.0.0.1') as Server;
  await new Promise((r) => server.once('listening', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks/trackscore`;
  try {
    const body = JSON.stringify(getProvider('trackscore').samplePayload('score.updated'));
    const sig = 'sha256=' + createHmac('sha256', 'example-secret').update(body).digest('hex');
    const ok = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', 'X-TrackScore-Signature': sig }, body });
    expect(ok.status).toBe(200);
    expect(lines).toEqual(['Score updated: pt_555666777 now has 950 points', 'Received score.updated wh_1234567890abcdef']);
    const forged = await fetch(url, { method: 'POST', headers: { 'X-TrackScore-Signature': 'sha256=' + 'f'.repeat(64) }, body });
    expect(forged.status).toBe(401);
    expect(lines).toHaveLength(2);
  } finally {
    await new Promise((r) => server.close(r));
  }
});
