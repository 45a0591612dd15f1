import { createHmac } from 'node:crypto';
import { getProvider } from '@hookbridge/core';

test('the Next.js route handler answers 200 for a Trophy-signed request and 401 otherwise', async () => {
  process.env.TROPHY_WEBHOOK_SECRET = 'trophy-example';
  const { POST } = await import('./app/api/webhooks/trophy/route');
  const log = jest.spyOn(console, 'log').mockImplementation(() => undefined);
  const body = JSON.stringify(getProvider('trophy').samplePayload('points.changed'));
  const hash = createHmac('sha256', 'trophy-example').update(body).digest('base64');
  const res = await POST(
    new Request('http://127.0.0.1/api/webhooks/trophy', { method: 'POST', headers: { 'X-Trophy-Signature': hash }, body }),
  );
  expect(res.status).toBe(200);
  expect(log).toHaveBeenCalledWith('Sam Rivera now has 1250 XP');
  const rejected = await POST(
    new Request('http://127.0.0.1/api/webhooks/trophy', { method: 'POST', headers: { 'X-Trophy-Signature': 'nope' }, body }),
  );
  expect(rejected.status).toBe(401);
  log.mockRestore();
});
