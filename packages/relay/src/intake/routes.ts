import type { FastifyInstance, FastifyRequest } from 'fastify';
import { redactHeaders, verifyWebhook, WebhookVerificationError, type HookEvent } from '@hookbridge/core';
import type { Logger } from 'pino';
import type { RouteConfig } from '../config/schema';
import type { Metrics } from '../metrics';
import { matchRoutes } from '../routing';
import { clientIp, ipAllowed, type Source } from './sources';
import type { IntakeWriter } from './writer';

export interface IntakeDeps {
  sources: Map<string, Source>;
  routes: readonly RouteConfig[];
  writer: IntakeWriter;
  metrics: Metrics;
  logger: Logger;
  /** Called for each stored event (the console's live stream). */
  onStored?: (info: { rowid: number; source: string; eventId: string; type: string; provider: string; deliveries: number }) => void;
  /** Hands the stored event to the worker's cache. */
  remember?: (rowid: number, stored: { event: HookEvent; source: string; receivedAt: number }) => void;
}

// Response shapes, so Fastify serialises answers with a compiled serialiser instead of JSON.stringify.
const accepted = {
  type: 'object',
  properties: { ok: { type: 'boolean' }, id: { type: 'string' }, deliveries: { type: 'integer' }, duplicate: { type: 'boolean' } },
  required: ['ok', 'id'],
} as const;
const refused = {
  type: 'object',
  properties: { ok: { type: 'boolean' }, error: { type: 'string' }, message: { type: 'string' } },
  required: ['ok', 'error', 'message'],
} as const;
const RESPONSES = { 200: accepted, 202: accepted, '4xx': refused };

/**
 * `POST /hooks/:sourceId`: raw body (size-limited) → IP allow-list → verify → dedupe and
 * store with its deliveries in one transaction → 202 only after the commit.
 */
export async function intakeRoutes(app: FastifyInstance, deps: IntakeDeps): Promise<void> {
  const maxBody = Math.max(...[...deps.sources.values()].map((s) => s.config.maxBodyBytes));
  // Our own parser for every content type: verification needs the exact bytes.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: maxBody }, (_req, body, done) => done(null, body));

  const reject = (request: FastifyRequest, source: string, reason: string, status: number, message: string) => {
    deps.metrics.rejected.inc({ source, reason });
    deps.logger.warn({ source, reason, ip: request.socket.remoteAddress }, 'webhook rejected');
    return { status, body: { ok: false, error: reason, message } };
  };

  app.setErrorHandler((error: Error & { statusCode?: number; code?: string }, request, reply) => {
    const source = (request.params as { sourceId?: string }).sourceId ?? 'unknown';
    const tooLarge = error.code === 'FST_ERR_CTP_BODY_TOO_LARGE' || error.statusCode === 413;
    const r = tooLarge
      ? reject(request, source, 'body_too_large', 413, `Body exceeds the limit of ${maxBody} bytes`)
      : reject(request, source, 'bad_request', error.statusCode && error.statusCode < 500 ? error.statusCode : 400, error.message);
    return reply
      .code(r.status)
      .header('connection', tooLarge ? 'close' : 'keep-alive')
      .send(r.body);
  });

  app.post<{ Params: { sourceId: string } }>('/hooks/:sourceId', { schema: { response: RESPONSES } }, async (request, reply) => {
    const { sourceId } = request.params;
    const source = deps.sources.get(sourceId);
    if (!source) {
      const r = reject(request, sourceId.slice(0, 64), 'unknown_source', 404, `No source "${sourceId.slice(0, 64)}"`);
      return reply.code(r.status).send(r.body);
    }
    const ip = clientIp(request.socket.remoteAddress ?? '', request.headers, source.trusted);
    if (!ipAllowed(source, ip)) {
      const r = reject(request, sourceId, 'ip_not_allowed', 403, `Address ${ip} is not allowed for this source`);
      return reply.code(r.status).send(r.body);
    }
    const body = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
    let event;
    try {
      event = verifyWebhook(
        { headers: request.headers, rawBody: body },
        {
          provider: source.profile,
          secrets: source.config.secrets,
          toleranceSeconds: source.config.toleranceSeconds,
          maxBodyBytes: source.config.maxBodyBytes,
          unknownEvents: source.config.unknownEvents,
        },
      );
    } catch (error) {
      if (!(error instanceof WebhookVerificationError)) throw error;
      const r = reject(request, sourceId, error.code, error.status, error.message);
      return reply.code(r.status).send(r.body);
    }
    const routes = matchRoutes(deps.routes, sourceId, event);
    const receivedAt = Date.now();
    const stored = await deps.writer.store({
      source: sourceId,
      event,
      headers: redactHeaders(request.headers),
      body,
      routes,
      receivedAt,
    });
    if (stored.duplicate) {
      deps.metrics.deduplicated.inc({ source: sourceId });
      return reply.code(200).send({ ok: true, id: event.id, duplicate: true });
    }
    deps.metrics.received.inc({ source: sourceId });
    if (stored.deliveries > 0) deps.remember?.(stored.rowid, { event, source: sourceId, receivedAt });
    deps.onStored?.({
      rowid: stored.rowid,
      source: sourceId,
      eventId: event.id,
      type: event.type,
      provider: event.provider,
      deliveries: stored.deliveries,
    });
    return reply.code(202).send({ ok: true, id: event.id, deliveries: stored.deliveries });
  });
}
