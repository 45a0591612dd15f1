import { randomUUID } from 'node:crypto';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import {
  bodyFingerprint,
  authHeaders,
  deliver,
  INSECURE_GUARD,
  detectDestination,
  getProvider,
  type DeliverOptions,
  type OutboundAuth,
  type ProviderProfile,
  type RetryPolicy,
  type CreateSubscriptionInput,
} from '@hookbridge/core';
import { sameSecret } from '../secrets';
import { SubscriptionStore, type EmulatedDelivery, type StoredSubscription } from './state';

export interface EmulatorOptions {
  provider: string;
  /** API key the REST-hook API accepts (`Authorization: Bearer …`). Default `test_api_key`. */
  apiKey?: string;
  /** The exact auth the REST-hook API demands instead (Trakkr's documented types); `apiKey` is then unused. */
  apiAuth?: OutboundAuth;
  /** Where to deliver for providers without an API (and in addition to subscriptions). */
  targets?: { url: string; secret: string; events?: string[] }[];
  /** Persist subscriptions to this JSON file. */
  stateFile?: string;
  /** Delivery retry rules; Trakkr's documented by default. */
  policy?: Partial<RetryPolicy>;
  /** Clock hooks for fast tests. */
  sleep?: DeliverOptions['sleep'];
  logger?: boolean;
}

interface Fault {
  status: number;
  retryAfter?: string;
  remaining: number;
}

const AUTH_TYPES = ['none', 'bearer', 'basic', 'api_key'] as const;

function apiError(reply: FastifyReply, status: number, type: string, message: string) {
  return reply.code(status).send({ error: { type, message } });
}

/** Validates a create body as the provider would, returning the first problem. */
function createProblem(body: Partial<CreateSubscriptionInput> | undefined, profile: ProviderProfile): string | undefined {
  if (!body || typeof body !== 'object') return 'body must be a JSON object';
  if (typeof body.url !== 'string' || !/^https?:\/\//.test(body.url)) return 'url is required and must be an http(s) URL';
  if (!Array.isArray(body.events) || body.events.length === 0) return 'events is required: a non-empty array of event types';
  const known = profile.events.map((e) => e.type);
  const unknown = body.events.filter((e) => e !== '*' && !known.includes(e));
  if (unknown.length) return `events contains unknown types: ${unknown.join(', ')} (known: ${known.join(', ')})`;
  if (typeof body.brand_id !== 'string' || body.brand_id === '') return 'brand_id is required';
  const authType = body.auth_type ?? 'none';
  if (!(AUTH_TYPES as readonly string[]).includes(authType)) return `auth_type must be one of ${AUTH_TYPES.join(', ')}`;
  if (authType === 'bearer' && !body.auth_token) return 'auth_token is required when auth_type is "bearer"';
  if (authType === 'basic' && (!body.auth_username || !body.auth_password))
    return 'auth_username and auth_password are required when auth_type is "basic"';
  if (authType === 'api_key' && (!body.api_key_header || !body.api_key_value))
    return 'api_key_header and api_key_value are required when auth_type is "api_key"';
  return undefined;
}

function outboundAuth(sub: StoredSubscription): OutboundAuth {
  const a = sub.auth ?? {};
  switch (sub.auth_type) {
    case 'bearer':
      return { type: 'bearer', token: a.auth_token ?? '' };
    case 'basic':
      return { type: 'basic', username: a.auth_username ?? '', password: a.auth_password ?? '' };
    case 'api_key':
      return { type: 'api_key', header: a.api_key_header ?? '', value: a.api_key_value ?? '' };
    default:
      return { type: 'none' };
  }
}

function publicView(sub: StoredSubscription) {
  const { auth: _auth, headers: _headers, auth_type: _authType, ...rest } = sub;
  return rest;
}

/**
 * A local stand-in for a provider: its REST-hook API (Trakkr's) and its delivery
 * side (all four), signing exactly as the providers' webhook docs say, with Trakkr's documented retry rules.
 */
export class ProviderEmulator {
  readonly app: FastifyInstance;
  readonly profile: ProviderProfile;
  readonly deliveries: EmulatedDelivery[] = [];
  private readonly store: SubscriptionStore;
  private readonly targets: { id: string; url: string; secret: string; events: string[] }[];
  private readonly faults: Fault[] = [];
  private readonly latencies: { ms: number; remaining: number }[] = [];
  private readonly expectedAuth: [string, string][];

  constructor(private readonly options: EmulatorOptions) {
    this.profile = getProvider(options.provider);
    this.expectedAuth = Object.entries(authHeaders(options.apiAuth ?? { type: 'bearer', token: options.apiKey ?? 'test_api_key' }));
    this.store = new SubscriptionStore(options.stateFile);
    this.targets = (options.targets ?? []).map((t) => ({ id: randomUUID(), events: ['*'], ...t }));
    this.app = Fastify({ logger: options.logger ?? false });
    this.routes();
  }

  get subscriptions(): StoredSubscription[] {
    return this.store.list();
  }

  async listen(port = 0, host = '127.0.0.1'): Promise<string> {
    return this.app.listen({ port, host });
  }

  close(): Promise<void> {
    return this.app.close();
  }

  /** Makes the next `count` API calls fail with `status` (429 with Retry-After, 500, …). */
  injectFault(status: number, count = 1, retryAfter?: string): void {
    this.faults.push({ status, retryAfter, remaining: count });
  }

  /**
   * Makes the next `count` API calls slow: each is carried out (a create creates) and answered
   * only after `ms`, as a provider behind an overloaded gateway does. A client that gave up by
   * then does not know whether its call took effect.
   */
  injectLatency(ms: number, count = 1): void {
    this.latencies.push({ ms, remaining: count });
  }

  private answerLate = async () => {
    const latency = this.latencies[0];
    if (!latency) return;
    if (--latency.remaining <= 0) this.latencies.shift();
    await new Promise((r) => setTimeout(r, latency.ms));
  };

  private requireKey = async (request: FastifyRequest, reply: FastifyReply) => {
    const fault = this.faults[0];
    if (fault) {
      if (--fault.remaining <= 0) this.faults.shift();
      if (fault.retryAfter) reply.header('retry-after', fault.retryAfter);
      return apiError(
        reply,
        fault.status,
        fault.status === 429 ? 'rate_limited' : 'server_error',
        fault.status === 429 ? 'Too many requests' : 'Internal error',
      );
    }
    const headers = request.headers;
    const refused = this.expectedAuth.some(([name, value]) => {
      const given = headers[name];
      return typeof given !== 'string' || !sameSecret(given, value);
    });
    if (refused) return apiError(reply, 401, 'unauthorized', 'Invalid API key');
  };

  private routes(): void {
    const app = this.app;
    if (this.profile.subscription.kind === 'rest-hook') {
      app.register(async (api) => {
        api.addHook('onRequest', this.requireKey);
        api.addHook('onSend', this.answerLate);
        api.post('/webhooks', async (request, reply) => {
          const body = request.body as Partial<CreateSubscriptionInput> | undefined;
          const problem = createProblem(body, this.profile);
          if (problem) return apiError(reply, 422, 'validation_error', problem);
          const input = body as CreateSubscriptionInput;
          const sub: StoredSubscription = {
            id: `wh_${randomUUID().replace(/-/g, '').slice(0, 16)}`,
            object: 'webhook',
            url: input.url,
            events: input.events,
            brand_id: input.brand_id!,
            provider: detectDestination(input.url),
            active: true,
            signing_secret: input.signing_secret ?? null,
            created_at: new Date().toISOString(),
            auth_type: input.auth_type ?? 'none',
            auth: {
              auth_token: input.auth_token,
              auth_username: input.auth_username,
              auth_password: input.auth_password,
              api_key_header: input.api_key_header,
              api_key_value: input.api_key_value,
            },
            headers: input.headers,
          };
          this.store.put(sub);
          return reply.code(201).send(publicView(sub));
        });
        api.get('/webhooks', async () => ({ object: 'list', data: this.store.list().map(publicView) }));
        api.get<{ Params: { id: string } }>('/webhooks/:id', async (request, reply) => {
          const sub = this.store.get(request.params.id);
          return sub ? publicView(sub) : apiError(reply, 404, 'not_found', `No webhook ${request.params.id}`);
        });
        api.delete<{ Params: { id: string } }>('/webhooks/:id', async (request, reply) => {
          if (!this.store.delete(request.params.id)) return apiError(reply, 404, 'not_found', `No webhook ${request.params.id}`);
          return { id: request.params.id, object: 'webhook', deleted: true };
        });
        api.post<{ Params: { id: string } }>('/webhooks/:id/test', async (request, reply) => {
          const sub = this.store.get(request.params.id);
          if (!sub) return apiError(reply, 404, 'not_found', `No webhook ${request.params.id}`);
          const type = sub.events.find((e) => e !== '*') ?? this.profile.events[0]!.type;
          const delivery = await this.deliverTo(sub.url, sub.signing_secret, type, sub);
          return { object: 'test_delivery', ...delivery };
        });
      });
    }

    // Emulator controls: trigger events, inspect deliveries, manage targets.
    app.post<{ Body: { type?: string; brand_id?: string; wait?: boolean } }>('/_emulator/events', async (request, reply) => {
      const type = request.body?.type;
      const known = this.profile.events.length === 0 || this.profile.events.some((e) => e.type === type);
      if (!type || !known) {
        return apiError(reply, 422, 'validation_error', `type must be one of ${this.profile.events.map((e) => e.type).join(', ')}`);
      }
      const pending = this.trigger(type, request.body.brand_id);
      if (request.body.wait === false) return reply.code(202).send({ queued: true });
      return { deliveries: await pending };
    });
    app.get('/_emulator/deliveries', async () => ({ data: this.deliveries }));
    app.get('/_emulator/targets', async () => ({ data: this.targets.map(({ secret: _s, ...t }) => t) }));
    app.post<{ Body: { url?: string; secret?: string; events?: string[] } }>('/_emulator/targets', async (request, reply) => {
      const { url, secret, events } = request.body ?? {};
      if (!url || !secret) return apiError(reply, 422, 'validation_error', 'url and secret are required');
      const target = { id: randomUUID(), url, secret, events: events?.length ? events : ['*'] };
      this.targets.push(target);
      return reply.code(201).send({ id: target.id, url, events: target.events });
    });
    app.delete('/_emulator/targets', async () => {
      this.targets.length = 0;
      return { deleted: true };
    });
  }

  /** Sends an event of `type` to every matching subscription and target; resolves with the deliveries. */
  async trigger(type: string, brandId?: string): Promise<EmulatedDelivery[]> {
    const jobs: Promise<EmulatedDelivery>[] = [];
    for (const sub of this.store.list()) {
      if (!sub.active || !(sub.events.includes(type) || sub.events.includes('*'))) continue;
      if (brandId && sub.brand_id !== brandId) continue;
      jobs.push(this.deliverTo(sub.url, sub.signing_secret, type, sub));
    }
    for (const target of this.targets) {
      if (target.events.includes('*') || target.events.includes(type)) jobs.push(this.deliverTo(target.url, target.secret, type));
    }
    return Promise.all(jobs);
  }

  /** A fresh sample payload of `type`: a new id and the current time, the brand of the subscription. */
  payload(type: string, sub?: StoredSubscription): unknown {
    const payload = this.profile.samplePayload(type, {
      id: `evt_${randomUUID().replace(/-/g, '')}`,
      occurredAt: new Date().toISOString(),
    }) as Record<string, unknown>;
    if (sub && payload.brand && typeof payload.brand === 'object') payload.brand = { ...(payload.brand as object), id: sub.brand_id };
    return payload;
  }

  private async deliverTo(url: string, secret: string | null, type: string, sub?: StoredSubscription): Promise<EmulatedDelivery> {
    const payload = this.payload(type, sub);
    const body = JSON.stringify(payload);
    const eventId =
      this.profile.extract(payload, { verified: {}, now: Math.floor(Date.now() / 1000) }).id ?? bodyFingerprint(Buffer.from(body));
    const result = await deliver(
      {
        url,
        body,
        headers: {
          'content-type': 'application/json',
          'user-agent': `${this.profile.name}-Webhooks/1.0 (Hookbridge emulator)`,
          ...sub?.headers,
        },
      },
      {
        policy: this.options.policy,
        sleep: this.options.sleep,
        auth: sub ? outboundAuth(sub) : undefined,
        sign: secret ? { scheme: this.profile.scheme, secret } : undefined,
        // A local development tool: it delivers to whatever the developer points it at.
        guard: INSECURE_GUARD,
      },
    );
    const delivery: EmulatedDelivery = {
      id: `dlv_${randomUUID().replace(/-/g, '').slice(0, 16)}`,
      subscription_id: sub?.id ?? null,
      url,
      event_type: type,
      event_id: eventId,
      ok: result.ok,
      status: result.status,
      attempts: result.attempts,
      created_at: new Date().toISOString(),
    };
    this.deliveries.push(delivery);
    if (this.deliveries.length > 1000) this.deliveries.shift();
    return delivery;
  }
}
