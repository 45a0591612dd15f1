import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { DeliveryStatus, Store } from '../storage/store';
import { parseDuration } from '../config/units';
import type { RelayConfig } from '../config/schema';
import type { Source } from '../intake/sources';
import { renderFor } from '../delivery/destinations';
import { storedEvent } from '../delivery/worker';
import { sameSecret } from '../secrets';

const STATUSES: DeliveryStatus[] = ['pending', 'in_flight', 'delivered', 'failed'];

/** Bearer-token check in constant time (digests, so length leaks nothing either). */
export function bearerGuard(token: string | undefined) {
  return async (request: FastifyRequest, reply: FastifyReply) => {
    if (!token)
      return reply.code(403).send({ ok: false, error: 'admin_disabled', message: 'Set server.adminToken to enable the admin API' });
    const header = request.headers.authorization ?? '';
    const given = header.startsWith('Bearer ') ? header.slice(7) : '';
    if (!given || !sameSecret(given, token)) {
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
  store: Store;
  token?: string;
  /** After a replay: wake the worker. */
  onReplay: () => void;
  config: RelayConfig;
  sources: Map<string, Source>;
}

/** `/admin/...`: events, deliveries, replay, behind the bearer token. */
export async function adminRoutes(app: FastifyInstance, deps: AdminDeps): Promise<void> {
  const { store } = deps;
  app.addHook('onRequest', bearerGuard(deps.token));

  app.get<{ Querystring: { source?: string; type?: string; limit?: string; before?: string } }>('/admin/events', async (request) => {
    const q = request.query;
    return {
      data: await store.listEvents({
        source: q.source,
        type: q.type,
        limit: limit(q.limit),
        beforeId: q.before ? Number(q.before) : undefined,
      }),
    };
  });

  app.get<{ Params: { id: string }; Querystring: { source?: string } }>('/admin/events/:id', async (request, reply) => {
    const [row] = await store.findEvents(request.params.id, request.query.source);
    if (!row) return reply.code(404).send({ ok: false, error: 'not_found', message: `No event ${request.params.id}` });
    const { body: _body, headers, event: _event, ...meta } = row;
    // The row in hand: its payload (verified JSON) and canonical event, without reading the event again.
    const stored = storedEvent(row);
    const deliveries = await store.deliveriesOf(row.id);
    // What each route's destination receives, rendered now (the console's previews).
    const previews = deliveries.map((d) => {
      const route = deps.config.routes.find((r) => r.id === d.route);
      if (!route) return { route: d.route, kind: 'unknown', message: null };
      const destination = route.destination;
      const kind =
        destination.type === 'slack' || destination.type === 'discord' || destination.type === 'teams'
          ? destination.type
          : destination.type === 'log' && destination.format !== 'text' && destination.format !== 'json'
            ? destination.format
            : 'json';
      try {
        return { route: d.route, kind, message: renderFor(kind, stored.event, route) };
      } catch (error) {
        return { route: d.route, kind, message: null, error: (error as Error).message };
      }
    });
    const { raw: payload, ...event } = stored.event;
    return { ...meta, headers: JSON.parse(headers) as unknown, payload, event, deliveries, previews };
  });

  app.get<{ Querystring: { status?: string; route?: string; since?: string; limit?: string } }>(
    '/admin/deliveries',
    async (request, reply) => {
      const q = request.query;
      const status = q.status;
      if (status && !STATUSES.includes(status as DeliveryStatus)) {
        return reply.code(400).send({ ok: false, error: 'bad_status', message: `status must be one of failed, ${STATUSES.join(', ')}` });
      }
      return {
        data: await store.listDeliveries({
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
        const rows = await store.findEvents(body.event, body.source);
        if (rows.length === 0) return reply.code(404).send({ ok: false, error: 'not_found', message: `No event ${body.event}` });
        let replayed = 0;
        for (const row of rows) replayed += await store.replayEvent(row.id, now);
        deps.onReplay();
        return { ok: true, events: rows.length, deliveries: replayed };
      }
      if (body.failed) {
        const replayed = await store.replayFailed({ route: body.route, since: since(body.since) }, now);
        deps.onReplay();
        return { ok: true, deliveries: replayed };
      }
      return reply.code(400).send({ ok: false, error: 'bad_request', message: 'Give "event" (an event id) or "failed": true' });
    },
  );

  app.get('/admin/stats', async () => ({ queue: await store.queueDepth(), ...(await store.stats(Date.now() - 60 * 60_000)) }));

  app.get('/admin/sources', async () => ({
    data: deps.config.sources.map((s) => ({
      id: s.id,
      provider: deps.sources.get(s.id)!.profile.id,
      name: deps.sources.get(s.id)!.profile.name,
      events: deps.sources.get(s.id)!.profile.events.map((e) => e.type),
    })),
    routes: deps.config.routes.map((r) => ({ id: r.id, sources: r.sources, destination: r.destination.type })),
  }));

  // A sample event of the source's provider, signed with its secret, through the real intake.
  app.post<{ Body: { source?: string; type?: string } }>('/admin/sample', async (request, reply) => {
    const source = deps.sources.get(request.body?.source ?? '');
    if (!source) return reply.code(404).send({ ok: false, error: 'not_found', message: `No source ${request.body?.source}` });
    const type = request.body?.type ?? source.profile.events[0]?.type ?? 'sample.event';
    if (source.profile.events.length && !source.profile.events.some((e) => e.type === type)) {
      return reply.code(400).send({ ok: false, error: 'unknown_event', message: `${source.profile.name} has no event ${type}` });
    }
    const payload = source.profile.samplePayload(type, {
      id: `evt_${randomUUID().replace(/-/g, '')}`,
      occurredAt: new Date().toISOString(),
    });
    const body = Buffer.from(JSON.stringify(payload));
    const headers = { 'content-type': 'application/json', ...source.profile.scheme.sign(body, { secret: source.config.secrets[0]! }) };
    const res = await app.inject({ method: 'POST', url: `/hooks/${source.config.id}`, headers, payload: body });
    return reply.code(res.statusCode).send(res.json());
  });
}
