import { randomBytes } from 'node:crypto';
import { DeliveryError, SubscriptionError } from '../errors';
import { DEFAULT_RETRY_POLICY, isRetryableStatus, retryDelay, type RetryPolicy } from '../delivery/policy';
import { withRetries, type RetryHooks } from '../delivery/retry';
import { authHeaders, type OutboundAuth } from '../delivery/auth';
import { sendOnce } from '../outbound/send';
import { defaultSleep } from '../runtime';
import type { DestinationGuard } from '../outbound/address-policy';
import type { HttpTransport } from '../outbound/transport';
import { resolveProvider } from '../providers';
import type { ProviderProfile, RestHookApi } from '../providers/types';
import type { CreateSubscriptionInput, WebhookSubscription } from './types';

export interface SubscriptionClientOptions extends RetryHooks {
  provider: string | ProviderProfile;
  /** The provider API's base URL; the profile's default when it has one. */
  baseUrl?: string;
  /** Sent the profile's way (Trakkr: `Authorization: Bearer <key>`) unless `auth` is given. */
  apiKey?: string;
  /** How to authenticate instead: Trakkr's documented none / bearer / basic / api_key (see `apiAuth`). */
  auth?: OutboundAuth;
  /** Override the profile's API description (another provider's paths or field names). */
  api?: Partial<RestHookApi>;
  policy?: Partial<RetryPolicy>;
  /** The address policy for the API base URL. Default: public addresses over HTTPS. */
  guard?: DestinationGuard;
  /** Who sends the requests (default: Node, guarded); a host platform passes its own. */
  transport?: HttpTransport;
}

/** A strong signing secret for a new subscription: 32 random bytes, base64url. */
export function generateSigningSecret(): string {
  return 'whsec_' + randomBytes(32).toString('base64url');
}

function errorFor(status: number, body: string, what: string, cause?: unknown): SubscriptionError {
  const options = cause === undefined ? undefined : { cause };
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
    return new SubscriptionError(
      'unauthorized',
      `The provider refused the API key (401) while trying to ${what}${suffix}`,
      status,
      options,
    );
  if (status === 403) return new SubscriptionError('forbidden', `The API key may not ${what} (403)${suffix}`, status, options);
  if (status === 404 || status === 410)
    return new SubscriptionError('not_found', `Not found while trying to ${what} (${status})${suffix}`, status, options);
  if (status === 400 || status === 422)
    return new SubscriptionError('validation_failed', `The provider rejected the request to ${what} (${status})${suffix}`, status, options);
  if (status === 429) return new SubscriptionError('rate_limited', `Rate limited while trying to ${what}`, status, options);
  return new SubscriptionError('server_error', `The provider answered ${status} while trying to ${what}${suffix}`, status, options);
}

/**
 * A typed client for a provider's REST-hook API (Trakkr's webhook docs: `POST/GET /webhooks`,
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

  /** One request, with retries for 408/429/5xx and transport failures unless `once`. */
  private async call<T>(
    method: 'GET' | 'POST' | 'DELETE',
    path: string,
    what: string,
    body?: unknown,
    once = false,
  ): Promise<{ status: number; data: T }> {
    const policy = { ...DEFAULT_RETRY_POLICY, ...this.options.policy, ...(once ? { retries: 0 } : {}) };
    const request = {
      method,
      url: this.baseUrl + path,
      headers: { accept: 'application/json', ...this.authHeaders },
      body: body === undefined ? undefined : (body as object),
    };
    const outcome = await withRetries(
      async () => {
        const response = await sendOnce(request, {
          guard: this.options.guard,
          transport: this.options.transport,
          timeoutMs: policy.timeoutMs,
          // A final 4xx is handed back for the caller to name (404 on delete is fine); 408/429/5xx retry.
          answered: (status) => status < 300 || (status < 500 && !isRetryableStatus(status)),
        });
        return { value: response, status: response.status };
      },
      policy,
      this.options,
    );
    if (outcome.error) {
      const error = outcome.error;
      if (error.status !== undefined) throw errorFor(error.status, '', what, error);
      throw new SubscriptionError('network_error', `Could not ${what}: ${error.message}`, undefined, { cause: error });
    }
    const { status, body: text } = outcome.value!;
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
    const created = await this.createOnce(body, url, events);
    return { ...created, signing_secret: created.signing_secret ?? signingSecret };
  }

  /**
   * POST /webhooks without ever creating two: a retry is blind only when the request surely
   * did not arrive (refused connection, 429). After an unclear failure (timeout, 5xx, a dropped
   * connection) the provider may have created it, so we list and adopt a subscription with the
   * same URL and events before trying again.
   */
  private async createOnce(body: Record<string, unknown>, url: string, events: string[]): Promise<WebhookSubscription> {
    const policy = { ...DEFAULT_RETRY_POLICY, ...this.options.policy };
    const sleep = this.options.sleep ?? defaultSleep;
    for (let retry = 0; ; retry++) {
      try {
        return (await this.call<WebhookSubscription>('POST', this.path('create'), 'create a webhook', body, true)).data;
      } catch (error) {
        if (!(error instanceof SubscriptionError) || retry >= policy.retries) throw error;
        const cause = error.cause instanceof DeliveryError ? error.cause : undefined;
        // A refused destination or an invalid URL will not change by asking again.
        if (cause && !cause.retryable && error.status === undefined) throw error;
        const notSent = error.code === 'rate_limited' || cause?.notSent === true;
        if (!notSent && error.code !== 'network_error' && error.code !== 'server_error') throw error;
        const retryAfter = cause?.retryAfterMs;
        await sleep(retryAfter !== undefined ? Math.min(retryAfter, policy.maxRetryAfterMs) : retryDelay(policy, retry));
        if (notSent) continue;
        const wanted = [...events].sort().join(',');
        const existing = (await this.findByUrl(url)).find((s) => [...(s.events ?? [])].sort().join(',') === wanted);
        if (existing) return existing;
      }
    }
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
