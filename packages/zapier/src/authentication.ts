import type { Bundle, ZObject } from 'zapier-platform-core';
import { listProviders, SubscriptionClient, SubscriptionError } from '@hookbridge/core';

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
      key: 'api_key',
      label: 'API Key',
      required: false,
      type: 'password' as const,
      helpText: 'Trakkr only: sent as `Authorization: Bearer <key>`.',
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
        const hooks = await subscriptionClient(bundle).list();
        return { provider: profile.name, webhooks: hooks.length };
      } catch (error) {
        if (error instanceof SubscriptionError && (error.code === 'unauthorized' || error.code === 'forbidden')) {
          throw new z.errors.Error(`${profile.name} refused the API key: ${error.message}`, 'AuthenticationError', error.status ?? 401);
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

export function subscriptionClient(bundle: Bundle): SubscriptionClient {
  return new SubscriptionClient({
    provider: bundle.authData.provider ?? '',
    baseUrl: bundle.authData.base_url || undefined,
    apiKey: bundle.authData.api_key ?? '',
    // Zapier gives each call about 30 s: keep retries short.
    policy: { retries: 2, delaysMs: [500, 1000], timeoutMs: 8000 },
  });
}
