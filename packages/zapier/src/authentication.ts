import type { Bundle, ZObject } from 'zapier-platform-core';
import { zapierTransport } from './transport';
import { apiAuth, DEFAULT_API_KEY_HEADER, INSECURE_GUARD, listProviders, SubscriptionClient, SubscriptionError } from '@hookbridge/core';

export const PROVIDERS = listProviders().filter((p) => p.events.length > 0);

/** The connection a Zap uses: one provider account. */
export const authentication = {
  type: 'custom' as const,
  fields: [
    {
      key: 'provider',
      label: 'Provider',
      required: true,
      choices: Object.fromEntries(PROVIDERS.map((p) => [p.id, p.name])),
      helpText: 'Which service sends the webhooks.',
    },
    {
      key: 'base_url',
      label: 'API Base URL',
      required: false,
      type: 'string' as const,
      helpText: 'Trakkr only: the base URL of its API (the one that serves `/webhooks`).',
    },
    {
      key: 'api_auth_type',
      label: 'API Authentication',
      required: false,
      default: 'bearer',
      choices: { bearer: 'Bearer token', api_key: 'API key header', basic: 'Basic auth', none: 'None' },
      helpText:
        'Trakkr only: how its API wants the key. Bearer sends `Authorization: Bearer <key>`; API key header sends the key in the header named below; Basic sends the username below with the key as password.',
    },
    {
      key: 'api_key',
      label: 'API Key',
      required: false,
      type: 'password' as const,
      helpText: 'Trakkr only: the API key (the password for Basic auth).',
    },
    {
      key: 'api_key_header',
      label: 'API Key Header',
      required: false,
      type: 'string' as const,
      default: DEFAULT_API_KEY_HEADER,
      helpText: 'API key header only: the name of the header that carries the key.',
    },
    {
      key: 'api_username',
      label: 'API Username',
      required: false,
      type: 'string' as const,
      helpText: 'Basic auth only.',
    },
    {
      key: 'signing_secret',
      label: 'Signing Secret',
      required: false,
      type: 'password' as const,
      helpText:
        'TrackScore, Trophy and Trackpilots: the webhook secret from the provider dashboard. Several, comma-separated, while you rotate. Trakkr: leave empty, Hookbridge generates one per Zap.',
    },
  ],
  test: async (z: ZObject, bundle: Bundle) => {
    const profile = PROVIDERS.find((p) => p.id === bundle.authData.provider);
    if (!profile) throw new z.errors.Error('Choose a provider', 'InvalidProvider', 400);
    if (profile.subscription.kind === 'rest-hook') {
      try {
        const hooks = await subscriptionClient(z, bundle).list();
        return { provider: profile.name, webhooks: hooks.length };
      } catch (error) {
        if (error instanceof SubscriptionError && (error.code === 'unauthorized' || error.code === 'forbidden')) {
          throw new z.errors.Error(`${profile.name} refused the API key: ${error.message}`, 'AuthenticationError', error.status ?? 401);
        }
        if (error instanceof SubscriptionError && error.code === 'validation_failed') {
          throw new z.errors.Error(error.message, 'InvalidConnection', 400);
        }
        throw new z.errors.Error(`Could not reach ${profile.name}: ${(error as Error).message}`, 'ConnectionError', 502);
      }
    }
    if (!bundle.authData.signing_secret) {
      throw new z.errors.Error(
        `${profile.name} needs the signing secret from its dashboard (${profile.dashboardHint ?? 'webhook settings'})`,
        'MissingSecret',
        400,
      );
    }
    return { provider: profile.name };
  },
  connectionLabel: (_z: ZObject, bundle: Bundle) => {
    const profile = PROVIDERS.find((p) => p.id === bundle.authData.provider);
    return profile ? `${profile.name}${bundle.authData.base_url ? ` (${bundle.authData.base_url})` : ''}` : 'Hookbridge';
  },
};

export function subscriptionClient(z: ZObject, bundle: Bundle): SubscriptionClient {
  // Refuses an unusable choice (empty key, bad header name) before any request is made.
  apiAuth({
    authType: bundle.authData.api_auth_type,
    apiKey: bundle.authData.api_key,
    apiKeyHeader: bundle.authData.api_key_header,
    username: bundle.authData.api_username,
  });
  return new SubscriptionClient({
    provider: bundle.authData.provider ?? '',
    baseUrl: bundle.authData.base_url || undefined,
    // Zapier sends the requests (z.request) and the beforeRequest middleware adds the auth.
    auth: { type: 'none' },
    transport: zapierTransport(z),
    // Zapier gives each call about 30 s: keep retries short.
    policy: { retries: 2, delaysMs: [500, 1000], timeoutMs: 8000 },
    // The user's own provider API, typed into their own Zap; Zapier's own network rules apply to z.request.
    guard: INSECURE_GUARD,
  });
}
