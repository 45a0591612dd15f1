import type { IncomingHttpHeaders } from 'node:http';
import type { FastifyInstance } from 'fastify';
import { redactHeaders, verifyWebhook, WebhookVerificationError, type HookEvent } from '@hookbridge/core';
import type { Logger } from 'pino';
import type { RouteConfig } from '../config/schema';
import type { Metrics } from '../metrics';
import { matchRoutes } from '../routing';
import { clientIp, ipAllowed, type Source } from './sources';
import type { IntakeWriter } from './writer';
import { StoreUnavailableError } from '../storage/store';

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
const RESPONSES = { 200: accepted, 202: accepted, '4xx': refused, '5xx': refused };

export type IntakeAnswer = { status: number; body: Record<string, unknown>; headers?: Record<string, string> };

/**
 * Storing failed, nothing was acknowledged: 503 + Retry-After when the store is unreachable (the
 * provider retries and the relay takes it once the database is back), 500 otherwise.
 */
export function storageFailure(deps: IntakeDeps, error: unknown, source: string): IntakeAnswer {
  if (error instanceof StoreUnavailableError) {
    deps.metrics.rejected.inc({ source, reason: 'storage_unavailable' });
    deps.logger.warn({ source, err: error.message }, 'intake refused: storage unavailable');
    return {
      status: 503,
      headers: { 'retry-after': '5' },
      body: { ok: false, error: 'storage_unavailable', message: 'The relay cannot store events right now; retry later' },
    };
  }
  deps.logger.error({ err: error, source }, 'intake failed');
  return { status: 500, body: { ok: false, error: 'internal', message: 'Could not store the event' } };
}

export interface IntakeRequest {
  sourceId: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
  remoteAddress: string;
}

/** The largest body any source accepts: reading stops there. */
export function maxBodyOf(deps: IntakeDeps): number {
  return Math.max(...[...deps.sources.values()].map((s) => s.config.maxBodyBytes));
}

/** Counts and logs a refused request (never its body, headers or secrets). */
export function refuse(deps: IntakeDeps, ip: string, source: string, reason: string, status: number, message: string): IntakeAnswer {
  deps.metrics.rejected.inc({ source, reason });
  deps.logger.warn({ source, reason, ip }, 'webhook rejected');
  return { status, body: { ok: false, error: reason, message } };
}

/**
 * One webhook, whatever HTTP layer read it: IP allow-list → verify → dedupe and store with
 * its deliveries in one transaction → 202 only after the commit.
 */
export async function receive(deps: IntakeDeps, request: IntakeRequest): Promise<IntakeAnswer> {
  const { sourceId, headers, body, remoteAddress } = request;
  const source = deps.sources.get(sourceId);
  if (!source) return refuse(deps, remoteAddress, sourceId.slice(0, 64), 'unknown_source', 404, `No source "${sourceId.slice(0, 64)}"`);
  const ip = clientIp(remoteAddress, headers, source.trusted);
  if (!ipAllowed(source, ip))
    return refuse(deps, remoteAddress, sourceId, 'ip_not_allowed', 403, `Address ${ip} is not allowed for this source`);
  let event;
  try {
    event = verifyWebhook(
      { headers, rawBody: body },
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
    return refuse(deps, remoteAddress, sourceId, error.code, error.status, error.message);
  }
  const routes = matchRoutes(deps.routes, sourceId, event);
  const receivedAt = Date.now();
  const stored = await deps.writer.store({ source: sourceId, event, headers: redactHeaders(headers), body, routes, receivedAt });
  if (stored.duplicate) {
    deps.metrics.deduplicated.inc({ source: sourceId });
    return { status: 200, body: { ok: true, id: event.id, duplicate: true } };
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
  return { status: 202, body: { ok: true, id: event.id, deliveries: stored.deliveries } };
}

/**
 * `POST /hooks/:sourceId` in Fastify: raw body (size-limited) into `receive`. The relay's
 * server answers real connections on a leaner path (intake/fast-path.ts); this route serves
 * the rest (`inject`, and requests the fast path leaves to Fastify).
 */
export async function intakeRoutes(app: FastifyInstance, deps: IntakeDeps): Promise<void> {
  const maxBody = maxBodyOf(deps);
  // Our own parser for every content type: verification needs the exact bytes.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: maxBody }, (_req, body, done) => done(null, body));

  app.setErrorHandler((error: Error & { statusCode?: number; code?: string }, request, reply) => {
    const source = (request.params as { sourceId?: string }).sourceId ?? 'unknown';
    const ip = request.socket.remoteAddress ?? '';
    const tooLarge = error.code === 'FST_ERR_CTP_BODY_TOO_LARGE' || error.statusCode === 413;
    if (!tooLarge && error.statusCode === undefined) {
      // Not a bad request: our own failure (storage). 5xx, so the provider retries.
      const r = storageFailure(deps, error, source);
      return reply
        .code(r.status)
        .headers(r.headers ?? {})
        .send(r.body);
    }
    const r = tooLarge
      ? refuse(deps, ip, source, 'body_too_large', 413, `Body exceeds the limit of ${maxBody} bytes`)
      : refuse(deps, ip, source, 'bad_request', error.statusCode! < 500 ? error.statusCode! : 400, error.message);
    return reply
      .code(r.status)
      .header('connection', tooLarge ? 'close' : 'keep-alive')
      .send(r.body);
  });

  app.post<{ Params: { sourceId: string } }>('/hooks/:sourceId', { schema: { response: RESPONSES } }, async (request, reply) => {
    const r = await receive(deps, {
      sourceId: request.params.sourceId,
      headers: request.headers,
      body: Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0),
      remoteAddress: request.socket.remoteAddress ?? '',
    });
    return reply.code(r.status).send(r.body);
  });
}
