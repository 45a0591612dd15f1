import type { ServerResponse } from 'node:http';
import type { FastifyInstance } from 'fastify';
import type { LiveDelivery, LiveEvent, LiveFeed } from '../live';
import type { Store } from '../storage/store';
import { bearerGuard } from './api';

/**
 * How far a browser may fall behind, in bytes queued for it, before it is dropped. A stalled
 * or slow console must not make the relay's memory grow; a dropped console reconnects after
 * a second (`retry: 1000`) and reloads the list, so nothing it shows is lost for good.
 */
export const MAX_STREAM_BACKLOG = 1024 * 1024;

/**
 * `GET /admin/stream`: Server-Sent Events of stored events and delivery outcomes, plus
 * queue stats every few seconds. Behind the bearer token (the console reads it with fetch,
 * so the token travels in a header, never in the URL).
 */
export async function streamRoutes(
  app: FastifyInstance,
  deps: { store: Store; feed: LiveFeed; token?: string; maxBacklog?: number; onDrop?: () => void },
): Promise<void> {
  const maxBacklog = deps.maxBacklog ?? MAX_STREAM_BACKLOG;
  app.addHook('onRequest', bearerGuard(deps.token));
  // Open streams never end by themselves: a graceful stop ends them, or closing the server would wait forever.
  const open = new Set<ServerResponse>();
  app.addHook('preClose', (done) => {
    for (const res of open) res.end();
    open.clear();
    done();
  });
  app.get('/admin/stream', (request, reply) => {
    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, {
      'content-type': 'text/event-stream',
      'cache-control': 'no-cache',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    let dropped = false;
    const timer = setInterval(() => {
      if (res.writableLength === 0) res.write(': keep-alive\n\n');
      stats();
    }, 5000);
    const onEvent = (e: LiveEvent) => send('event', e);
    const onDelivery = (d: LiveDelivery) => send('delivery', d);
    open.add(res);
    const close = () => {
      open.delete(res);
      clearInterval(timer);
      deps.feed.off('event', onEvent);
      deps.feed.off('delivery', onDelivery);
    };
    function send(event: string, data: unknown): void {
      if (dropped) return;
      // Past the socket's buffer, write() queues in memory: bounded here by dropping the client.
      if (res.writableLength > maxBacklog) {
        dropped = true;
        close();
        res.destroy();
        deps.onDrop?.();
        return;
      }
      res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
    }
    const stats = () => {
      if (!deps.store.health().ok) return;
      deps.store.queueDepth().then(
        (queue) => send('stats', { queue, at: Date.now() }),
        () => undefined, // the store is down: the next tick tries again
      );
    };
    deps.feed.on('event', onEvent);
    deps.feed.on('delivery', onDelivery);
    request.raw.on('close', close);
    res.on('close', close);
    res.write('retry: 1000\n\n');
    stats();
  });
}
