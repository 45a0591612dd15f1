import type { Bundle, ZObject } from 'zapier-platform-core';
import { eventFromPayload, SubscriptionError, verifyWebhook, WebhookVerificationError, type ProviderProfile } from '@hookbridge/core';
import { PROVIDERS, subscriptionClient } from './authentication';
import { outputFieldsOf, toZapEvent, type ZapEvent } from './output';

const ANY = '*';

function sampleEvent(profile: ProviderProfile, type: string): ZapEvent {
  return toZapEvent(eventFromPayload(profile, profile.samplePayload(type === ANY ? profile.events[0]!.type : type)));
}

function requireProvider(z: ZObject, bundle: Bundle, profile: ProviderProfile): void {
  if (bundle.authData.provider !== profile.id) {
    throw new z.errors.Error(
      `This trigger is for ${profile.name}; the connection is for ${bundle.authData.provider}. Connect a ${profile.name} account.`,
      'WrongProvider',
      400,
    );
  }
}

function asZapierError(z: ZObject, error: unknown, what: string): Error {
  if (error instanceof SubscriptionError) return new z.errors.Error(`Could not ${what}: ${error.message}`, error.code, error.status ?? 500);
  return error as Error;
}

/** One instant trigger: a provider's event type, or `*` for any of its events. */
export function hookTrigger(profile: ProviderProfile, type: string) {
  const any = type === ANY;
  const definition = any ? undefined : profile.events.find((e) => e.type === type)!;
  const restHook = profile.subscription.kind === 'rest-hook';
  const key = `${profile.id}_${any ? 'any_event' : type.replace(/[^A-Za-z0-9]+/g, '_')}`;
  const sample = sampleEvent(profile, type);
  const manualHelp = profile.subscription.kind === 'manual' ? profile.subscription.instructions : '';

  const perform = async (z: ZObject, bundle: Bundle) => {
    requireProvider(z, bundle, profile);
    const request = bundle.rawRequest ?? {};
    const subscribed = (bundle.subscribeData ?? {}) as { signing_secret?: string };
    const secrets = (restHook ? [subscribed.signing_secret ?? ''] : (bundle.authData.signing_secret ?? '').split(','))
      .map((s) => s.trim())
      .filter(Boolean);
    try {
      const event = verifyWebhook(
        { headers: request.headers ?? {}, rawBody: request.content ?? '' },
        { provider: profile, secrets, unknownEvents: 'accept' },
      );
      // A manually configured webhook may send every event type; this trigger keeps its own.
      if (!any && event.type !== type) return [];
      return [toZapEvent(event)];
    } catch (error) {
      // Stop this run without output and without turning the Zap off.
      if (error instanceof WebhookVerificationError) throw new z.errors.HaltedError(`Webhook refused (${error.code}): ${error.message}`);
      throw error;
    }
  };

  const operation: Record<string, unknown> = {
    type: 'hook',
    perform,
    performList: async (z: ZObject, bundle: Bundle) => {
      requireProvider(z, bundle, profile);
      // The providers' APIs list no past events: sample events let users map fields in the editor.
      const types = any ? profile.events.map((e) => e.type) : [type];
      return types.map((t) => sampleEvent(profile, t));
    },
    sample,
    outputFields: outputFieldsOf(sample),
  };
  if (restHook) {
    operation.inputFields = [
      { key: 'brand_id', label: 'Brand ID', required: true, helpText: 'The Trakkr brand (UUID) whose events start this Zap.' },
    ];
    operation.performSubscribe = async (z: ZObject, bundle: Bundle) => {
      requireProvider(z, bundle, profile);
      try {
        return await subscriptionClient(z, bundle).subscribe({
          url: bundle.targetUrl ?? '',
          events: any ? profile.events.map((e) => e.type) : [type],
          brand_id: String(bundle.inputData.brand_id ?? ''),
        });
      } catch (error) {
        throw asZapierError(z, error, `subscribe to ${profile.name}`);
      }
    };
    operation.performUnsubscribe = async (z: ZObject, bundle: Bundle) => {
      const id = (bundle.subscribeData as { id?: string } | undefined)?.id;
      if (!id) return { deleted: true, alreadyGone: true };
      try {
        return await subscriptionClient(z, bundle).unsubscribe(id);
      } catch (error) {
        throw asZapierError(z, error, `unsubscribe from ${profile.name}`);
      }
    };
  } else {
    operation.inputFields = [
      { key: 'setup_help', type: 'copy', helpText: `${manualHelp} Zapier shows the webhook URL to paste once you continue.` },
    ];
  }

  return {
    key,
    noun: any ? `${profile.name} Event` : definition!.label,
    display: {
      label: any ? `Any ${profile.name} Event` : `New ${definition!.label} in ${profile.name}`,
      description: any
        ? `Triggers instantly on every ${profile.name} webhook event.`
        : `Triggers instantly when ${profile.name} sends \`${type}\`: ${definition!.description.replace(/\.$/, '')}.`,
    },
    operation,
  };
}

/** Every provider event as an instant trigger, plus an "any event" trigger per provider. */
export const triggers = Object.fromEntries(
  PROVIDERS.flatMap((profile) => [...profile.events.map((e) => hookTrigger(profile, e.type)), hookTrigger(profile, ANY)]).map((t) => [
    t.key,
    t,
  ]),
);
