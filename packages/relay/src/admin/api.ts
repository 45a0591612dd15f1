import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { DeliveryStatus, Storage } from '../storage/db';
import { parseDuration } from '../config/units';

const STATUSES: DeliveryStatus[] = ['pending', 'in_flight', 'delivered', 'dead'];

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}

/** Bearer-token check in constant time (digests, so length leaks nothing either). */
export function bearerGuard(token: string | undefined) {
  const expected = token ? digest(token) : undefined;
  return async (request: FastifyRequest, reply: FastifyReply) => {
    if (!expected)
      return reply.code(403).send({ ok: false, error: 'admin_disabled', message: 'Set server.adminToken to enable the admin API' });
    const header = request.headers.authorization ?? '';
    const given = header.startsWith('Bearer ') ? header.slice(7) : '';
    if (!given || !timingSafeEqual(digest(given), expected)) {
      return reply
        .code(401)
        .header('www-authenticate', 'Bearer')
        .send({ ok: false, error: 'unauthorized', message: 'Missing or wrong admin token' });
    }
  };
}

function since(value: string | undefined): number | undefined {
  if (!value) return undefined;
  const ms = parseDuration(value);
  if (ms !== undefined) return Date.now() - ms;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : at;
}

function limit(value: string | undefined, max = 500): number {
  const n = Number(value ?? 50);
  return Number.isInteger(n) && n > 0 ? Math.min(n, max) : 50;
}

export interface AdminDeps {
  storage: Storage;
  token?: string;
  /** After a replay: wake the worker. */
  onReplay: () => void;
}

/** `/admin/...`: events, deliveries, replay, behind the bearer token. */
export async function adminRoutes(app: FastifyInstance, deps: AdminDeps): Promise<void> {
  const { storage } = deps;
  app.addHook('onRequest', bearerGuard(deps.token));

  app.get<{ Querystring: { source?: string; type?: string; limit?: string; before?: string } }>('/admin/events', async (request) => {
    const q = request.query;
    return {
      data: storage.listEvents({
        source: q.source,
        type: q.type,
        limit: limit(q.limit),
        beforeId: q.before ? Number(q.before) : undefined,
      }),
    };
  });

  app.get<{ Params: { id: string }; Querystring: { source?: string } }>('/admin/events/:id', async (request, reply) => {
    const [row] = storage.findEvents(request.params.id, request.query.source);
    if (!row) return reply.code(404).send({ ok: false, error: 'not_found', message: `No event ${request.params.id}` });
    const { body, headers, event, ...meta } = row;
    const text = body.toString('utf8');
    let payload: unknown = text;
    try {
      payload = JSON.parse(text);
    } catch {
      // stored bodies are verified JSON; keep text if not
    }
    return {
      ...meta,
      headers: JSON.parse(headers) as unknown,
      payload,
      event: JSON.parse(event) as unknown,
      deliveries: storage.deliveriesOf(row.id),
    };
  });

  app.get<{ Querystring: { status?: string; route?: string; since?: string; limit?: string } }>(
    '/admin/deliveries',
    async (request, reply) => {
      const q = request.query;
      const status = q.status === 'failed' ? 'dead' : q.status;
      if (status && !STATUSES.includes(status as DeliveryStatus)) {
        return reply.code(400).send({ ok: false, error: 'bad_status', message: `status must be one of failed, ${STATUSES.join(', ')}` });
      }
      return {
        data: storage.listDeliveries({
          status: status as DeliveryStatus | undefined,
          route: q.route,
          since: since(q.since),
          limit: limit(q.limit, 5000),
        }),
      };
    },
  );

  app.post<{ Body: { event?: string; source?: string; failed?: boolean; route?: string; since?: string } }>(
    '/admin/replay',
    async (request, reply) => {
      const body = request.body ?? {};
      const now = Date.now();
      if (body.event) {
        const rows = storage.findEvents(body.event, body.source);
        if (rows.length === 0) return reply.code(404).send({ ok: false, error: 'not_found', message: `No event ${body.event}` });
        const replayed = rows.reduce((n, row) => n + storage.replayEvent(row.id, now), 0);
        deps.onReplay();
        return { ok: true, events: rows.length, deliveries: replayed };
      }
      if (body.failed) {
        const replayed = storage.replayFailed({ route: body.route, since: since(body.since) }, now);
        deps.onReplay();
        return { ok: true, deliveries: replayed };
      }
      return reply.code(400).send({ ok: false, error: 'bad_request', message: 'Give "event" (an event id) or "failed": true' });
    },
  );

  app.get('/admin/stats', async () => ({ queue: storage.queueDepth() }));
}
