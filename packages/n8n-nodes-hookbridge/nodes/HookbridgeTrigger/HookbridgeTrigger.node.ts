import {
  NodeApiError,
  NodeConnectionTypes,
  NodeOperationError,
  type IDataObject,
  type IHookFunctions,
  type INodeType,
  type INodeTypeDescription,
  type IWebhookFunctions,
  type IWebhookResponseData,
  type JsonObject,
} from 'n8n-workflow';
import { redactHeaders, SubscriptionError, TemplateError, verifyWebhook, WebhookVerificationError } from '@hookbridge/core/pure';
import { triggerProperties } from './description';
import { clientFor, dedupeStore, profileOf, selectedEvents, shapeOutput, subscriptions, wanted } from './TriggerHelpers';

function apiError(context: IHookFunctions, error: unknown): Error {
  if (error instanceof SubscriptionError) {
    return new NodeApiError(context.getNode(), { message: error.message, code: error.code } as JsonObject, {
      message: error.message,
      httpCode: error.status ? String(error.status) : undefined,
    });
  }
  return new NodeOperationError(context.getNode(), error as Error);
}

export class HookbridgeTrigger implements INodeType {
  description: INodeTypeDescription = {
    displayName: 'Hookbridge Trigger',
    name: 'hookbridgeTrigger',
    icon: { light: 'file:hookbridge.svg', dark: 'file:hookbridge.dark.svg' },
    group: ['trigger'],
    version: 1,
    subtitle: '={{$parameter["provider"]}}',
    description: 'Starts the workflow when TrackScore, Trakkr, Trophy, Trackpilots or a Standard Webhooks sender posts a signed event',
    defaults: { name: 'Hookbridge Trigger' },
    inputs: [],
    outputs: [NodeConnectionTypes.Main],
    credentials: [{ name: 'hookbridgeApi', required: true }],
    webhooks: [{ name: 'default', httpMethod: 'POST', responseMode: 'onReceived', path: 'webhook' }],
    properties: triggerProperties,
  };

  webhookMethods = {
    default: {
      /** True when this URL already has a live subscription (after recovering one n8n forgot). */
      async checkExists(this: IHookFunctions): Promise<boolean> {
        const profile = profileOf(this);
        if (profile.subscription.kind !== 'rest-hook') return true;
        const url = this.getNodeWebhookUrl('default') as string;
        const stored = subscriptions(this)[url];
        if (!stored) return false;
        try {
          const hook = await (await clientFor(this, profile)).get(stored.id);
          if (hook.url === url && hook.active) return true;
        } catch (error) {
          if (!(error instanceof SubscriptionError && error.code === 'not_found')) throw apiError(this, error);
        }
        delete subscriptions(this)[url];
        return false;
      },

      /** Subscribes this URL, or adopts an existing subscription for it (static data can be lost). */
      async create(this: IHookFunctions): Promise<boolean> {
        const profile = profileOf(this);
        if (profile.subscription.kind !== 'rest-hook') return true;
        const url = this.getNodeWebhookUrl('default') as string;
        const events = selectedEvents(this, profile);
        const client = await clientFor(this, profile);
        try {
          const existing = (await client.findByUrl(url)).find((hook) => hook.signing_secret);
          if (existing) {
            subscriptions(this)[url] = { id: existing.id, secret: existing.signing_secret! };
            return true;
          }
          const created = await client.subscribe({
            url,
            events: events.includes('*') ? profile.events.map((e) => e.type) : events,
            brand_id: this.getNodeParameter('brandId', '') as string,
          });
          subscriptions(this)[url] = { id: created.id, secret: created.signing_secret };
          return true;
        } catch (error) {
          throw apiError(this, error);
        }
      },

      /** Removes this URL's subscription; one already deleted at the provider is fine. */
      async delete(this: IHookFunctions): Promise<boolean> {
        const profile = profileOf(this);
        if (profile.subscription.kind !== 'rest-hook') return true;
        const url = this.getNodeWebhookUrl('default') as string;
        const stored = subscriptions(this)[url];
        if (!stored) return true;
        try {
          await (await clientFor(this, profile)).unsubscribe(stored.id);
        } catch (error) {
          throw apiError(this, error);
        }
        delete subscriptions(this)[url];
        return true;
      },
    },
  };

  async webhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
    const profile = profileOf(this);
    const request = this.getRequestObject();
    const response = this.getResponseObject();
    const options = this.getNodeParameter('options', {}) as IDataObject;
    const url = this.getNodeWebhookUrl('default') as string;

    let secrets: string[];
    if (profile.subscription.kind === 'rest-hook') {
      const stored = subscriptions(this)[url];
      secrets = stored ? [stored.secret] : [];
    } else {
      const credentials = await this.getCredentials('hookbridgeApi');
      secrets = String(credentials.signingSecrets ?? '')
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);
    }

    let event;
    try {
      event = verifyWebhook(
        { headers: request.headers, rawBody: request.rawBody ?? Buffer.alloc(0) },
        { provider: profile, secrets, toleranceSeconds: (options.toleranceSeconds as number) ?? 300, unknownEvents: 'accept' },
      );
    } catch (error) {
      if (!(error instanceof WebhookVerificationError)) throw new NodeOperationError(this.getNode(), error as Error);
      // Refused: answer with the reason and start no execution.
      response.status(error.status).json({ ok: false, error: error.code, message: error.message });
      return { noWebhookResponse: true };
    }

    const dedupeSeconds = (options.dedupeSeconds as number | undefined) ?? 86400;
    if (dedupeSeconds > 0 && !dedupeStore(this, dedupeSeconds).claim(`${event.provider}:${event.id}`)) {
      response.status(200).json({ ok: true, id: event.id, duplicate: true });
      return { noWebhookResponse: true };
    }
    if (!wanted(event, selectedEvents(this, profile))) {
      response.status(200).json({ ok: true, id: event.id, ignored: true });
      return { noWebhookResponse: true };
    }

    let json: IDataObject;
    try {
      json = shapeOutput(event, (options.output as string) ?? 'event', (options.template as string) ?? '{}');
    } catch (error) {
      if (error instanceof TemplateError) {
        throw new NodeOperationError(this.getNode(), error.message, {
          description: `In the JSON template${error.path ? ` at ${error.path}` : ''}${error.line ? `, line ${error.line}` : ''}${error.column ? `, column ${error.column}` : ''}`,
        });
      }
      throw new NodeOperationError(this.getNode(), error as Error);
    }
    if (options.includeHeaders) json.headers = redactHeaders(this.getHeaderData() as Record<string, string>);
    return { workflowData: [this.helpers.returnJsonArray([json])] };
  }
}
