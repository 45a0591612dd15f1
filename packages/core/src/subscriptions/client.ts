import { randomBytes } from 'node:crypto';
import { request as httpRequest, Agent, type Dispatcher } from 'undici';
import { DeliveryError, SubscriptionError } from '../errors';
import { DEFAULT_RETRY_POLICY, isRetryableStatus, parseRetryAfter, type RetryPolicy } from '../delivery/policy';
import { withRetries, type RetryHooks } from '../delivery/retry';
import { timeoutSignal } from '../delivery/timeout';
import { authHeaders, type OutboundAuth } from '../delivery/auth';
import { resolveProvider } from '../providers';
import type { ProviderProfile, RestHookApi } from '../providers/types';
import type { CreateSubscriptionInput, WebhookSubscription } from './types';

export interface SubscriptionClientOptions extends RetryHooks {
  provider: string | ProviderProfile;
  /** The provider API's base URL; the profile's default when it has one. */
  baseUrl?: string;
  /** Sent the profile's way (Trakkr: `Authorization: Bearer <key>`) unless `auth` is given. */
  apiKey?: string;
  /** How to authenticate instead: seed 001's none / bearer / basic / api_key (see `apiAuth`). */
  auth?: OutboundAuth;
  /** Override the profile's API description (another provider's paths or field names). */
  api?: Partial<RestHookApi>;
  policy?: Partial<RetryPolicy>;
}

/** A strong signing secret for a new subscription: 32 random bytes, base64url. */
export function generateSigningSecret(): string {
  return 'whsec_' + randomBytes(32).toString('base64url');
}

const agent: Dispatcher = new Agent({ keepAliveTimeout: 10_000 });

function errorFor(status: number, body: string, what: string): SubscriptionError {
  let detail = body.slice(0, 300);
  try {
    const parsed = JSON.parse(body) as { message?: string; error?: string | { message?: string } };
    const message = parsed.message ?? (typeof parsed.error === 'string' ? parsed.error : parsed.error?.message);
    if (message) detail = message;
  } catch {
    // not JSON: keep the text
  }
  const suffix = detail ? `: ${detail}` : '';
  if (status === 401)
    return new SubscriptionError('unauthorized', `The provider refused the API key (401) while trying to ${what}${suffix}`, status);
  if (status === 403) return new SubscriptionError('forbidden', `The API key may not ${what} (403)${suffix}`, status);
  if (status === 404 || status === 410)
    return new SubscriptionError('not_found', `Not found while trying to ${what} (${status})${suffix}`, status);
  if (status === 400 || status === 422)
    return new SubscriptionError('validation_failed', `The provider rejected the request to ${what} (${status})${suffix}`, status);
  if (status === 429) return new SubscriptionError('rate_limited', `Rate limited while trying to ${what}`, status);
  return new SubscriptionError('server_error', `The provider answered ${status} while trying to ${what}${suffix}`, status);
}

/**
 * A typed client for a provider's REST-hook API (seed 001: `POST/GET /webhooks`,
 * `GET/DELETE /webhooks/:id`, `POST /webhooks/:id/test`). Retries 5xx and timeouts with
 * backoff and honours 429 Retry-After; 4xx errors surface as `SubscriptionError`.
 */
export class SubscriptionClient {
  private readonly api: RestHookApi;
  private readonly baseUrl: string;
  private readonly profile: ProviderProfile;
  private readonly authHeaders: Record<string, string>;

  constructor(private readonly options: SubscriptionClientOptions) {
    this.profile = resolveProvider(options.provider);
    const mode = this.profile.subscription;
    if (mode.kind !== 'rest-hook') {
      throw new SubscriptionError('manual_subscription', `${this.profile.name} has no subscription API. ${mode.instructions}`);
    }
    this.api = {
      ...mode.api,
      ...options.api,
      paths: { ...mode.api.paths, ...options.api?.paths },
      fields: { ...mode.api.fields, ...options.api?.fields },
    };
    const baseUrl = options.baseUrl ?? this.api.baseUrl;
    if (!baseUrl) throw new SubscriptionError('validation_failed', `${this.profile.name} needs the API base URL`);
    this.baseUrl = baseUrl.replace(/\/+$/, '');
    if (options.auth) this.authHeaders = authHeaders(options.auth);
    else if (options.apiKey) this.authHeaders = { [this.api.authHeader]: `${this.api.authPrefix}${options.apiKey}` };
    else throw new SubscriptionError('validation_failed', `${this.profile.name} needs an API key (or auth type "none")`);
  }

  private async call<T>(
    method: 'GET' | 'POST' | 'DELETE',
    path: string,
    what: string,
    body?: unknown,
  ): Promise<{ status: number; data: T }> {
    const policy = { ...DEFAULT_RETRY_POLICY, ...this.options.policy };
    const url = this.baseUrl + path;
    const outcome = await withRetries(
      async () => {
        let response: Dispatcher.ResponseData;
        const timeout = timeoutSignal(policy.timeoutMs);
        try {
          response = await httpRequest(url, {
            method,
            dispatcher: agent,
            headers: {
              accept: 'application/json',
              ...this.authHeaders,
              ...(body === undefined ? {} : { 'content-type': 'application/json' }),
            },
            body: body === undefined ? undefined : JSON.stringify(body),
            signal: timeout.signal,
          });
        } catch (error) {
          timeout.clear();
          const timedOut = (error as Error).name === 'TimeoutError';
          throw new DeliveryError(
            timedOut ? 'timeout' : 'network_error',
            `Could not reach ${new URL(url).host}: ${(error as Error).message}`,
            { retryable: true },
          );
        }
        const text = await response.body.text().finally(timeout.clear);
        const status = response.statusCode;
        if (status >= 200 && status < 300) return { value: { status, text }, status };
        if (isRetryableStatus(status)) {
          const retryAfter = response.headers['retry-after'];
          throw new DeliveryError(status === 429 ? 'rate_limited' : 'http_error', `answered ${status}`, {
            status,
            retryable: true,
            retryAfterMs: parseRetryAfter(Array.isArray(retryAfter) ? retryAfter[0] : retryAfter),
          });
        }
        // A final answer: hand it back and let the caller decide (404 on delete is fine).
        return { value: { status, text }, status };
      },
      policy,
      this.options,
    );
    if (outcome.error) {
      const status = outcome.error.status;
      if (status !== undefined) throw errorFor(status, '', what);
      throw new SubscriptionError('network_error', `Could not ${what}: ${outcome.error.message}`, undefined, { cause: outcome.error });
    }
    const { status, text } = outcome.value!;
    if (status >= 300) throw errorFor(status, text, what);
    try {
      return { status, data: (text ? JSON.parse(text) : undefined) as T };
    } catch (cause) {
      throw new SubscriptionError('invalid_response', `The provider's answer to "${what}" is not JSON`, status, { cause });
    }
  }

  private path(name: keyof RestHookApi['paths'], id?: string): string {
    const template = this.api.paths[name];
    return id === undefined ? template : template.replace(':id', encodeURIComponent(id));
  }

  /** Creates a subscription, generating a signing secret when none is given; the answer carries it. */
  async subscribe(input: CreateSubscriptionInput): Promise<WebhookSubscription & { signing_secret: string }> {
    const scope = this.api.requiredScope;
    if (scope && !(input as unknown as Record<string, unknown>)[scope]) {
      throw new SubscriptionError('validation_failed', `${this.profile.name} requires ${scope} to subscribe`);
    }
    const signingSecret = input.signing_secret ?? generateSigningSecret();
    const { fields } = this.api;
    const { url, events, signing_secret: _ignored, ...rest } = input;
    const body = { ...rest, [fields.url]: url, [fields.events]: events, [fields.secret]: signingSecret };
    const { data } = await this.call<WebhookSubscription>('POST', this.path('create'), 'create a webhook', body);
    return { ...data, signing_secret: data.signing_secret ?? signingSecret };
  }

  async list(): Promise<WebhookSubscription[]> {
    const { data } = await this.call<WebhookSubscription[] | { data: WebhookSubscription[] }>('GET', this.path('list'), 'list webhooks');
    return Array.isArray(data) ? data : (data?.data ?? []);
  }

  async get(id: string): Promise<WebhookSubscription> {
    return (await this.call<WebhookSubscription>('GET', this.path('get', id), `get webhook ${id}`)).data;
  }

  /** Subscriptions whose URL is exactly `url` (to recover one whose id was lost). */
  async findByUrl(url: string): Promise<WebhookSubscription[]> {
    return (await this.list()).filter((s) => s.url === url);
  }

  /** Deletes a subscription. One that is already gone (404/410) counts as deleted. */
  async unsubscribe(id: string): Promise<{ deleted: true; alreadyGone: boolean }> {
    try {
      await this.call('DELETE', this.path('delete', id), `delete webhook ${id}`);
      return { deleted: true, alreadyGone: false };
    } catch (error) {
      if (error instanceof SubscriptionError && error.code === 'not_found') return { deleted: true, alreadyGone: true };
      throw error;
    }
  }

  /** Asks the provider to send a test event to the subscription. */
  async test(id: string): Promise<unknown> {
    return (await this.call<unknown>('POST', this.path('test', id), `test webhook ${id}`)).data;
  }
}
