import type { FastifyInstance } from 'fastify';
import type { LiveDelivery, LiveEvent, LiveFeed } from '../live';
import type { Storage } from '../storage/db';
import { bearerGuard } from './api';

/**
 * `GET /admin/stream`: Server-Sent Events of stored events and delivery outcomes, plus
 * queue stats every few seconds. Behind the bearer token (the console reads it with fetch,
 * so the token travels in a header, never in the URL).
 */
export async function streamRoutes(app: FastifyInstance, deps: { storage: Storage; feed: LiveFeed; token?: string }): Promise<void> {
  app.addHook('onRequest', bearerGuard(deps.token));
  app.get('/admin/stream', (request, reply) => {
    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, {
      'content-type': 'text/event-stream',
      'cache-control': 'no-cache',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    const send = (event: string, data: unknown) => res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
    const onEvent = (e: LiveEvent) => send('event', e);
    const onDelivery = (d: LiveDelivery) => send('delivery', d);
    const stats = () => {
      if (deps.storage.db.open) send('stats', { queue: deps.storage.queueDepth(), at: Date.now() });
    };
    deps.feed.on('event', onEvent);
    deps.feed.on('delivery', onDelivery);
    res.write('retry: 1000\n\n');
    stats();
    const timer = setInterval(() => {
      res.write(': keep-alive\n\n');
      stats();
    }, 5000);
    const close = () => {
      clearInterval(timer);
      deps.feed.off('event', onEvent);
      deps.feed.off('delivery', onDelivery);
    };
    request.raw.on('close', close);
    res.on('close', close);
  });
}
